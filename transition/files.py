"""Files the tool writes: owner-only, inside the folder they were meant for, safe in Excel.

Rejects CSVs, reports, exports and letters hold personal data, so they are created readable by
their owner only (files 0600, folders 0700), and CSV cells that a spreadsheet would run as a
formula are neutralised (CSV injection: cells starting ``=``, ``+``, ``-``, ``@``, tab or CR).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from transition.errors import TransitionError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The files SQLite keeps beside a database while it is open (write-ahead log, shared memory,
# rollback journal): writing over one damages the database as surely as over the file itself.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def refuse_database_file(path: Path, database: Path | None, *, option: str) -> None:
    """Refuse to write ``path`` (named by the person, with ``option``: ``--report``, ...) when
    it is the SQLite ``database`` file or one of its :data:`SQLITE_COMPANIONS`: a report
    written there would replace the database, or corrupt it, while it is in use. Called by
    every command that writes a file the person names, before anything is done."""
    if database is None:  # PostgreSQL, or in memory: no file to protect
        return
    target = path.expanduser()
    for companion in ("", *SQLITE_COMPANIONS):
        protected = database.expanduser().with_name(database.expanduser().name + companion)
        if not _same_file(target, protected):
            continue
        what = "the database itself" if not companion else (
            f"the {companion.lstrip('-')} file SQLite keeps beside the database")
        raise TransitionError(
            f"{option} {path}: that is {what} ({database.name}), so writing there would "
            "overwrite the database. Nothing was written.",
            hint="Give a file name of its own (a reports folder is a good place); the "
            f"database and its {', '.join(SQLITE_COMPANIONS)} files are never written over.")


def _same_file(one: Path, other: Path) -> bool:
    """Whether two paths name one file: the same path once links and ``..`` are resolved, or
    (both existing) the same file on disk (a hard link, or another case of the name on a
    case-insensitive disk)."""
    if one.resolve() == other.resolve():
        return True
    try:
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) owner-only; an existing folder is left as it is."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700)
        os.chmod(folder, 0o700)
    return path


def private_temporary(path: Path, suffix: str = ".tmp") -> tuple[int, Path]:
    """A new, empty, owner-only (0600) file beside ``path`` to be renamed over it once
    written: ``(descriptor, its path)``. Its name is random and it is created exclusively
    (``mkstemp``), so a link planted at a guessable name in a shared folder is never
    followed and the data cannot be diverted into someone else's file."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.fchmod(fd, 0o600)
    return fd, Path(name)


def write_private_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` owner-only (0600), replacing any file atomically.

    The data goes first to a new file of a random name beside ``path`` (``mkstemp``: created
    0600 and exclusively, so a link planted in a shared folder cannot divert it), then is
    renamed over ``path``."""
    if not path.name or path.name in (".", ".."):
        raise TransitionError(f"'{path}' is not a file's name: nothing was written.",
                              hint="Give a file's path, e.g. reports/check.md.")
    private_dir(path.parent)
    fd, temporary = private_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_private_text(path: Path, text: str) -> Path:
    return write_private_bytes(path, text.encode("utf-8"))


def neutralise_cell(value: Any) -> Any:
    """A cell value a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV (UTF-8, with a BOM so Excel reads accents) with every cell neutralised."""
    import io

    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise_cell(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise_cell(cell) for cell in row])
    return buffer.getvalue()


def write_private_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    return write_private_text(path, csv_text(header, rows))


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would land outside ``folder``."""
    base = folder.resolve()
    target = (base / name).resolve()
    if target == base or base not in target.parents:
        raise TransitionError(
            f"Refusing to write outside the output folder {folder} (a file name was unsafe)."
        )
    return target
