"""`transition letters`: generate (JSON shape, summary, exit statuses), status, preview, history."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import RunCli
from tests.factories import make_person
from tests.letter_setup import (
    TEST_COUNCIL,
    add_task,
    handover_person,
    use_test_council,
    with_transfer_date,
)
from transition import nhs
from transition.audit import Change, record
from transition.config import CouncilDetails, Settings
from transition.db import Database
from transition.demo import DEMO_BUILT
from transition.models import Letter, Task
from transition.people import find_person
from transition.tasks import set_task_status


@pytest.fixture(autouse=True)
def _council(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_council(monkeypatch)


def _people(database: Database) -> tuple[str, str, str]:
    with database.transaction() as session:
        with_transfer_date(session)
        changed = handover_person(session, carer=True, carer_name="Rita",
                                  carer_address="5 Carer Row, Westhaven", carer_consent=True)
        braille = handover_person(session, accessible_format="braille")
        signposted = make_person(session, pathway="signpost")
        return changed.nhs_number, braille.nhs_number, signposted.nhs_number


def test_generate_json_lists_letters_and_skips_and_exits_1_when_something_was_skipped(
    run_cli: RunCli, database: Database, settings: Settings
) -> None:
    changed, braille, signposted = _people(database)
    result = run_cli("letters", "generate", "--json")
    data = result.json()
    # A braille letter skipped is settled (exit 0); others need someone to act (tests/cli/test_letters_cron.py).
    assert result.exit_code == (1 if data["skipped_needing_action"] else 0), result.output
    assert set(data) >= {"written", "skipped", "letters", "unchanged", "superseded"}
    assert data["written"] == len(data["letters"]) == 6
    for letter in data["letters"]:
        assert set(letter) >= {"nhs_number", "kind", "format", "path", "sha256"}
        assert letter["format"] == "pdf"
        path = Path(letter["path"])
        assert path.parent == (settings.resolved_output_dir / "letters").resolve()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == letter["sha256"]
    assert sorted((item["nhs_number"], item["kind"]) for item in data["letters"]) == sorted([
        (changed, "person"), (changed, "gp"), (changed, "carer"), (braille, "gp"),
        (signposted, "signpost"), (signposted, "gp"),
    ])
    assert data["skipped"] == [{
        "nhs_number": braille, "kind": "person",
        "reason": "needs braille: the team arranges it (task accessible_communication)",
    }]

    again = run_cli("letters", "generate", "--json")
    assert again.json()["written"] == 0 and again.json()["unchanged"] == 6


def test_generate_prints_a_summary_with_what_was_not_written(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    _, braille, _ = _people(database)
    result = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "mine",
                     "--full-numbers")  # not a terminal: masked otherwise
    assert result.exit_code == 0  # braille is a settled skip: listed, no failure
    assert "Letters: 6 written, 0 unchanged" in result.stdout
    assert "Not written: 1 letter." in result.stdout
    spaced = f"{braille[:3]} {braille[3:6]} {braille[6:]}"
    assert f"1 x needs braille: the team arranges it (task accessible_communication): {spaced} (person)" in result.stdout
    assert len(list((tmp_path / "mine").glob("*.md"))) == 6
    # Again into another folder: nothing is written there, and the summary says where the
    # current letters are (and in the same folder it says nothing of the kind).
    elsewhere = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "other")
    said = " ".join(elsewhere.stdout.split())
    assert "Letters: 0 written, 6 unchanged" in said
    assert f"stay where they were written: {tmp_path / 'mine'} (6)" in said
    same = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "mine")
    assert "stay where they were written" not in same.stdout


def test_generate_says_which_letter_tasks_it_left_blocked(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    changed, _, _ = _people(database)
    with database.transaction() as session:
        person = find_person(session, changed)
        assert person is not None
        add_task(session, person, "letter_person")
        gp = add_task(session, person, "letter_gp")
        assert gp.id is not None
        gp_id = gp.id
        set_task_status(session, gp_id, "blocked", actor="manager-a",
                        reason="Waiting for the GP practice's new address")
    result = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "mine",
                     "--full-numbers")  # not a terminal: masked otherwise
    assert "1 letter tasks marked done" in result.stdout
    spaced = f"{changed[:3]} {changed[3:6]} {changed[6:]}"
    said = " ".join(result.stdout.split())
    assert "Left blocked: 1 letter task someone marked blocked" in said
    assert f"{spaced} (gp)" in said
    data = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "mine",
                   "--json").json()
    assert data["tasks_blocked"] == 1
    assert data["blocked"] == [{"nhs_number": changed, "kind": "gp", "task": "letter_gp"}]
    with database.session() as session:
        task = session.get(Task, gp_id)
        assert task is not None and task.status == "blocked"


def test_generate_for_named_people_and_one_kind(run_cli: RunCli, database: Database) -> None:
    changed, _, _ = _people(database)
    result = run_cli("letters", "generate", "--nhs", changed, "--kind", "gp", "--format", "docx",
                     "--json")
    assert result.exit_code == 0, result.output
    assert [(item["kind"], item["format"]) for item in result.json()["letters"]] == [("gp", "docx")]


def test_unknown_person_kind_or_format_is_refused_without_writing(
    run_cli: RunCli, database: Database, settings: Settings
) -> None:
    _people(database)
    unknown = run_cli("letters", "generate", "--nhs", "9990000026")
    assert unknown.exit_code == 1 and "No person with NHS number ******0026" in unknown.stderr
    bad_kind = run_cli("letters", "generate", "--kind", "friend")
    assert bad_kind.exit_code == 2 and "Unknown kind of letter 'friend'" in bad_kind.stderr
    bad_format = run_cli("letters", "generate", "--format", "rtf")
    assert bad_format.exit_code == 2 and "Unknown letter format 'rtf'" in bad_format.stderr
    assert not (settings.resolved_output_dir / "letters").exists()


def test_a_broken_council_template_exits_2_naming_template_and_line(
    run_cli: RunCli, database: Database, tmp_path: Path, settings: Settings
) -> None:
    _people(database)
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "_crisis.html.j2").write_text("<h2>Crisis</h2>\n\n<p>{{ council.crisis_number }}</p>\n")
    result = run_cli("letters", "generate", "--templates", folder)
    assert result.exit_code == 2
    assert "_crisis.html.j2" in result.stderr and "line 3" in result.stderr
    assert "crisis_number" in result.stderr and "Traceback" not in result.output
    assert not (settings.resolved_output_dir / "letters").exists()


def test_status_preview_and_history(run_cli: RunCli, database: Database) -> None:
    changed, braille, _ = _people(database)
    status = run_cli("letters", "status", "--json").json()
    assert {(n["kind"], n["status"]) for n in status["needs"] if n["nhs_number"] == changed} == {
        ("person", "due"), ("gp", "due"), ("carer", "due")}
    assert status["out_of_date"] == []

    preview = run_cli("letters", "preview", changed)
    assert preview.exit_code == 0
    assert "# Your new social worker from 1 April 2027" in preview.stdout
    skipped = run_cli("letters", "preview", braille)
    assert skipped.exit_code == 1 and "would not be sent: needs braille" in skipped.stderr

    assert run_cli("letters", "history", changed).stdout.strip() == (
        "No letters have been written for this person.")
    run_cli("letters", "generate", "--nhs", changed)
    history = run_cli("letters", "history", changed, "--json").json()
    assert sorted((h["kind"], h["status"]) for h in history) == [
        ("carer", "current"), ("gp", "current"), ("person", "current")]
    table = run_cli("letters", "status")
    assert table.exit_code == 0 and "person" in table.stdout
    # Letters that cannot be written are listed below the counts, by reason, with who.
    said = " ".join(table.stdout.split())
    assert "1 letter not possible, and why: person (1): needs braille" in said
    assert nhs.mask(braille) in said  # not a terminal: masked, as generate and check do


def test_history_shows_uk_dates_and_times_and_json_keeps_iso(
    run_cli: RunCli, database: Database
) -> None:
    changed, _, _ = _people(database)
    run_cli("letters", "generate", "--nhs", changed, "--kind", "person")
    with database.transaction() as session:
        [letter] = session.scalars(select(Letter)).all()
        # Summer: British Summer Time, an hour ahead of the stored UTC.
        letter.superseded_at = datetime(2026, 7, 1, 8, 5, tzinfo=UTC)
    shown = run_cli("letters", "history", changed)
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stdout.split())
    assert "15 Jan 2027" in said and "superseded 1 Jul 2026 09:05" in said, shown.stdout
    assert "2027-01-15" not in said and "2026-07-01" not in said
    [record] = run_cli("letters", "history", changed, "--json").json()
    assert record["dated"] == "2027-01-15"
    assert record["superseded_at"] == "2026-07-01T08:05:00+00:00"


def _example_council(monkeypatch: pytest.MonkeyPatch, **own: str) -> None:
    """The built-in example council details, except the ``own`` ones the council has set."""
    for key in CouncilDetails.model_fields:
        monkeypatch.delenv(f"TRANSITION_COUNCIL__{key.upper()}", raising=False)
    for key, value in own.items():
        monkeypatch.setenv(f"TRANSITION_COUNCIL__{key.upper()}", value)


def test_generate_refuses_the_example_council_details_and_names_what_to_set(
    run_cli: RunCli, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _people(database)
    _example_council(monkeypatch, name="Testvale Council", phone="01632 960000")
    result = run_cli("letters", "generate", "--out", tmp_path / "letters")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2, result.output
    assert "Letters cannot be written with the built-in example council details" in said
    assert ("Still the example: address, email, crisis_line, out_of_hours, complaints, "
            "signatory, website. No letters were written.") in said
    assert f"under [council] in {tmp_path / 'home' / 'no-settings.toml'}" in said
    assert "TRANSITION_COUNCIL__CRISIS_LINE" in said
    assert not (tmp_path / "letters").exists()
    with database.session() as session:
        assert session.scalars(select(Letter)).all() == []


def test_a_preview_says_plainly_that_the_example_council_details_are_examples(
    run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed, _, _ = _people(database)
    _example_council(monkeypatch)
    preview = run_cli("letters", "preview", changed)
    assert preview.exit_code == 0 and "0800 000 1234" in preview.stdout
    assert ("Example details: the council details shown are invented examples, not your "
            "council's.") in " ".join(preview.stderr.split())
    assert run_cli("letters", "preview", changed, "--json").json()["example_council"]
    _example_council(monkeypatch, **TEST_COUNCIL.model_dump())
    own = run_cli("letters", "preview", changed, "--json")
    assert own.json()["example_council"] is None and "Example details" not in own.stderr


def test_the_demo_database_may_use_the_example_council_details(
    run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _people(database)
    with database.transaction() as session:  # as `transition demo` marks the database it builds
        record(session, Change(action=DEMO_BUILT, entity="database"), actor="demo")
    _example_council(monkeypatch)
    result = run_cli("letters", "generate", "--json")
    assert result.exit_code == 0 and result.json()["written"] == 6, result.output


def test_status_says_a_carer_letter_the_person_has_refused_must_not_be_posted(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    """Written, then the person said no to their carer being told: writing it again would
    skip it, so status says not to post it rather than to generate it again."""
    changed, _braille, _signposted = _people(database)
    assert run_cli("letters", "generate", "--nhs", changed, "--format", "md",
                   "--out", tmp_path / "out").exit_code == 0
    with database.transaction() as session:
        person = find_person(session, changed)
        assert person is not None
        person.carer_consent = False
    said = " ".join(run_cli("letters", "status").stdout.split())
    assert "1 carer letter must not be posted: the person has since said no" in said
    assert "1 letter out of date (generate them again)" in said  # the GP's copy says 'carer'


def test_letters_written_again_with_the_same_facts_are_said_to_be_reworded(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    """A council's new crisis wording rewrites every letter, though nothing about the people
    changed: the run says which letters only changed their words, so a team that posted the
    first ones can decide whether to post these."""
    with database.transaction() as session:
        with_transfer_date(session)
        number = handover_person(session).nhs_number
    assert run_cli("letters", "generate", "--kind", "person").exit_code == 0
    council = tmp_path / "templates"
    council.mkdir()
    (council / "_crisis.html.j2").write_text("<h2>Crisis</h2><p>Call Westshire Crisis Team.</p>")
    again = run_cli("letters", "generate", "--kind", "person", "--templates", str(council),
                    "--full-numbers")  # not a terminal: masked otherwise
    assert again.exit_code == 0, again.output
    said = " ".join(again.stdout.split())
    assert ("Reworded: 1 letter of these says the same about the person as the letter it "
            "replaces") in said
    assert f"{number[:3]} {number[3:6]} {number[6:]} (person)" in said
    first = run_cli("letters", "generate", "--kind", "gp")
    assert "Reworded" not in first.stdout  # a first letter is news
