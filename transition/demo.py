"""The demo database: the shipped synthetic sample, imported, assessed and planned, in its own file.

``transition demo`` (and ``make demo``) build it so that a new user can open the app on 784
invented people without touching their real database. The demo is assessed and planned as of
the day the sample was exported (unless settings fix another date), so its story (who is at
risk, who cannot be placed and why) is the same whatever day it is built.

A demo database is marked as one by an audit event (``demo.build``) written when it is built:
the audit trail is never updated or deleted, travels with the file (a copy of the demo is
still a demo) and says who built it and when. Letters may carry the invented example council
details only there (:func:`is_demo_database`; ``transition.letters.check_council_details``).

What a command or screen writes on a demo database by default (letters, reports, exports'
pseudonym key, rejects files) goes to the demo's own folder beside it
(:func:`demo_files_dir`), never the data folder the real database's files use
(:func:`use_demo_files`).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from transition.assessment import refresh_assessments
from transition.audit import Change, record
from transition.config import Settings, data_dir
from transition.db import SQLITE_COMPANIONS, Database, sqlite_file
from transition.errors import TransitionError
from transition.generator import DEFAULT_REFERENCE_DATE, generate
from transition.importer import ImportOptions, ImportResult, import_file, what_the_rules_read
from transition.models import AuditEvent
from transition.plan_review import accept_plan
from transition.planning import propose_plan
from transition.programme import set_transfer_date
from transition.ruleset import Rules
from transition.tasks import generate_tasks

DEMO_TRANSFER_DATE = date(2027, 4, 1)
DEMO_AS_OF = DEFAULT_REFERENCE_DATE  # the day the trust "exported" the sample caseload
SAMPLE_FILES = ("staff.csv", "trust_caseload.csv")
DEMO_BUILT = "demo.build"  # the audit action that marks a database built by `transition demo`

Step = Callable[[str], None]


@dataclass
class DemoResult:
    path: Path
    sample_dir: str
    as_of: date = DEMO_AS_OF
    imports: list[ImportResult] = field(default_factory=list)
    people: int = 0
    pathways: dict[str, int] = field(default_factory=dict)
    bands: dict[str, int] = field(default_factory=dict)
    plan: dict[str, int] = field(default_factory=dict)
    accepted: bool = False
    tasks: dict[str, int] = field(default_factory=dict)


def default_demo_path() -> Path:
    return data_dir() / "demo.db"


DEMO_FILES_SUFFIX = "-files"


def demo_files_dir(database_url: str) -> Path:
    """The demo database's own folder for what is written on it by default: its output
    folder (letters, reports), rejects files and its own pseudonym key. ``<name>-files``
    beside a demo SQLite file (``demo-files`` beside ``demo.db``): the default demo lives in
    the data folder, so ``output`` and ``pseudonym.key`` beside it would be the real ones. A
    demo copied into a server database gets ``demo-files`` in the data folder."""
    path = sqlite_file(database_url)
    if path is None:
        return data_dir() / f"demo{DEMO_FILES_SUFFIX}"
    path = path.expanduser().resolve()
    return path.parent / f"{path.stem}{DEMO_FILES_SUFFIX}"


def use_demo_files(settings: Settings, session: Session) -> bool:
    """Whether the database ``session`` reads is a demo; if so, point ``settings``' default
    folders (:attr:`Settings.resolved_output_dir`, :attr:`Settings.pseudonym_key_dir`,
    rejects files) at its own folder (:func:`demo_files_dir`), else at the data folder."""
    demo = is_demo_database(session)
    settings.keep_demo_files_in(
        demo_files_dir(settings.resolved_database_url) if demo else None)
    return demo


def shipped_sample_dir() -> Path | None:
    """``sample_data/`` beside the package (a source checkout or editable install), if present."""
    candidate = Path(__file__).resolve().parent.parent / "sample_data"
    return candidate if all((candidate / name).is_file() for name in SAMPLE_FILES) else None


def is_demo_database(session: Session) -> bool:
    """Whether this database was built by :func:`build_demo` (its ``demo.build`` audit event)."""
    return session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == DEMO_BUILT).limit(1)
    ) is not None


def remove_sqlite_files(path: Path) -> None:
    for suffix in ("", *SQLITE_COMPANIONS):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


SQLITE_HEADER = b"SQLite format 3\x00"


def is_demo_file(path: Path) -> bool:
    """Whether the file at ``path`` is a demo database, read without changing it (read-only):
    False for anything else (another database, a damaged one, any other file)."""
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return False
    except OSError:  # unreadable: it cannot be shown to be a demo
        return False
    # With no write-ahead log the whole database is in the file: read it as immutable, so that
    # not even the empty -wal and -shm files a read-only reader makes appear beside it.
    wal = Path(f"{path}-wal")
    quiet = "" if wal.is_file() and wal.stat().st_size > 0 else "&immutable=1"
    uri = f"{path.resolve().as_uri()}?mode=ro{quiet}"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    try:
        with Session(engine) as session:
            return is_demo_database(session)
    except SQLAlchemyError:  # not transition's, or damaged: not a demo to replace
        return False
    finally:
        engine.dispose()


def check_demo_target(path: Path, settings: Settings) -> None:
    """Refuse to build the demo over anything but an earlier demo: the configured database,
    a folder, or a file (database or not) that was not made by ``transition demo`` (the
    default demo file, :func:`default_demo_path`, is always the demo's own)."""
    real = sqlite_file(settings.resolved_database_url)
    if real is not None and path.expanduser().resolve() == real.resolve():
        raise TransitionError(
            f"The demo database would overwrite your real database at {path}. Nothing was changed.",
            hint="Give the demo another file with --path.",
        )
    if path.is_dir():
        raise TransitionError(f"{path} is a folder, not a file for the demo database. Nothing "
                              "was changed.", hint="Give --path a file name, e.g. demo.db.")
    files = [Path(f"{path}{suffix}") for suffix in ("", *SQLITE_COMPANIONS)]
    if not any(file.is_file() and file.stat().st_size > 0 for file in files):
        return  # nothing there yet (or an empty file): nothing to lose
    # The default demo file is the tool's own: a demo built there before demos were marked
    # (demo.build) is rebuilt as any demo is, so `make demo` keeps working after an upgrade.
    own = path.expanduser().resolve() == default_demo_path().resolve()
    if not path.is_file() or not (own or is_demo_file(path)):
        raise TransitionError(
            f"{path} already exists and is not a demo database, so the demo was not built "
            "there. Nothing was changed.",
            hint="Give the demo a new file with --path (only a demo database is ever "
            "rebuilt). Delete that file yourself only if you are sure nobody needs it.",
        )


def build_demo(
    path: Path, *, settings: Settings, rules: Rules, step: Step | None = None,
    accept: bool = False,
) -> DemoResult:
    """(Re)build the demo database at ``path`` from the shipped sample (or a fresh copy of it).

    Refused, with nothing changed, if ``path`` is the configured database or holds anything
    but an earlier demo database (:func:`check_demo_target`).

    With ``accept`` the draft plan is also accepted and the handover tasks generated: a
    programme already under way, so the task and letter screens have something to show.
    """
    check_demo_target(path, settings)
    say = step or (lambda _message: None)
    sample = shipped_sample_dir()
    with tempfile.TemporaryDirectory(prefix="transition-demo-") as scratch:
        if sample is None:
            say("Generating the synthetic sample (no sample_data folder beside the package)")
            generate(Path(scratch), messy=True)
            sample = Path(scratch)
        remove_sqlite_files(path)
        database = Database(f"sqlite:///{path}")
        try:
            database.migrate()
            today = settings.as_of or DEMO_AS_OF
            result = DemoResult(path=path, sample_dir=str(sample), as_of=today)
            with database.transaction() as session:
                record(session, Change(
                    action=DEMO_BUILT, entity="database", after={"sample": "synthetic"},
                    reason="built by `transition demo` from the synthetic sample: invented "
                    "people, and letters may carry the example council details",
                ), actor=settings.actor)
            for kind, name in (("staff", "staff.csv"), ("caseload", "trust_caseload.csv")):
                say(f"Importing {name}")
                with database.transaction() as session:
                    result.imports.append(
                        import_file(session, sample / name, kind, ImportOptions(
                            **what_the_rules_read(lambda: rules, kind)),
                            actor=settings.actor, today=today)
                    )
            say("Setting the transfer date and deciding pathways and handover risk")
            with database.transaction() as session:
                set_transfer_date(session, DEMO_TRANSFER_DATE, actor=settings.actor)
                summary = refresh_assessments(session, rules, as_of=today, actor=settings.actor)
            result.people = summary.people
            result.pathways = summary.pathways
            result.bands = summary.bands
            say("Proposing a draft plan of new care coordinators")
            with database.transaction() as session:
                plan = propose_plan(session, rules, as_of=today, actor=settings.actor)
            result.plan = {"assigned": plan.assigned, "unassigned": plan.unassigned,
                           "kept_with_current": plan.kept_with_current}
            if accept:
                say("Accepting the plan and generating the handover tasks")
                with database.transaction() as session:
                    accept_plan(session, rules, actor=settings.actor)
                    tasks = generate_tasks(session, rules, as_of=today, actor=settings.actor,
                                           transfer_date=DEMO_TRANSFER_DATE)
                result.accepted = True
                result.tasks = {"people": tasks.people, "created": tasks.created,
                                "open": tasks.open, "overdue": tasks.overdue}
            return result
        finally:
            database.dispose()
