"""Handover letters: to each person, their GP and their carer, in the format each needs.

Who needs which letter (:func:`letters_needed`):
- everyone whose accepted allocation gives them a new worker
  (:func:`transition.allocation.worker_changes`) gets ``person``, ``gp`` and, where the trust
  recorded a carer, ``carer`` letters;
- everyone on the ``signpost`` pathway gets ``signpost``, ``gp`` and ``carer`` letters;
- a letter that cannot be sent is *skipped* with a reason a manager can act on (no address, no
  accepted worker, braille or BSL needed, ...).

The person's Accessible Information Standard need decides the letter to them: large print and
easy read change the type size (and the template, for easy read); braille and BSL mean no printed
letter (the team arranges it: task ``accessible_communication``); email gives HTML, audio gives
plain text to record. See ``docs/letters.md``.

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
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import Session

from transition import files
from transition.allocation import worker_changes
from transition.audit import Change, record_many
from transition.config import CouncilDetails
from transition.errors import TransitionError
from transition.letter_facts import (
    PersonFacts,
    date_in_words,
    facts_hash,
    load_facts,
    template_context,
)
from transition.letter_formats import (
    EASY_READ,
    EXTENSIONS,
    LARGE_PRINT,
    STANDARD,
    LetterStyle,
    RenderedLetter,
    UnprintableCharacters,
    letter_bytes,
)
from transition.letter_templates import LetterTemplates, TemplateChoice
from transition.models import (
    AccessibleFormat,
    Letter,
    LetterFormat,
    LetterKind,
    Pathway,
    Person,
    Task,
    TaskStatus,
    utcnow,
)

Progress = Callable[[int, int], None]

DEFAULT_FORMAT = LetterFormat.PDF
KINDS: tuple[str, ...] = tuple(kind.value for kind in LetterKind)
FORMATS: tuple[str, ...] = tuple(fmt.value for fmt in LetterFormat)
TO_THE_PERSON = (LetterKind.PERSON.value, LetterKind.SIGNPOST.value)
TASK_FOR_KIND = {
    LetterKind.PERSON.value: "letter_person",
    LetterKind.SIGNPOST.value: "letter_person",
    LetterKind.GP.value: "letter_gp",
    LetterKind.CARER.value: "letter_carer",
}
NO_PRINTED_LETTER = {
    AccessibleFormat.BRAILLE.value: "braille",
    AccessibleFormat.BSL.value: "BSL",
}


# ---------------------------------------------------------------------------------------------
# Who needs which letters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedLetter:
    """One letter one person should get (or why they cannot), before anything is rendered."""

    facts: PersonFacts
    kind: str
    format: str
    style: LetterStyle
    template: TemplateChoice
    skip_reason: str | None = None
    note: str | None = None

    @property
    def person_id(self) -> int:
        return self.facts.person_id


@dataclass(frozen=True, slots=True)
class LetterNeed:
    """A row of "who needs which letters": what is due, done, out of date or cannot be sent."""

    person_id: int
    nhs_number: str
    name: str
    kind: str
    status: str  # due | written | out_of_date | skipped
    format: str
    style: str
    template: str
    reason: str | None = None
    note: str | None = None
    letter_id: int | None = None


def default_targets(session: Session) -> list[int]:
    """People who need letters: a new worker in the accepted allocation, or signposted."""
    changed = {change.person_id for change in worker_changes(session)}
    signposted = session.scalars(
        select(Person.id).where(Person.pathway == Pathway.SIGNPOST.value)
    ).all()
    return sorted(changed | {person_id for person_id in signposted if person_id is not None})


def _person_problem(facts: PersonFacts) -> str | None:
    """Why no handover letter can be written for this person at all, or None."""
    if facts.pathway == Pathway.SIGNPOST:
        if facts.workers:
            return "the pathway is signpost but a worker is still allocated: check the plan"
        if facts.s117:
            return ("has section 117 aftercare, so cannot be signposted: check the pathway "
                    "(section 117 needs are not tested against Care Act eligibility)")
        return None
    if not facts.workers:
        return "no accepted worker yet: accept a plan or assign a worker first"
    if not facts.has_new_worker:
        return "their worker does not change, so no handover letter is needed"
    return None


def _kinds_for(facts: PersonFacts) -> list[str]:
    first = LetterKind.SIGNPOST if facts.pathway == Pathway.SIGNPOST else LetterKind.PERSON
    kinds = [first.value, LetterKind.GP.value]
    if facts.has_carer:
        kinds.append(LetterKind.CARER.value)
    return kinds


def _plan_one(
    facts: PersonFacts,
    kind: str,
    *,
    templates: LetterTemplates,
    fmt: str | None,
    default_format: str,
    person_problem: str | None,
) -> PlannedLetter:
    need = facts.accessible_format if kind in TO_THE_PERSON else None
    style = {AccessibleFormat.LARGE_PRINT.value: LARGE_PRINT,
             AccessibleFormat.EASY_READ.value: EASY_READ}.get(need or "", STANDARD)
    chosen_format = fmt or default_format
    notes: list[str] = []
    if need == AccessibleFormat.EMAIL:
        chosen_format = fmt or LetterFormat.HTML.value
        notes.append("asks for information by email: send this letter by email")
    elif need == AccessibleFormat.AUDIO:
        chosen_format = fmt or LetterFormat.MARKDOWN.value
        notes.append("needs audio: record this text or send it as audio "
                     "(task accessible_communication)")
    if kind in TO_THE_PERSON and facts.interpreter_language:
        notes.append(f"needs {facts.interpreter_language}: arrange a translation or an "
                     "interpreter (task accessible_communication)")
    template = templates.choose(kind, easy_read=style is EASY_READ)
    reason = person_problem
    if reason is None and facts.change_date is None:
        reason = ("no date for the change: set the programme's transfer date "
                  "(transition programme set --transfer-date DATE) or the person's handover date")
    if reason is None:
        reason = _recipient_problem(facts, kind, need)
    return PlannedLetter(facts, kind, chosen_format, style, template, reason,
                         "; ".join(notes) or None)


def _recipient_problem(facts: PersonFacts, kind: str, need: str | None) -> str | None:
    if kind in TO_THE_PERSON:
        if need in NO_PRINTED_LETTER:
            return (f"needs {NO_PRINTED_LETTER[need]}: the team arranges it "
                    "(task accessible_communication)")
        if not facts.address_lines:
            return "no address recorded for the person"
    elif kind == LetterKind.GP and not facts.gp_address_lines:
        return "no GP practice address recorded"
    elif kind == LetterKind.CARER and not facts.carer_address_lines:
        return "no carer address recorded"
    return None


def plan_letters(
    session: Session,
    *,
    person_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    fmt: str | None = None,
    default_format: str = DEFAULT_FORMAT.value,
    templates: LetterTemplates | None = None,
) -> list[PlannedLetter]:
    """Every letter the people need (everyone due letters, or the named people), unrendered."""
    _check_choices(kinds, fmt, default_format)
    templates = templates or LetterTemplates()
    targets = default_targets(session) if person_ids is None else sorted(set(person_ids))
    wanted = set(kinds) if kinds else set(KINDS)
    facts_by_person = load_facts(session, targets)
    planned: list[PlannedLetter] = []
    for person_id in targets:
        facts = facts_by_person.get(person_id)
        if facts is None:
            continue
        problem = _person_problem(facts)
        for kind in _kinds_for(facts):
            if kind in wanted:
                planned.append(_plan_one(facts, kind, templates=templates, fmt=fmt,
                                         default_format=default_format, person_problem=problem))
    return planned


def _check_choices(kinds: Iterable[str] | None, fmt: str | None, default_format: str) -> None:
    for kind in kinds or ():
        if kind not in KINDS:
            raise TransitionError(f"Unknown kind of letter {kind!r}.",
                                  hint=f"Choose from: {', '.join(KINDS)}.")
    for value in (fmt, default_format):
        if value is not None and value not in FORMATS:
            raise TransitionError(f"Unknown letter format {value!r}.",
                                  hint=f"Choose from: {', '.join(FORMATS)}.")


def letters_needed(
    session: Session,
    *,
    person_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    fmt: str | None = None,
    default_format: str = DEFAULT_FORMAT.value,
    templates: LetterTemplates | None = None,
) -> list[LetterNeed]:
    """Who needs which letters and where each stands: due, written, out of date or skipped."""
    planned = plan_letters(session, person_ids=person_ids, kinds=kinds, fmt=fmt,
                           default_format=default_format, templates=templates)
    current = _current_letters(session, {item.person_id for item in planned})
    needs = []
    for item in planned:
        status, reason, letter_id = "due", item.skip_reason, None
        if item.skip_reason:
            status = "skipped"
        else:
            rows = current.get((item.person_id, item.kind), [])
            wanted_hash = facts_hash(item.facts, item.kind)
            fresh = [row for row in rows if row.facts_hash == wanted_hash]
            if fresh:
                status, letter_id = "written", fresh[-1].id
            elif rows:
                status, letter_id = "out_of_date", rows[-1].id
                reason = _staleness(rows[-1], item.facts) or "details in the letter have changed"
        needs.append(LetterNeed(
            person_id=item.person_id, nhs_number=item.facts.nhs_number, name=item.facts.name,
            kind=item.kind, status=status, format=item.format, style=item.style.name,
            template=item.template.label, reason=reason, note=item.note, letter_id=letter_id,
        ))
    return needs


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def _letter_variables(item: PlannedLetter, dated: date, fmt: str) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "date": date_in_words(dated),
        "date_iso": dated.isoformat(),
        "reference": item.facts.local_id,
        "format": fmt,
        "style": item.style.name,
        "font_size_pt": item.style.body_pt,
    }


def render_planned(
    item: PlannedLetter, *, templates: LetterTemplates, council: CouncilDetails, dated: date
) -> RenderedLetter:
    """Fill in one letter's template (no file is written)."""
    context = template_context(item.facts, item.kind, council=council,
                               letter=_letter_variables(item, dated, item.format))
    html = templates.render(item.template, context)
    return RenderedLetter(html=html, style=item.style)


def content_hash(letter: RenderedLetter) -> str:
    return hashlib.sha256(f"{letter.style.name}\n{letter.html}".encode()).hexdigest()


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
                           default_format=default_format, templates=templates)
    if not planned:
        facts = load_facts(session, [person_id]).get(person_id)
        if facts is None:
            raise TransitionError(f"No person with id {person_id} is on the caseload.")
        why = _person_problem(facts) or f"a {kind} letter does not apply to this person"
        return LetterPreview(person_id, facts.nhs_number, kind, fmt or default_format,
                             STANDARD.name, "", None, None, why, None)
    item = planned[0]
    renderable = _person_problem(item.facts) is None
    rendered = (render_planned(item, templates=templates, council=council, dated=as_of)
                if renderable else None)
    return LetterPreview(
        person_id=person_id, nhs_number=item.facts.nhs_number, kind=kind, format=item.format,
        style=item.style.name, template=item.template.label,
        text=rendered.text if rendered else None, html=rendered.html if rendered else None,
        skip_reason=item.skip_reason, note=item.note,
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


@dataclass
class GenerationResult:
    out_dir: Path
    outcomes: list[LetterOutcome] = field(default_factory=list)
    superseded: int = 0
    tasks_done: int = 0

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

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` document: counts, the letters written, and what was skipped and why."""
        return {
            "written": len(self.written),
            "unchanged": len(self.unchanged),
            "superseded": self.superseded,
            "tasks_done": self.tasks_done,
            "out_dir": str(self.out_dir),
            "letters": [
                {"nhs_number": o.nhs_number, "kind": o.kind, "format": o.format, "path": o.path,
                 "sha256": o.sha256, "template": o.template, "note": o.note}
                for o in self.written
            ],
            "skipped": [
                {"nhs_number": o.nhs_number, "kind": o.kind, "reason": o.reason}
                for o in self.skipped
            ],
        }


@dataclass
class _ToWrite:
    item: PlannedLetter
    rendered: RenderedLetter
    dated: date
    content_sha256: str
    replaces: list[Letter]


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
    fails part-way, the files this run wrote are removed before the error is raised.
    """
    templates = LetterTemplates(templates_dir)
    planned = plan_letters(session, person_ids=person_ids, kinds=kinds, fmt=fmt,
                           default_format=default_format, templates=templates)
    result = GenerationResult(out_dir=out_dir)
    current = _current_letters(session, {item.person_id for item in planned})

    # 1. Render everything (a broken template stops the run here, before any file exists).
    to_write: list[_ToWrite] = []
    for item in planned:
        if item.skip_reason:
            result.outcomes.append(_outcome(item, "skipped", reason=item.skip_reason))
            continue
        rows = current.get((item.person_id, item.kind), [])
        same_format = [row for row in rows if row.format == item.format]
        latest = same_format[-1] if same_format else None
        if latest is not None and latest.dated is not None and Path(latest.path).is_file():
            again = render_planned(item, templates=templates, council=council, dated=latest.dated)
            if content_hash(again) == latest.content_sha256:
                result.outcomes.append(_outcome(item, "unchanged", path=latest.path,
                                                sha256=latest.sha256, letter_id=latest.id))
                continue
        rendered = render_planned(item, templates=templates, council=council, dated=as_of)
        wanted_hash = facts_hash(item.facts, item.kind)
        replaces = [row for row in rows if row.format == item.format or row.facts_hash != wanted_hash]
        to_write.append(_ToWrite(item, rendered, as_of, content_hash(rendered), replaces))

    # 2. Write the files (owner-only, inside the output folder, never over an existing file).
    written_rows = _write_files(session, to_write, result, out_dir=out_dir, as_of=as_of,
                                council=council, progress=progress)

    # 3. Record, supersede, audit and mark the letter tasks done.
    now = utcnow()
    _record(session, written_rows, result, actor=actor, now=now)
    done_pairs = {(o.person_id, TASK_FOR_KIND[o.kind]) for o in result.outcomes
                  if o.status in ("written", "unchanged")}
    result.tasks_done = _mark_tasks_done(session, done_pairs, actor=actor, now=now)
    order = {item.person_id: index for index, item in enumerate(planned)}
    result.outcomes.sort(key=lambda o: (order.get(o.person_id, 0), KINDS.index(o.kind)))
    return result


def _outcome(item: PlannedLetter, status: str, **values: Any) -> LetterOutcome:
    return LetterOutcome(person_id=item.person_id, nhs_number=item.facts.nhs_number,
                         kind=item.kind, status=status, format=item.format,
                         template=item.template.label, note=item.note, **values)


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


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _record(
    session: Session,
    written: Sequence[tuple[_ToWrite, Path, str]],
    result: GenerationResult,
    *,
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
                                        letter_id=letter_id))
        changes.append(Change(
            action="letter.generate", entity="letter", entity_key=str(letter_id),
            person_id=job.item.person_id, field=job.item.kind,
            after={"kind": job.item.kind, "format": job.item.format, "file": path.name,
                   "template": job.item.template.label, "sha256": sha256,
                   "staff_ids": job.item.facts.staff_ids, "style": job.item.style.name},
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


# ---------------------------------------------------------------------------------------------
# Tasks (until transition.tasks.mark_task_done lands: swap at merge)
# ---------------------------------------------------------------------------------------------


def _mark_tasks_done(
    session: Session, pairs: set[tuple[int, str]], *, actor: str, now: datetime
) -> int:
    """Set each existing (person, task key) to done, audited (``task.status``), version bumped.

    Tasks already done or not needed are left alone; a missing task is not created (the tasks
    module owns creating them). Returns how many tasks changed.
    """
    if not pairs:
        return 0
    person_ids = sorted({person_id for person_id, _ in pairs})
    keys = sorted({key for _, key in pairs})
    updates: list[dict[str, Any]] = []
    changes: list[Change] = []
    for start in range(0, len(person_ids), 2000):
        batch = person_ids[start : start + 2000]
        rows = session.execute(
            select(Task.id, Task.person_id, Task.key, Task.status, Task.version)
            .where(Task.person_id.in_(batch), Task.key.in_(keys))  # type: ignore[attr-defined]
        ).all()
        for task_id, person_id, key, status, version in rows:
            if (person_id, key) not in pairs or status in (TaskStatus.DONE, TaskStatus.NOT_NEEDED):
                continue
            updates.append({"id": task_id, "status": TaskStatus.DONE.value, "completed_at": now,
                            "updated_at": now, "updated_by": actor, "version": version + 1})
            changes.append(Change(action="task.status", entity="task", entity_key=key,
                                  person_id=person_id, field="status", before=status,
                                  after=TaskStatus.DONE.value, reason="letter generated"))
    if updates:
        session.execute(update(Task), updates)
        record_many(session, changes, actor=actor, at=now)
    return len(updates)


# ---------------------------------------------------------------------------------------------
# Out-of-date letters and a person's history
# ---------------------------------------------------------------------------------------------


def _current_letters(
    session: Session, person_ids: Iterable[int] | None = None
) -> dict[tuple[int, str], list[Letter]]:
    """(person, kind) -> letters not superseded, oldest first."""
    statement = select(Letter).where(Letter.superseded_at.is_(None)).order_by(Letter.id)  # type: ignore[union-attr,arg-type]
    result: dict[tuple[int, str], list[Letter]] = defaultdict(list)
    if person_ids is None:
        batches: list[list[int] | None] = [None]
    else:
        ids = sorted(set(person_ids))
        batches = [ids[start : start + 2000] for start in range(0, len(ids), 2000)]
    for batch in batches:
        query = statement if batch is None else statement.where(Letter.person_id.in_(batch))  # type: ignore[attr-defined]
        for letter in session.scalars(query):
            result[(letter.person_id, letter.kind)].append(letter)
    return dict(result)


def _staleness(letter: Letter, facts: PersonFacts | None) -> str | None:
    """Why a letter no longer tells the truth, or None if it still does."""
    if facts is None:
        return "the person is no longer on the caseload"
    if letter.kind == LetterKind.SIGNPOST:
        if facts.pathway != Pathway.SIGNPOST or facts.workers:
            return "no longer applies: the person is no longer on the signpost pathway"
    elif letter.kind in (LetterKind.PERSON, LetterKind.CARER) or facts.pathway != Pathway.SIGNPOST:
        if not facts.workers:
            return "no longer applies: the person no longer has an accepted worker"
        if not facts.has_new_worker:
            return "no longer applies: the person's worker no longer changes"
    if letter.kind == LetterKind.CARER and not facts.has_carer:
        return "no longer applies: no carer is recorded now"
    if sorted(letter.staff_ids or []) != facts.staff_ids:
        return "the worker has changed since the letter was written"
    if letter.facts_hash != facts_hash(facts, letter.kind):
        return "details in the letter have changed since it was written (date, address or contacts)"
    return None


@dataclass(frozen=True, slots=True)
class OutOfDateLetter:
    letter_id: int
    person_id: int
    nhs_number: str
    kind: str
    format: str
    path: str
    generated_at: datetime
    reason: str


def out_of_date_letters(session: Session, person_ids: Iterable[int] | None = None) -> list[OutOfDateLetter]:
    """Current letters whose facts changed after they were written (for the nightly check)."""
    current = _current_letters(session, person_ids)
    facts = load_facts(session, {person_id for person_id, _ in current})
    stale = []
    for (person_id, _kind), rows in sorted(current.items()):
        person_facts = facts.get(person_id)
        for letter in rows:
            reason = _staleness(letter, person_facts)
            if reason is not None:
                assert letter.id is not None
                stale.append(OutOfDateLetter(
                    letter_id=letter.id, person_id=person_id,
                    nhs_number=person_facts.nhs_number if person_facts else "",
                    kind=letter.kind, format=letter.format, path=letter.path,
                    generated_at=letter.generated_at, reason=reason,
                ))
    return stale


@dataclass(frozen=True, slots=True)
class LetterRecord:
    """One letter in a person's history."""

    letter_id: int
    kind: str
    format: str
    template: str
    path: str
    sha256: str
    dated: date | None
    generated_at: datetime
    generated_by: str
    status: str  # current | out_of_date | superseded
    superseded_at: datetime | None
    reason: str | None  # why it is out of date

    def as_dict(self) -> dict[str, Any]:
        return {
            "letter_id": self.letter_id, "kind": self.kind, "format": self.format,
            "template": self.template, "path": self.path, "sha256": self.sha256,
            "dated": self.dated.isoformat() if self.dated else None,
            "generated_at": self.generated_at.isoformat(), "generated_by": self.generated_by,
            "status": self.status,
            "superseded_at": self.superseded_at.isoformat() if self.superseded_at else None,
            "reason": self.reason,
        }


def letter_history(session: Session, person_id: int) -> list[LetterRecord]:
    """Every letter written for one person, newest first, with whether each is still current."""
    letters = list(session.scalars(
        select(Letter).where(Letter.person_id == person_id).order_by(Letter.id.desc())  # type: ignore[union-attr]
    ))
    facts = load_facts(session, [person_id]).get(person_id) if letters else None
    history = []
    for letter in letters:
        assert letter.id is not None
        reason = None if letter.superseded_at else _staleness(letter, facts)
        status = "superseded" if letter.superseded_at else ("out_of_date" if reason else "current")
        history.append(LetterRecord(
            letter_id=letter.id, kind=letter.kind, format=letter.format, template=letter.template,
            path=letter.path, sha256=letter.sha256, dated=letter.dated,
            generated_at=letter.generated_at, generated_by=letter.generated_by, status=status,
            superseded_at=letter.superseded_at, reason=reason,
        ))
    return history
