"""Run the transition CLI, and stop dead once it has written to one table (for kill tests).

Usage: python kill_runner.py FD TABLE ARGS...: after the first INSERT, UPDATE or COPY on
TABLE reaches the database (inside the command's open transaction), write "writing" to file
descriptor FD and wait to be killed. The test then kills this process with SIGKILL (or stops it
with SIGINT, a Ctrl-C), so the stop lands mid-run at a known point, without timing guesses.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

fd, table, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pattern = re.compile(rf'^\s*(INSERT\s+INTO|UPDATE|COPY)\s+"?{re.escape(table)}"?[\s(]',
                     re.IGNORECASE)


def _stop_if_written(statement: str) -> None:
    if pattern.match(statement):
        # Ctrl-C (SIGINT) is held back until sigwait takes it here. Left to Python's handler,
        # it could land between two bytecodes of a finaliser or collector callback, where the
        # KeyboardInterrupt is swallowed (an "unraisable" exception), and the wait below would
        # then last for ever: the test timed out once in a full CI run.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        os.write(fd, b"writing\n")
        os.close(fd)
        signal.sigwait({signal.SIGINT})  # with the transaction open; SIGKILL ends it here
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        raise KeyboardInterrupt  # what Python's handler raises for a Ctrl-C


@event.listens_for(Engine, "after_cursor_execute")
def _stop_when_written(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    _stop_if_written(statement)


try:  # PostgreSQL's bulk writes go by COPY (transition.bulk.copy_rows), outside those events
    import psycopg
except ImportError:
    pass
else:
    _copy = psycopg.Cursor.copy

    @contextmanager
    def _copy_then_stop(self: Any, statement: Any, *more: Any, **named: Any) -> Iterator[Any]:
        with _copy(self, statement, *more, **named) as copy:
            yield copy
        _stop_if_written(str(statement))

    psycopg.Cursor.copy = _copy_then_stop  # type: ignore[assignment,method-assign]


from transition.cli import main

main(args)
