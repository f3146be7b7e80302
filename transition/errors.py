"""Errors a person can act on.

Every failure the tool expects is a :class:`TransitionError` carrying a message that says what
was wrong, where, and what to do, and the exit status the CLI should return. Messages never
carry personal data: identify people by masked NHS number (:func:`transition.nhs.mask`) or
by row number, never by name.
"""

from __future__ import annotations

# Exit statuses shared by every command (documented in the README).
EXIT_OK = 0
EXIT_PARTIAL = 1  # the command ran, but something needs attention (rejected rows, findings)
EXIT_FAILED = 2  # nothing was done: bad input, bad arguments, unusable database


class TransitionError(Exception):
    """An expected failure with a message for the person at the terminal."""

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str, *, exit_code: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class InputFileError(TransitionError):
    """A file given to the tool cannot be used at all (nothing was written)."""


class RulesError(TransitionError):
    """The rules file is not valid (nothing was changed)."""


class DatabaseError(TransitionError):
    """The database cannot be used: missing, locked, too new, or damaged."""


class NotFoundError(TransitionError):
    """A person, worker, task or plan named on the command line does not exist."""

    exit_code = EXIT_PARTIAL


class ConflictError(TransitionError):
    """Someone else changed the record since it was read (optimistic concurrency)."""

    exit_code = EXIT_PARTIAL
