"""`transition letters` with a council template written for an older version, which gives an NHS
worker with no direct line the council's number: every command that reads the templates warns,
naming the file and line and what to use instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.letter_setup import (
    OLD_MACROS,
    TEST_COUNCIL,
    flat,
    handover_person,
    trust_worker,
    use_test_council,
    with_transfer_date,
)
from transition.db import Database


@pytest.fixture(autouse=True)
def _council(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_council(monkeypatch)


def _setup(database: Database, tmp_path: Path) -> tuple[str, Path]:
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "_macros.html.j2").write_text(OLD_MACROS, encoding="utf-8")
    with database.transaction() as session:
        with_transfer_date(session)
        trust_worker(session, "KW2", given_name="Morgan", family_name="Stays", phone="")
        person = handover_person(session, new_staff_id="KW2", role="key_worker", pathway="trust")
    return person.nhs_number, folder


def _warned(stderr: str, folder: Path) -> None:
    said = flat(stderr)
    assert said.count("Warning: Letter template _macros.html.j2") == 1
    for words in (f"(council folder {folder.resolve()}) line 6", "council.phone",
                  "worker.phone_is_main_number", "worker.team_phone", "older version"):
        assert words in said, words


def test_let5_generate_warns_and_still_writes(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    nhs_number, folder = _setup(database, tmp_path)
    result = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                     "--templates", folder, "--json")
    assert result.exit_code == 0
    _warned(result.stderr, folder)
    document = result.json()
    assert [(w["file"], w["line"]) for w in document["template_warnings"]] == [
        ("_macros.html.j2", 6)]
    [person] = [letter for letter in document["letters"] if letter["kind"] == "person"]
    assert person["nhs_number"] == nhs_number
    assert "_macros.html.j2 line 6" in person["note"]
    text = Path(person["path"]).read_text(encoding="utf-8")
    assert f"{TEST_COUNCIL.phone} (ask for Morgan Stays)" in flat(text)

    # The table too: the warning goes to stderr, not into the summary.
    table = run_cli("letters", "generate", "--format", "html", "--out", tmp_path / "out",
                    "--templates", folder)
    assert table.exit_code == 0
    _warned(table.stderr, folder)
    assert "Warning" not in table.stdout


def test_let5_preview_and_status_warn(
    run_cli: RunCli, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nhs_number, folder = _setup(database, tmp_path)
    monkeypatch.setenv("TRANSITION_LETTER_TEMPLATES_DIR", str(folder))
    preview = run_cli("letters", "preview", nhs_number)
    assert preview.exit_code == 0
    _warned(preview.stderr, folder)
    as_json = run_cli("letters", "preview", nhs_number, "--json")
    assert [w["line"] for w in as_json.json()["template_warnings"]] == [6]
    assert "_macros.html.j2 line 6" in as_json.json()["note"]
    status = run_cli("letters", "status")
    assert status.exit_code == 0
    _warned(status.stderr, folder)


def test_let5_no_warning_with_the_shipped_templates(
    run_cli: RunCli, database: Database, tmp_path: Path
) -> None:
    nhs_number, _ = _setup(database, tmp_path)
    preview = run_cli("letters", "preview", nhs_number, "--json")
    assert preview.json()["template_warnings"] == [] and "Warning" not in preview.stderr
    generated = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "out",
                        "--json")
    assert generated.exit_code == 0 and generated.json()["template_warnings"] == []
    assert "Warning" not in generated.stderr
