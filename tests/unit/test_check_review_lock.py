"""The check's lock on SQLite: a lock file the check cannot open (made by root the first time
the sysadmin tried `sudo transition check`, or a folder in its place) stops the check with a
message that names the file and what to do, exit status 2, rather than an unexplained error."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.check_world import RULES
from tests.conftest import ACTOR, TODAY
from transition.check_runs import lock_path, run_check, single_run
from transition.config import Settings
from transition.db import Database
from transition.errors import EXIT_FAILED, TransitionError


@pytest.fixture
def sqlite_database(sqlite_settings: Settings):  # type: ignore[no-untyped-def]
    database = Database.from_settings(sqlite_settings)
    yield database
    database.dispose()


def test_a_lock_file_that_cannot_be_opened_is_said_in_words(sqlite_database: Database,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    path = lock_path(sqlite_database)
    assert path is not None
    opened = os.open

    def refused(name: str | Path, flags: int, mode: int = 0o777) -> int:
        if Path(name) == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(name))
        return opened(name, flags, mode)

    monkeypatch.setattr(os, "open", refused)
    with pytest.raises(TransitionError) as raised:
        run_check(sqlite_database, RULES, as_of=TODAY, actor=ACTOR)
    error = raised.value
    assert error.exit_code == EXIT_FAILED
    assert str(path) in error.message and "Permission denied" in error.message
    assert error.hint is not None and "chown" in error.hint


def test_a_folder_where_the_lock_file_goes_is_said_in_words(sqlite_database: Database) -> None:
    path = lock_path(sqlite_database)
    assert path is not None
    path.mkdir()
    with pytest.raises(TransitionError) as raised, single_run(sqlite_database):
        pass
    assert str(path) in raised.value.message and raised.value.exit_code == EXIT_FAILED
