"""Shared fixtures: a fresh database per test on every configured backend, settings, the CLI.

The suite runs against SQLite always and, when ``TRANSITION_TEST_DATABASE_URL`` points at a
PostgreSQL server, against PostgreSQL too: one fresh database for the whole run (dropped at the
end), emptied before each test.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from transition.config import Settings
from transition.db import Database, normalise_url

PG_SERVER_URL = os.environ.get("TRANSITION_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_SERVER_URL else [])

# The date the whole suite treats as today, unless a test says otherwise.
TODAY = date(2027, 1, 15)
ACTOR = "test-manager"


def pytest_configure(config: pytest.Config) -> None:
    """Start every test process without a terminal size of its own.

    pytest-xdist's workers inherit ``COLUMNS=80`` and ``LINES=24`` from execnet. The CLI's
    console is made when its module is first imported (while tests are collected) and keeps the
    width it finds then, and an app in a tmux pane would take its size from them instead of the
    pane's; a test process run without xdist has neither. Each test sets ``COLUMNS`` itself.
    """
    del config
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    # No animations in the app under test (read by Textual when it is first imported): a
    # scroll or a notice lands at once instead of over frames the test waits through, so the
    # screens are the same and the TUI tests take less time.
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never read or write the real user's settings, data directory or database."""
    for name in list(os.environ):
        if name.startswith("TRANSITION_") and name != "TRANSITION_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    # An empty settings file of the test's own (one that is named and missing is refused).
    settings_file = home / "no-settings.toml"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.touch()
    monkeypatch.setenv("TRANSITION_SETTINGS_FILE", str(settings_file))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A PostgreSQL database of this run's own, migrated once and dropped at the end."""
    assert PG_SERVER_URL is not None
    server = normalise_url(PG_SERVER_URL)
    name = f"transition_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    database.migrate()
    database.dispose()
    try:
        yield url
    finally:
        kept = _PG_ENGINES.pop(url, None)
        if kept is not None:
            kept.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_PG_ENGINES: dict[str, Engine] = {}


def _empty_postgres(url: str) -> None:
    """Empty this run's PostgreSQL database for the next test: the tables the last test wrote
    to, with every sequence back at 1, as a fresh database would have them.

    Only the tables that hold rows are truncated (one query finds them), since TRUNCATE costs
    a few milliseconds a table whether or not it has rows: all 30 took 0.09 s a test, about
    1,000 tests' worth of a minute and a half. The engine is kept for the run."""
    engine = _PG_ENGINES.get(url)
    if engine is None:
        engine = _PG_ENGINES[url] = create_engine(normalise_url(url), poolclass=StaticPool)
    with engine.begin() as connection:
        # Read each time: a test may leave the schema at another revision (a downgrade).
        tables = list(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version' ORDER BY tablename")).scalars())
        probe = " UNION ALL ".join(
            f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM \"{table}\")" for table in tables)
        used = list(connection.execute(text(probe)).scalars()) if tables else []
        if used:
            names = ", ".join(f'"{table}"' for table in used)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        # A sequence moves on even when its rows were rolled back or truncated by cascade.
        connection.execute(text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "transition.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        path.chmod(0o600)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        output_dir=tmp_path / "output",
        actor=ACTOR,
        as_of=TODAY,
        busy_timeout_seconds=2.0,
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database.from_settings(settings)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    """Settings on a SQLite file only (for TUI tests and SQLite-specific behaviour)."""
    path = tmp_path / "transition.db"
    shutil.copyfile(sqlite_template, path)
    path.chmod(0o600)
    return Settings(
        database_url=f"sqlite:///{path}",
        output_dir=tmp_path / "output",
        actor=ACTOR,
        as_of=TODAY,
        busy_timeout_seconds=2.0,
    )


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> RunCli:
    """Run ``transition ARGS`` in-process against the test database; never raises SystemExit."""
    from transition.cli import main

    monkeypatch.setenv("TRANSITION_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TRANSITION_ACTOR", settings.actor)
    monkeypatch.setenv("TRANSITION_AS_OF", settings.today().isoformat())
    monkeypatch.setenv("TRANSITION_OUTPUT_DIR", str(settings.resolved_output_dir))
    # A council's own details: letters are refused with the built-in example ones.
    from tests.letter_setup import use_test_council

    use_test_council(monkeypatch)

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = 0
        try:
            main([str(arg) for arg in args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None
