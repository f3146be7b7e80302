"""On a demo database, what would default into the data folder (letters, reports, rejects files,
an export's pseudonym key) goes to the demo's own folder beside it, so that a manager trying the
demo never makes or uses the real pseudonym key nor mixes demo letters with real ones. A folder
or key the person set is still used. The data folder here is the test's own (XDG_DATA_HOME,
tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.importing import person_row, write_csv
from tests.letter_setup import handover_person, with_transfer_date
from transition.audit import Change, record
from transition.config import Settings, data_dir
from transition.db import Database
from transition.demo import DEMO_BUILT, demo_files_dir
from transition.export import KEY_FILE, key_id


def _mark_demo(database: Database, settings: Settings) -> Path:
    """Mark the test database as `transition demo` marks the one it builds; its own folder."""
    with database.transaction() as session:
        record(session, Change(action=DEMO_BUILT, entity="database"), actor="demo")
    return demo_files_dir(settings.resolved_database_url)


def _changed_person(database: Database) -> str:
    with database.transaction() as session:
        with_transfer_date(session)
        return handover_person(session).nhs_number


@pytest.fixture
def no_output_setting(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """The CLI with no output_dir set (run_cli sets one): the default folders are in play."""
    monkeypatch.delenv("TRANSITION_OUTPUT_DIR")
    return run_cli


def _real_output() -> Path:
    return data_dir() / "output"


def test_letters_on_a_demo_go_to_its_own_folder_and_the_command_says_where(
    no_output_setting: RunCli, database: Database, settings: Settings
) -> None:
    person = _changed_person(database)
    own = _mark_demo(database, settings)
    result = no_output_setting("letters", "generate", "--nhs", person, "--format", "md")
    assert result.exit_code == 0, result.output
    letters = own / "output" / "letters"
    assert f"Folder: {letters}" in " ".join(result.stdout.split())
    written = sorted(path.name for path in letters.iterdir())
    assert written and all(name.endswith(".md") for name in written)
    assert not _real_output().exists()


def test_letters_on_a_real_database_still_go_to_the_data_folder(
    no_output_setting: RunCli, database: Database, settings: Settings
) -> None:
    person = _changed_person(database)
    result = no_output_setting("letters", "generate", "--nhs", person, "--format", "md", "--json")
    assert result.exit_code == 0, result.output
    folders = {Path(item["path"]).parent for item in result.json()["letters"]}
    assert folders == {(_real_output() / "letters").resolve()}
    assert not demo_files_dir(settings.resolved_database_url).exists()


def test_an_output_folder_the_person_set_is_used_on_the_demo_too(
    run_cli: RunCli, database: Database, settings: Settings, tmp_path: Path
) -> None:
    person = _changed_person(database)
    own = _mark_demo(database, settings)
    set_folder = run_cli(
        "letters", "generate", "--nhs", person, "--kind", "person", "--format", "md", "--json"
    )
    assert set_folder.exit_code == 0, set_folder.output
    [letter] = set_folder.json()["letters"]
    assert Path(letter["path"]).parent == (settings.resolved_output_dir / "letters").resolve()
    given = run_cli(
        "letters",
        "generate",
        "--nhs",
        person,
        "--kind",
        "gp",
        "--format",
        "md",
        "--out",
        tmp_path / "mine",
        "--json",
    )
    assert given.exit_code == 0, given.output
    [letter] = given.json()["letters"]
    assert Path(letter["path"]).parent == (tmp_path / "mine").resolve()
    assert not own.exists()


def _real_key() -> bytes:
    """A real pseudonym key already in the data folder, as a manager's exports made it."""
    key = "r" * 64
    (data_dir() / KEY_FILE).write_text(key + "\n", encoding="ascii")
    return key.encode("ascii")


def test_an_export_on_the_demo_makes_and_uses_its_own_key_never_the_real_one(
    no_output_setting: RunCli, database: Database, settings: Settings, tmp_path: Path
) -> None:
    _changed_person(database)
    real = _real_key()
    own = _mark_demo(database, settings)
    result = no_output_setting("export", "--pseudonymise", "--out", tmp_path / "export")
    assert result.exit_code == 0, result.output
    demo_key = own / KEY_FILE
    assert demo_key.is_file() and (own.stat().st_mode & 0o077) == 0
    said = " ".join(result.stdout.split())
    assert f"Demo database: its own pseudonym key, {demo_key}" in said
    assert f"key {key_id(demo_key.read_text().strip().encode())}" in said
    assert f"key {key_id(real)}" not in said
    assert (data_dir() / KEY_FILE).read_text().strip().encode() == real  # untouched
    again = no_output_setting("export", "--pseudonymise", "--out", tmp_path / "again", "--json")
    assert again.json()["key_id"] == key_id(demo_key.read_text().strip().encode())


def test_an_export_on_a_real_database_uses_the_real_key(
    no_output_setting: RunCli, database: Database, settings: Settings, tmp_path: Path
) -> None:
    _changed_person(database)
    real = _real_key()
    result = no_output_setting("export", "--pseudonymise", "--out", tmp_path / "export", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["key_id"] == key_id(real)
    assert not demo_files_dir(settings.resolved_database_url).exists()


def test_a_key_the_person_set_is_used_on_the_demo_and_no_key_file_is_made(
    no_output_setting: RunCli,
    database: Database,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _changed_person(database)
    own = _mark_demo(database, settings)
    monkeypatch.setenv("TRANSITION_PSEUDONYM_KEY", "k" * 40)
    result = no_output_setting("export", "--pseudonymise", "--out", tmp_path / "export")
    assert result.exit_code == 0, result.output
    assert f"key {key_id(b'k' * 40)}" in " ".join(result.stdout.split())
    assert "Demo database" not in result.stdout
    assert not (own / KEY_FILE).exists() and not (data_dir() / KEY_FILE).exists()


def test_rejected_rows_of_an_import_into_the_demo_go_to_its_own_folder(
    no_output_setting: RunCli, database: Database, settings: Settings, tmp_path: Path
) -> None:
    own = _mark_demo(database, settings)
    rows = [person_row(0), person_row(1, date_of_birth="31/02/1980")]
    result = no_output_setting(
        "import", "caseload", write_csv(tmp_path / "caseload.csv", rows), "--json"
    )
    assert result.exit_code == 1, result.output
    rejects = Path(json.loads(result.stdout)["rejects_path"])
    assert rejects.parent == (own / "rejects").resolve() and rejects.is_file()
    assert not (data_dir() / "rejects").exists() and not (tmp_path / "rejects").exists()


def test_the_demo_folder_is_its_own_even_for_the_default_demo_in_the_data_folder() -> None:
    """The default demo (demo.db) lives in the data folder: ``output`` and ``pseudonym.key``
    beside it would be the real ones, so its folder is ``demo-files``."""
    default = data_dir() / "demo.db"
    assert demo_files_dir(f"sqlite:///{default}") == data_dir() / "demo-files"
    assert demo_files_dir("sqlite:////srv/try/mine.db") == Path("/srv/try/mine-files")
    assert demo_files_dir("postgresql+psycopg://someone@db.example/transition") == (
        data_dir() / "demo-files"
    )


def test_settings_send_only_the_defaults_to_the_demo_folder(tmp_path: Path) -> None:
    settings = Settings(database_url=str(tmp_path / "demo.db"))
    assert settings.resolved_output_dir == data_dir() / "output"
    assert settings.pseudonym_key_dir == data_dir()
    settings.keep_demo_files_in(tmp_path / "demo-files")
    assert settings.resolved_output_dir == tmp_path / "demo-files" / "output"
    assert settings.pseudonym_key_dir == tmp_path / "demo-files"
    chosen = Settings(database_url=str(tmp_path / "demo.db"), output_dir=tmp_path / "chosen")
    chosen.keep_demo_files_in(tmp_path / "demo-files")
    assert chosen.resolved_output_dir == tmp_path / "chosen"
    settings.keep_demo_files_in(None)  # another database, not a demo: the data folder again
    assert settings.resolved_output_dir == data_dir() / "output"


@pytest.mark.slow
def test_the_demo_command_says_where_its_files_go(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRANSITION_OUTPUT_DIR")
    target = tmp_path / "try" / "demo.db"
    result = run_cli("demo", "--no-tui", "--path", target)
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    own = tmp_path / "try" / "demo-files"
    assert f"Its letters and reports go to {own / 'output'}" in said
    assert f"an export's pseudonym key is its own ({own / KEY_FILE})" in said
    again = run_cli("demo", "--no-tui", "--path", target, "--json")
    assert again.json()["files"] == str(own)
