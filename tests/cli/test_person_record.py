"""`transition person NHS`: a record in sections with labels in words, as the person screen
groups it (the pathway's reasons with their basis, the risk factors with their points, a
manager's choices with who, when and why), fitting 80 columns without cutting a word; --json
as it was."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.conftest import RunCli
from tests.factories import nhs_number
from tests.importing import person_row, staff_row, write_csv
from transition.commands.common import json_default
from transition.config import Settings
from transition.db import Database
from transition.handover_status import handover_statuses
from transition.models import Person
from transition.people import find_person, person_detail
from transition.ruleset import load_rules

LONG_COLUMN = "Date of the last multidisciplinary team review (from the trust's own system)"
ADDRESS = ("Flat 12, Kestrel House Sheltered Housing Development, 1234 Extraordinarily Long "
           "Road Name, Somewhere-on-the-Marsh-under-the-Hill")
PATHWAY_REASON = ("Agreed at the transfer panel on 12 January: the trust is withdrawing the key "
                  "worker, and the council's social worker leads with the ward's crisis plan.")
BAND_REASON = "Crisis plan in place and a settled week since discharge; reviewed with the ward."
SECTIONS = ["Identity", "Team and care coordinator", "Address and GP", "Care and legal status",
            "Risk-relevant facts", "Pathway and reasons", "Handover risk", "Communication needs",
            "Carer", "Care Act outcomes", "Workers", "Other columns in the export",
            "Import history"]


def _said(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def someone(run_cli: RunCli, tmp_path: Path) -> str:
    """One person imported (row 2 of caseload.csv) and assessed (today is 15 January 2027):
    joint by the rules, overridden to council; red by the score, amber by a manager."""
    assert run_cli("import", "staff", write_csv(tmp_path / "staff.csv", [staff_row(1)])
                   ).exit_code == 0
    row = person_row(0, given_name="Bartholomew", family_name="Featherstonehaugh-Smythe",
                     address=ADDRESS, s117="Y", cto="Y", cto_start="01/09/2026",
                     cto_expiry="01/03/2027", safeguarding_open="Y", last_discharge="10/01/2027",
                     missed_appointments_6m="4", self_harm_history="Y", carer="Y",
                     carer_name="Sam Ashdown", carer_consent="N")
    row[LONG_COLUMN] = "03/12/2026"
    imported = run_cli("import", "caseload", write_csv(tmp_path / "caseload.csv", [row]))
    assert imported.exit_code == 0, imported.output
    for args in (("programme", "set", "--transfer-date", "2027-04-01"), ("assess",),
                 ("pathway", "set", nhs_number(0), "council", "--reason", PATHWAY_REASON),
                 ("risk", "set", nhs_number(0), "amber", "--reason", BAND_REASON)):
        done = run_cli(*args)
        assert done.exit_code == 0, done.output
    return nhs_number(0)


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """An 80-column terminal, as cron mails and files get."""
    from transition.commands.common import console

    monkeypatch.setattr(console, "width", 80)


def _column(text: str, heading: str, following: str | None = None) -> str:
    """The words of one column of the table headed by ``heading`` (up to where ``following``
    starts, or the line's end), read down to the table's end (a blank line), joined by single
    spaces."""
    lines = text.splitlines()
    top = next(index for index, line in enumerate(lines)
               if heading in line and (following is None or following in line))
    start = lines[top].index(heading)
    end = None if following is None else lines[top].index(following)
    rows = []
    for line in lines[top + 1:]:
        if not line.strip():
            break
        rows.append(" ".join(line[start:end].split()))
    return " ".join(row for row in rows if row)


def test_the_record_reads_in_sections_with_labels_in_words(
        run_cli: RunCli, someone: str, narrow: None) -> None:
    shown = run_cli("person", someone)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert [line for line in lines if line in SECTIONS] == SECTIONS  # each once, in order
    said = _said(shown.stdout)
    for raw in ("care_coordinator_id", "pathway_rules_decision", "risk_band_override",
                "handover_date_is_own", "date_of_birth", "safeguarding_open", "cto_expiry"):
        assert raw not in shown.stdout
    assert said.startswith("Featherstonehaugh-Smythe, Bartholomew 999 000 0018 age 46 North CMHT")
    for words in ("NHS number 999 000 0018", "Date of birth 3 Apr 1980 (age 46)",
                  "Care coordinator Jo1 Carver (S001)", "Coordinator since 1 May 2024",
                  "Handover date 1 Apr 2027 (the programme's transfer date)",
                  "Community Treatment Order Yes, since 1 Sep 2026, expires 1 Mar 2027",
                  "Section 117 aftercare Yes", "Open safeguarding Yes",
                  "Last discharge 10 Jan 2027 (5 days ago)",
                  "Carer may be told No: no carer letter",
                  "Outcomes 2 outcomes unmet", "From row 2 of caseload.csv (import #2)."):
        assert words in said, words
    # A blank reads as the screen shows it, not left out.
    assert "Cluster 11 (psychosis)" in said and "Accessible format None recorded" in said


def test_the_pathway_reasons_read_in_words_with_their_basis(
        run_cli: RunCli, someone: str, narrow: None) -> None:
    detail = run_cli("person", someone, "--json").json()
    rules = [reason for reason in detail["pathway_reasons"] if reason["rule"] != "manager_override"]
    assert len(rules) >= 3
    shown = run_cli("person", someone).stdout
    reasons = _column(shown, "The rules' reasons", "Basis")
    basis = _column(shown, "Basis")
    for reason in rules:  # whole, in the rules' order, each with its id after it
        assert f"{reason['reason']} ({reason['rule']})" in reasons
        assert reason["basis"] in basis
    assert reasons.index(rules[0]["reason"]) < reasons.index(rules[-1]["reason"])
    assert "Pathway council ✎ the council holds the case (a social worker)" in _said(shown)


def test_the_risk_factors_show_their_points_label_and_value(
        run_cli: RunCli, someone: str, narrow: None) -> None:
    detail = run_cli("person", someone, "--json").json()
    factors = detail["risk_factors"]
    assert sum(factor["points"] for factor in factors) == detail["risk_score"]
    shown = run_cli("person", someone).stdout
    points = _column(shown, "Points", "Factor").split()
    assert points == [f"+{factor['points']}" for factor in factors]
    labels = _column(shown, "Factor", "Because")
    assert labels == " ".join(factor["label"] for factor in factors)
    assert _column(shown, "Because").startswith("10 Jan 2027 yes yes 4 s117 and CTO")
    assert factors[0]["factor"] == "discharged_very_recently"


def test_an_override_and_a_managers_band_say_who_when_and_why(
        run_cli: RunCli, someone: str, settings: Settings, database: Database,
        narrow: None) -> None:
    # Stored in UTC; read in UK time (10:30 BST), as every screen and the audit show times.
    with database.transaction() as session:
        session.execute(update(Person).values(
            pathway_override_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
            risk_override_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC)))
    score = run_cli("person", someone, "--json").json()["risk_score"]
    said = _said(run_cli("person", someone).stdout)
    assert (f"Set by {settings.actor} on 1 Jul 2026 10:30: {PATHWAY_REASON} Rules would say "
            "joint council and trust together (both workers)") in said
    assert (f"Handover risk ● amber ✎ {score} needs a careful, planned handover Set by "
            f"{settings.actor} on 1 Dec 2026 09:30: {BAND_REASON} Rules would say ● red {score} "
            "As of 15 Jan 2027") in said


def test_at_80_columns_no_line_is_longer_and_nothing_is_cut(
        run_cli: RunCli, someone: str, narrow: None) -> None:
    shown = run_cli("person", someone).stdout
    lines = shown.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)  # no padding to the width
    assert "…" not in shown
    words = set(shown.split())
    for text in (ADDRESS, PATHWAY_REASON, BAND_REASON, LONG_COLUMN):
        assert set(text.split()) <= words, text
    # The export's long column name wraps in its own column, leaving its value room.
    assert "03/12/2026" in shown


def test_json_is_what_person_detail_says(
        run_cli: RunCli, someone: str, settings: Settings, database: Database) -> None:
    """--json is as it was: person_detail's document with where the handover stands."""
    run_cli("tasks", "generate")
    printed = run_cli("person", someone, "--json").stdout
    rules = load_rules(settings.rules_file)
    with database.session() as session:
        person = find_person(session, someone)
        assert person is not None and person.id is not None
        detail = person_detail(session, person, as_of=settings.today(), bands=rules.risk.bands,
                               council=None)
        handover = handover_statuses(session, [person.id], as_of=settings.today(),
                                     visit_task=rules.checks.handover_visit_task)[person.id]
    detail["handover"] = handover.as_json() | {"sentence": handover.sentence()}
    assert printed == json.dumps(detail, default=json_default, ensure_ascii=False, indent=2) + "\n"
    assert list(json.loads(printed))[-3:] == ["workers", "roles", "handover"]
