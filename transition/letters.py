"""Handover letters: to each person, their GP and their carer, in the format each needs.

This module renders and writes them; :mod:`transition.letter_plan` says who needs which,
:mod:`transition.letter_records` what has been written and what is out of date,
:mod:`transition.letter_facts` what a letter states (:mod:`transition.letter_context`: as its
template sees it), :mod:`transition.letter_templates` the templates,
:mod:`transition.letter_formats` the files. See ``docs/letters.md``.

Generating (:func:`generate_letters`) renders every letter first, so a broken template stops
the run before any file is written; then writes each file owner-only under the output folder,
records a ``Letter`` row, audits ``letter.generate``, supersedes older versions and marks the
letter task done. Re-running writes nothing unless a letter's content changed. A letter whose
facts changed after it was written (a new worker, a new date or address) is out of date
(:func:`out_of_date_letters`) until it is generated again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import Session

from transition import files
from transition.audit import Change, record_many
from transition.config import CouncilDetails
from transition.demo import is_demo_database
from transition.errors import TransitionError
from transition.letter_council import (
    COUNCIL_AUDIT_ACTION,
    council_after,
    council_staleness,
    recorded_details,
)
from transition.letter_facts import PersonFacts, load_facts
from transition.letter_formats import (
    EXTENSIONS,
    STANDARD,
    RenderedLetter,
    UnprintableCharacters,
    letter_bytes,
)
from transition.letter_plan import (  # re-exported: the letters API in one place
    DEFAULT_FORMAT,
    FORMATS,
    KINDS,
    TASK_FOR_KIND,
    LetterNeed,
    PlannedLetter,
    kind_not_applicable,
    letters_needed,
    not_applicable,
    person_problem,
    plan_letters,
)
from transition.letter_records import (  # re-exported
    LetterRecord,
    OutOfDateLetter,
    current_letters,
    facts_changed,
    facts_hash,
    letter_history,
    out_of_date_letters,
)
from transition.letter_render import content_hash, render_letter
from transition.letter_template_check import TemplateWarning
from transition.letter_templates import LetterTemplates
from transition.locks import lock_tables
from transition.models import Letter, LetterFormat, utcnow
from transition.tasks import mark_tasks_done

__all__ = [
    "DEFAULT_FORMAT", "FORMATS", "KINDS", "GenerationResult", "LetterNeed", "LetterOutcome",
    "LetterPreview", "LetterRecord", "OutOfDateLetter", "check_council_details",
    "example_council_warning", "generate_letters", "letter_history", "letters_needed",
    "out_of_date_letters", "plan_letters", "preview_letter", "render_planned",
]

Progress = Callable[[int, int], None]



# ---------------------------------------------------------------------------------------------
# The council's details
# ---------------------------------------------------------------------------------------------


def example_council_warning(council: CouncilDetails) -> str | None:
    """What a preview must say when it shows the invented example council details, or None."""
    if not council.example_keys():
        return None
    return "the council details shown are invented examples, not your council's"


def check_council_details(session: Session, council: CouncilDetails, *,
                          settings_file: Path) -> None:
    """Refuse to write letters that carry the invented example council details.

    A person in crisis could be given a number that is not their council's. Allowed only on a
    database built by ``transition demo`` (:func:`transition.demo.is_demo_database`).
    """
    keys = council.example_keys()
    if not keys or is_demo_database(session):
        return
    raise TransitionError(
        "Letters cannot be written with the built-in example council details: they are "
        "invented, and a person in crisis could be given a wrong number. Still the example: "
        f"{', '.join(keys)}. No letters were written.",
        hint=f"Set your council's own under [council] in {settings_file} (keys: "
        f"{', '.join(keys)}), or as environment variables TRANSITION_COUNCIL__<KEY> (e.g. "
        "TRANSITION_COUNCIL__CRISIS_LINE); see docs/letters.md.",
    )


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def render_planned(
    item: PlannedLetter, *, templates: LetterTemplates, council: CouncilDetails, dated: date
) -> RenderedLetter:
    """Fill in one letter's template (no file is written)."""
    return render_letter(item.facts, item.kind, template=item.template, style=item.style,
                         fmt=item.format, templates=templates, council=council, dated=dated)


@dataclass(frozen=True, slots=True)
class LetterPreview:
    """A letter as it will read, for a screen: nothing is written or recorded."""

    person_id: int
    nhs_number: str
    kind: str
    format: str
    style: str
    template: str
    text: str | None  # Markdown / plain text; None when there is nothing to render
    html: str | None
    skip_reason: str | None
    note: str | None
    # Set when the letter shows the invented example council details (say so plainly).
    example_council: str | None = None
    # The council's templates written for an older version (transition.letter_template_check).
    template_warnings: tuple[TemplateWarning, ...] = ()


def preview_letter(
    session: Session,
    person_id: int,
    kind: str,
    *,
    council: CouncilDetails,
    as_of: date,
    fmt: str | None = None,
    default_format: str = DEFAULT_FORMAT.value,
    templates: LetterTemplates | None = None,
) -> LetterPreview:
    """Render one person's letter of ``kind`` to text without writing a file.

    A letter that would be skipped (braille, no address) is still rendered where its facts allow
    (the text helps the team prepare a braille or BSL version); ``skip_reason`` says why it would
    not be sent. ``text`` is None when the kind does not apply to the person at all.
    """
    templates = templates or LetterTemplates()
    planned = plan_letters(session, person_ids=[person_id], kinds=[kind], fmt=fmt,
                           default_format=default_format, templates=templates, as_of=as_of)
    if not planned:
        facts = load_facts(session, [person_id], as_of=as_of).get(person_id)
        if facts is None:
            raise TransitionError(f"No person with id {person_id} is on the caseload.")
        why = (person_problem(facts) or kind_not_applicable(facts, kind)
               or f"a {kind} letter does not apply to this person")
        return LetterPreview(person_id, facts.nhs_number, kind, fmt or default_format,
                             STANDARD.name, "", None, None, why, None,
                             example_council_warning(council), templates.outdated)
    item = planned[0]
    renderable = person_problem(item.facts) is None
    rendered = (render_planned(item, templates=templates, council=council, dated=as_of)
                if renderable else None)
    return LetterPreview(
        person_id=person_id, nhs_number=item.facts.nhs_number, kind=kind, format=item.format,
        style=item.style.name, template=item.template.label,
        text=rendered.text if rendered else None, html=rendered.html if rendered else None,
        skip_reason=item.skip_reason, note=item.note,
        example_council=example_council_warning(council),
        template_warnings=templates.outdated,
    )


# ---------------------------------------------------------------------------------------------
# Generating
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LetterOutcome:
    """What happened to one letter in a run."""

    person_id: int
    nhs_number: str
    kind: str
    status: str  # written | unchanged | skipped
    format: str
    template: str
    path: str | None = None
    sha256: str | None = None
    reason: str | None = None
    note: str | None = None
    letter_id: int | None = None
    # Written again in place of a letter that says the same about the person (its facts and
    # workers unchanged): only the wording (a new template) or the council's details changed.
    reworded: bool = False
    # Skipped for a settled reason (PlannedLetter.settled): reported, but no failure.
    settled: bool = False
    # Written (or unchanged) but its letter task left open: why (PlannedLetter.task_open).
    task_open: str | None = None


@dataclass
class GenerationResult:
    out_dir: Path
    outcomes: list[LetterOutcome] = field(default_factory=list)
    superseded: int = 0
    tasks_done: int = 0
    # Letters written (or already current) whose task someone has marked blocked: the task is
    # left blocked, its reason kept (a manager's block is never overridden by writing letters).
    tasks_blocked: list[LetterOutcome] = field(default_factory=list)
    # The council's templates written for an older version (transition.letter_template_check):
    # the letters are written, and the command says what to change.
    template_warnings: tuple[TemplateWarning, ...] = ()

    def _with(self, status: str) -> list[LetterOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def written(self) -> list[LetterOutcome]:
        return self._with("written")

    @property
    def unchanged(self) -> list[LetterOutcome]:
        return self._with("unchanged")

    @property
    def skipped(self) -> list[LetterOutcome]:
        return self._with("skipped")

    @property
    def tasks_left_open(self) -> list[LetterOutcome]:
        """Letters written (or current) whose task stays open: the person needs a translation
        or a recording made from it (task accessible_communication)."""
        return [outcome for outcome in self.outcomes
                if outcome.status in ("written", "unchanged") and outcome.task_open]

    @property
    def not_written(self) -> list[LetterOutcome]:
        """The skipped letters that are failures: someone must act before they can be written
        (``letters generate`` exits 1). A settled skip (carer consent no, braille or BSL made
        by the team) is not one."""
        return [outcome for outcome in self.skipped if not outcome.settled]

    @property
    def reworded(self) -> list[LetterOutcome]:
        """Letters written in place of ones that say the same about the person: a team that
        posted those may not need to post these (it decides; the facts have not changed)."""
        return [outcome for outcome in self.written if outcome.reworded]

    def remove_written_files(self) -> None:
        """Delete the files this run wrote (when its transaction could not be committed)."""
        _remove(Path(o.path) for o in self.written if o.path)

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` document: counts, the letters written, and what was skipped and why."""
        return {
            "written": len(self.written),
            "reworded": len(self.reworded),
            "unchanged": len(self.unchanged),
            "superseded": self.superseded,
            "tasks_done": self.tasks_done,
            "tasks_blocked": len(self.tasks_blocked),
            "tasks_left_open": [
                {"nhs_number": o.nhs_number, "kind": o.kind, "task": TASK_FOR_KIND[o.kind],
                 "reason": o.task_open}
                for o in self.tasks_left_open
            ],
            "out_dir": str(self.out_dir),
            "letters": [
                {"nhs_number": o.nhs_number, "kind": o.kind, "format": o.format, "path": o.path,
                 "sha256": o.sha256, "template": o.template, "note": o.note,
                 "reworded": o.reworded}
                for o in self.written
            ],
            "skipped": [
                {"nhs_number": o.nhs_number, "kind": o.kind, "reason": o.reason}
                for o in self.skipped
            ],
            # How many of the skipped need someone to act (exit status 1); the rest are settled
            # (carer consent no; braille or BSL, which the team makes).
            "skipped_needing_action": len(self.not_written),
            "blocked": [
                {"nhs_number": o.nhs_number, "kind": o.kind, "task": TASK_FOR_KIND[o.kind]}
                for o in self.tasks_blocked
            ],
            "template_warnings": [warning.as_json() for warning in self.template_warnings],
        }


@dataclass
class _ToWrite:
    item: PlannedLetter
    rendered: RenderedLetter
    dated: date
    content_sha256: str
    replaces: list[Letter]
    reworded: bool = False  # replaces a letter of the same format with the same facts


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9]+")


def file_stem(facts: PersonFacts, kind: str) -> str:
    """``<local id>-<kind>`` made safe for a file name (never a name, never a path)."""
    reference = _UNSAFE_NAME.sub("-", facts.local_id).strip("-")[:40]
    return f"{reference or f'person-{facts.person_id}'}-{kind}"


def _free_path(out_dir: Path, stem: str, ext: str, taken: set[str]) -> Path:
    """The first ``stem[-N].ext`` not on disk, not recorded, not used in this run."""
    counter = 1
    while True:
        name = f"{stem}.{ext}" if counter == 1 else f"{stem}-{counter}.{ext}"
        path = files.inside(out_dir, name)
        if str(path) not in taken and not path.exists():
            taken.add(str(path))
            return path
        counter += 1


def generate_letters(
    session: Session,
    *,
    council: CouncilDetails,
    out_dir: Path,
    as_of: date,
    actor: str,
    person_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    fmt: str | None = None,
    default_format: str = DEFAULT_FORMAT.value,
    templates_dir: Path | None = None,
    progress: Progress | None = None,
) -> GenerationResult:
    """Write every letter due (or the named people's), record, audit and mark tasks done.

    All letters are rendered before any file is written: a template error raises
    :class:`~transition.letter_templates.LetterTemplateError` and nothing is written. If writing
    or recording them fails part-way, the files this run wrote are removed before the error is
    raised.

    One run at a time: on PostgreSQL two runs would each read the letters as they were and
    both write (and record) every letter. The letter table is locked against other writers
    before anything is read, so a second run waits for the first to commit, then finds its
    letters current. (SQLite's write lock, taken at the transaction's start, already does.)
    """
    lock_tables(session, ("letter",), "SHARE ROW EXCLUSIVE")
    person_ids = None if person_ids is None else list(person_ids)  # read more than once
    kinds = None if kinds is None else list(kinds)
    templates = LetterTemplates(templates_dir)
    planned = plan_letters(session, person_ids=person_ids, kinds=kinds, fmt=fmt,
                           default_format=default_format, templates=templates, as_of=as_of)
    result = GenerationResult(out_dir=out_dir, template_warnings=templates.outdated)
    if person_ids is not None and kinds:
        # Named people and kinds: a letter asked for that does not apply is said, not dropped.
        for facts, kind, why in not_applicable(session, planned, person_ids, kinds):
            result.outcomes.append(LetterOutcome(
                person_id=facts.person_id, nhs_number=facts.nhs_number, kind=kind,
                status="skipped", format=fmt or default_format, template="", reason=why))
    current = current_letters(session, {item.person_id for item in planned})
    recorded = recorded_details(session, (row for rows in current.values() for row in rows))

    # 1. Render everything (a broken template stops the run here, before any file exists).
    to_write: list[_ToWrite] = []
    still_true: list[tuple[Letter, PlannedLetter]] = []
    # Unchanged letters written before the council details they print were kept: they print
    # today's, so those are recorded now (transition.letter_council).
    details_found: list[tuple[Letter, frozenset[str]]] = []
    for item in planned:
        if item.skip_reason:
            result.outcomes.append(_outcome(item, "skipped", reason=item.skip_reason,
                                            settled=item.settled))
            continue
        rows = current.get((item.person_id, item.kind), [])
        same_format = [row for row in rows if row.format == item.format]
        latest = same_format[-1] if same_format else None
        on_disk = latest is not None and Path(latest.path).is_file()
        if latest is not None and latest.dated is not None and on_disk:
            again = render_planned(item, templates=templates, council=council, dated=latest.dated)
            if content_hash(again) == latest.content_sha256:
                result.outcomes.append(_outcome(item, "unchanged", path=latest.path,
                                                sha256=latest.sha256, letter_id=latest.id))
                if _facts_recorded_differ(latest, item):
                    still_true.append((latest, item))
                if latest.id not in recorded:
                    details_found.append((latest, again.council_printed))
                continue
        rendered = render_planned(item, templates=templates, council=council, dated=as_of)
        replaces = [row for row in rows if row.format == item.format
                    or facts_changed(row.facts_hash, item.facts, item.kind) is not None]
        if others := [row for row in rows if row not in replaces]:
            # A copy in another format that prints council details since corrected (an old
            # crisis line) is replaced by this one too.
            stale = council_staleness(session, [(row, item.facts) for row in others],
                                      council=council, templates=templates, recorded=recorded)
            replaces += [row for row in others if row.id in stale]
        # The words differ but not what they say about the person: a new template or new
        # council details (its file still there: a lost file is written again, not reworded).
        reworded = (latest is not None and on_disk
                    and not _facts_recorded_differ(latest, item))
        to_write.append(_ToWrite(item, rendered, as_of, content_hash(rendered), replaces,
                                 reworded))

    # 2. Write the files (owner-only, inside the output folder, never over an existing file).
    written_rows = _write_files(session, to_write, result, out_dir=out_dir, as_of=as_of,
                                council=council, progress=progress)

    # 3. Record, supersede, audit and mark the letter tasks done. If that fails (or is
    # interrupted), the files just written would be on disk with no record: remove them.
    now = utcnow()
    try:
        _record(session, written_rows, result, council=council, actor=actor, now=now)
        _record_still_true(session, still_true, actor=actor, now=now)
        _record_council_details(session, details_found, council=council, actor=actor, now=now)
        done_pairs = {(o.person_id, TASK_FOR_KIND[o.kind]) for o in result.outcomes
                      if o.status in ("written", "unchanged") and not o.task_open}
        marked = mark_tasks_done(session, done_pairs, actor=actor, reason="letter generated")
    except BaseException:
        _remove(path for _, path, _ in written_rows)
        raise
    result.tasks_done = marked.done
    order: dict[int, int] = {}
    for person_id in [item.person_id for item in planned] + sorted(person_ids or []):
        order.setdefault(person_id, len(order))
    result.outcomes.sort(key=lambda o: (order.get(o.person_id, 0), KINDS.index(o.kind)))
    blocked = set(marked.blocked)
    result.tasks_blocked = [o for o in result.outcomes if o.status in ("written", "unchanged")
                            and (o.person_id, TASK_FOR_KIND[o.kind]) in blocked]
    return result


def _outcome(item: PlannedLetter, status: str, **values: Any) -> LetterOutcome:
    return LetterOutcome(person_id=item.person_id, nhs_number=item.facts.nhs_number,
                         kind=item.kind, status=status, format=item.format,
                         template=item.template.label, note=item.note,
                         task_open=None if status == "skipped" else item.task_open, **values)


def _write_files(
    session: Session,
    to_write: Sequence[_ToWrite],
    result: GenerationResult,
    *,
    out_dir: Path,
    as_of: date,
    council: CouncilDetails,
    progress: Progress | None,
) -> list[tuple[_ToWrite, Path, str]]:
    if not to_write:
        return []
    if out_dir.exists() and not out_dir.is_dir():
        raise TransitionError(f"The letters folder {out_dir} is a file, not a folder.",
                              hint="Choose another folder with --out.")
    taken = set(session.scalars(select(Letter.path)).all())
    written: list[tuple[_ToWrite, Path, str]] = []
    try:
        files.private_dir(out_dir)
        for done, job in enumerate(to_write, start=1):
            try:
                data = letter_bytes(job.rendered, job.item.format, dated=job.dated,
                                    author=council.name)
            except UnprintableCharacters as exc:
                result.outcomes.append(_outcome(
                    job.item, "skipped",
                    reason=f"has characters the PDF font cannot show ({', '.join(exc.characters[:5])}):"
                    " use --format docx or html for this letter",
                ))
            else:
                ext = EXTENSIONS[LetterFormat(job.item.format)]
                path = _free_path(out_dir, file_stem(job.item.facts, job.item.kind), ext, taken)
                files.write_private_bytes(path, data)
                written.append((job, path, hashlib.sha256(data).hexdigest()))
            if progress is not None:
                progress(done, len(to_write))
    except OSError as exc:
        _remove([path for _, path, _ in written])
        raise TransitionError(
            f"Could not write letters to {out_dir}: {exc.strerror or type(exc).__name__}. "
            "No letters were recorded and the files written in this run were removed.",
            hint="Check the folder exists, is yours and has space, or choose another with --out.",
        ) from None
    except BaseException:
        _remove([path for _, path, _ in written])
        raise
    return written


def _facts_recorded_differ(letter: Letter, item: PlannedLetter) -> bool:
    """Whether a letter that would be written again word for word is recorded with facts (or
    workers) other than today's: it still tells the truth, so its record is brought up to date
    rather than it being flagged out of date for ever."""
    return (sorted(letter.staff_ids or []) != item.facts.staff_ids
            or facts_changed(letter.facts_hash, item.facts, item.kind) is not None)


def _record_still_true(
    session: Session, letters: Sequence[tuple[Letter, PlannedLetter]], *, actor: str,
    now: datetime,
) -> None:
    changes: list[Change] = []
    for letter, item in letters:
        assert letter.id is not None
        after = {"facts_hash": facts_hash(item.facts, item.kind),
                 "staff_ids": item.facts.staff_ids}
        session.execute(update(Letter).where(Letter.id == letter.id).values(**after))  # type: ignore[arg-type]
        changes.append(Change(
            action="letter.facts", entity="letter", entity_key=str(letter.id),
            person_id=letter.person_id, field=letter.kind,
            before={"facts_hash": letter.facts_hash, "staff_ids": letter.staff_ids},
            after=after,
            reason="written again it would read word for word the same: still current",
        ))
    record_many(session, changes, actor=actor, at=now)


def _record_council_details(
    session: Session, letters: Sequence[tuple[Letter, frozenset[str]]], *,
    council: CouncilDetails, actor: str, now: datetime,
) -> None:
    record_many(session, [
        Change(action=COUNCIL_AUDIT_ACTION, entity="letter", entity_key=str(letter.id),
               person_id=letter.person_id, field=letter.kind,
               after=council_after(council, printed),
               reason="the council details it prints (written before they were kept; unchanged)")
        for letter, printed in letters
    ], actor=actor, at=now)


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _record(
    session: Session,
    written: Sequence[tuple[_ToWrite, Path, str]],
    result: GenerationResult,
    *,
    council: CouncilDetails,
    actor: str,
    now: datetime,
) -> None:
    if not written:
        return
    rows = [
        {
            "person_id": job.item.person_id,
            "kind": job.item.kind,
            "template": job.item.template.label,
            "format": job.item.format,
            "path": str(path),
            "sha256": sha256,
            "facts_hash": facts_hash(job.item.facts, job.item.kind),
            "staff_ids": job.item.facts.staff_ids,
            "generated_at": now,
            "generated_by": actor,
            "dated": job.dated,
            "content_sha256": job.content_sha256,
        }
        for job, path, sha256 in written
    ]
    ids = list(session.scalars(insert(Letter).returning(Letter.id, sort_by_parameter_order=True), rows))
    superseded: dict[int, tuple[Letter, int]] = {}
    changes: list[Change] = []
    for (job, path, sha256), letter_id in zip(written, ids, strict=True):
        result.outcomes.append(_outcome(job.item, "written", path=str(path), sha256=sha256,
                                        letter_id=letter_id, reworded=job.reworded))
        changes.append(Change(
            action="letter.generate", entity="letter", entity_key=str(letter_id),
            person_id=job.item.person_id, field=job.item.kind,
            after={"kind": job.item.kind, "format": job.item.format, "file": path.name,
                   "template": job.item.template.label, "sha256": sha256,
                   "staff_ids": job.item.facts.staff_ids, "style": job.item.style.name,
                   **council_after(council, job.rendered.council_printed)},
            reason=job.item.note,
        ))
        for old in job.replaces:
            assert old.id is not None
            superseded.setdefault(old.id, (old, letter_id))
    if superseded:
        session.execute(
            update(Letter)
            .where(Letter.id.in_(list(superseded)), Letter.superseded_at.is_(None))  # type: ignore[union-attr,attr-defined]
            .values(superseded_at=now)
        )
        for old_id, (old, new_id) in superseded.items():
            changes.append(Change(
                action="letter.supersede", entity="letter", entity_key=str(old_id),
                person_id=old.person_id, field=old.kind,
                before={"format": old.format, "file": Path(old.path).name, "sha256": old.sha256},
                after={"superseded_by": new_id}, reason="a newer letter was written",
            ))
    result.superseded = len(superseded)
    record_many(session, changes, actor=actor, at=now)
