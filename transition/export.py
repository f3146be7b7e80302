"""A pseudonymised export of the caseload and the current allocation, for sharing with a partner.

Only the fields listed in ``CASELOAD_FIELDS`` leave the tool (an allow-list, so a column added
later is never exported by accident): no names, addresses, dates of birth, local identifiers,
carers' details, free-text reasons or unknown imported columns. The NHS number becomes a
pseudonym: HMAC-SHA256 under a secret key, so the same person has the same pseudonym in every
export made with that key, and nobody without the key can work back to the number or test a
guess. Age becomes a band, the postcode its district, and in the fields someone may know of a
person (team, worker, GP practice, language, ...) a value fewer than 5 people share is withheld,
with others where needed so that every value shown, and the withheld mark, holds 5 or more
(:func:`withhold_small_groups`).

The files are created owner-only and every cell is formula-neutralised; the export itself is
recorded in the audit trail (who, when, how many people).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from transition import nhs, postcodes
from transition.audit import Change, record
from transition.db import json_dumps
from transition.errors import TransitionError
from transition.files import csv_text, private_dir, private_temporary
from transition.handover import effective_handover_date
from transition.models import Assignment, Person, utcnow
from transition.programme import transfer_date

PSEUDONYM_HEX = 20  # 80 bits: no collisions at any caseload size
MIN_KEY_LENGTH = 32
KEY_FILE = "pseudonym.key"
EXPORT_FILES = ("caseload.csv", "plan.csv", "export.json")  # written into the --out folder

CASELOAD_FIELDS: tuple[str, ...] = (
    "pseudonym", "age_band", "gender", "postcode_district", "locality", "team",
    "care_coordinator_id", "gp_practice", "cpa", "cluster", "s117", "cto", "safeguarding_open",
    "admissions_12m", "missed_appointments_6m", "self_harm_history", "substance_misuse",
    "lives_alone", "carer", "personal_budget", "interpreter_language", "accessible_format",
    "care_act_outcomes", "significant_impact", "pathway", "pathway_overridden", "risk_score",
    "risk_band", "risk_band_overridden", "handover_date", "missing_from_latest_export",
)
PLAN_FIELDS: tuple[str, ...] = ("pseudonym", "role", "staff_id", "since", "locked", "source",
                                "plan_id")
_COPIED = ("gender", "locality", "team", "care_coordinator_id", "gp_practice", "cpa", "cluster",
           "s117", "cto", "safeguarding_open", "admissions_12m", "missed_appointments_6m",
           "self_harm_history", "substance_misuse", "lives_alone", "carer", "personal_budget",
           "interpreter_language", "accessible_format", "significant_impact", "pathway",
           "risk_score", "risk_band")
RARE_FIELDS = ("age_band", "gender", "postcode_district", "locality", "team",
               "care_coordinator_id", "gp_practice", "interpreter_language", "accessible_format")
"""caseload.csv's fields that someone may know of a person (where they live, their team or
worker, their GP, their language): a value, a blank included, that fewer than
:data:`RARE_BELOW` people share would single them out, so it is withheld
(:func:`withhold_small_groups`)."""
RARE_PLAN_FIELDS = ("staff_id",)
"""plan.csv's fields withheld the same way: a worker who holds few people."""
RARE_BELOW = 5
RARE_VALUE = "withheld"
_OUTWARD_CODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")  # a district given alone: "WX1", "EC1A"
AGE_BANDS = ((18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55-64"),
             (65, "65-74"), (75, "75+"))


@dataclass(frozen=True)
class PlacedFiles:
    """New files renamed into place, and the earlier files they replaced, kept aside until the
    export's audit record is committed (:meth:`keep`) or has failed (:meth:`undo`)."""

    files: list[Path]
    replaced: list[tuple[Path, Path]] = field(default_factory=list)  # (kept aside, its place)

    def keep(self) -> None:
        """The new files stay: remove the earlier ones kept aside."""
        for aside, _place in self.replaced:
            aside.unlink(missing_ok=True)

    def undo(self) -> None:
        """Remove the new files and put the earlier ones back where they were."""
        for path in self.files:
            path.unlink(missing_ok=True)
        for aside, place in self.replaced:
            os.replace(aside, place)


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: list[Path]
    people: int
    assignments: int
    key_id: str
    placed: PlacedFiles | None = None  # for keep() once the audit record is committed, or undo()

    def keep(self) -> None:
        """Call once the transaction holding the export's audit record has committed."""
        if self.placed is not None:
            self.placed.keep()

    def undo(self) -> None:
        """Call when that transaction failed: the folder is as it was before the export."""
        if self.placed is not None:
            self.placed.undo()

    def to_json(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "files": [path.name for path in self.files],
                "people": self.people, "assignments": self.assignments, "key_id": self.key_id}


def load_key(configured: str | None, data_dir: Path) -> bytes:
    """The pseudonym key: the configured one, else the data directory's key file (made once,
    0600)."""
    if configured is not None:
        # Stripped as the key file is: a stray space or newline in the setting would give
        # every person a new pseudonym, with nothing to say why but another key id.
        configured = configured.strip()
        if len(configured) < MIN_KEY_LENGTH:
            raise TransitionError(
                f"The pseudonym key is too short ({len(configured)} characters; at least "
                f"{MIN_KEY_LENGTH}). Nothing was exported.",
                hint="Set TRANSITION_PSEUDONYM_KEY to a long random value, e.g. the output of "
                "python -c 'import secrets; print(secrets.token_hex(32))'.")
        return configured.encode("utf-8")
    path = data_dir / KEY_FILE
    if not path.exists():
        private_dir(data_dir)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise TransitionError(f"The pseudonym key file {path} is damaged (too short).",
                              hint="Restore it from a backup; a new key gives new pseudonyms.")
    return key.encode("ascii")


def key_id(key: bytes) -> str:
    """A short fingerprint of the key (which key made an export), revealing nothing about it."""
    return hashlib.sha256(b"transition key id\0" + key).hexdigest()[:8]


def pseudonym(key: bytes, nhs_number: str) -> str:
    return hmac.new(key, nhs.normalise(nhs_number).encode("ascii"), hashlib.sha256
                    ).hexdigest()[:PSEUDONYM_HEX]


def age_band(born: date, on: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    band = "under 18"
    for lowest, name in AGE_BANDS:
        if age >= lowest:
            band = name
    return band


def postcode_district(postcode: str | None) -> str | None:
    """``WX1 2AB`` -> ``WX1`` (the outward code only); None for anything not a postcode.

    The importer keeps a postcode column that is not a postcode's shape as written ("HMP
    EXETER", "C/O SMITH", "NFA"): its first word is no district, and would tell a partner
    what the export leaves out (where someone is held, a carer's name)."""
    if not postcode:
        return None
    code = postcodes.tidy(postcode.strip())
    if postcodes.has_postcode_shape(code):
        return code.split()[0]
    return code if _OUTWARD_CODE.fullmatch(code) else None


def pseudonymised_export(
    session: Session, *, out_dir: Path, key: bytes, as_of: date, actor: str
) -> ExportResult:
    """Write ``caseload.csv``, ``plan.csv`` (who holds each role now) and ``export.json`` into
    ``out_dir``; audited as ``export.pseudonymised``.

    Files already there are replaced but kept aside: once the caller's transaction has
    committed the audit record, call :meth:`ExportResult.keep` (removes them); if it fails,
    :meth:`ExportResult.undo` puts them back, so a failed ``--force`` loses nothing."""
    people: list[list[Any]] = []
    names: dict[int, str] = {}
    programme_date = transfer_date(session)
    for person in session.scalars(select(Person).order_by(Person.id)):  # type: ignore[arg-type]
        assert person.id is not None
        alias = pseudonym(key, person.nhs_number)
        names[person.id] = alias
        values = {field: getattr(person, field) for field in _COPIED}
        values.update(
            pseudonym=alias,
            age_band=age_band(person.date_of_birth, as_of),
            postcode_district=postcode_district(person.postcode),
            care_act_outcomes=";".join(person.care_act_outcomes or []) or None,
            pathway_overridden=person.pathway_override is not None,
            risk_band_overridden=person.risk_band_override is not None,
            handover_date=effective_handover_date(person, programme_date),
            missing_from_latest_export=person.missing_since_batch_id is not None,
        )
        people.append([_cell(values[name]) for name in CASELOAD_FIELDS])
    rank = _withholding_order(key)
    for name in RARE_FIELDS:
        withhold_small_groups(people, CASELOAD_FIELDS.index(name), rank=rank)
    statement = (select(Assignment).where(Assignment.ended_at.is_(None))  # type: ignore[union-attr]
                 .order_by(Assignment.person_id, Assignment.role))
    # The month a worker took the role, not the day: the trust's start date of a care
    # coordinator's allocation is close to unique per person, and with the staff id it would
    # link a row back to the trust's own records.
    plan = [[_cell(value) for value in (names[row.person_id], row.role, row.staff_id,
                                        row.since.strftime("%Y-%m") if row.since else None,
                                        row.locked, row.source, row.plan_id)]
            for row in session.scalars(statement)]
    for name in RARE_PLAN_FIELDS:
        withhold_small_groups(plan, PLAN_FIELDS.index(name), rank=rank)
    caseload_file, plan_file, manifest_file = EXPORT_FILES
    fingerprint = key_id(key)
    manifest = {
        "made_at": utcnow(), "as_of": as_of, "people": len(people), "assignments": len(plan),
        "key_id": fingerprint, "pseudonym": f"HMAC-SHA256 of the NHS number, first "
        f"{PSEUDONYM_HEX} hex digits", "caseload_fields": list(CASELOAD_FIELDS),
        "plan_fields": list(PLAN_FIELDS),
        "coarsened": {"age_band": "bands, not dates of birth",
                      "postcode_district": "the outward code only", "since": "the month"},
        "withheld": {"fields": {"caseload": list(RARE_FIELDS), "plan": list(RARE_PLAN_FIELDS)},
                     "mark": RARE_VALUE, "rule": WITHHELD_RULE},
    }
    placed = _write_all_or_none(out_dir, {
        caseload_file: csv_text(CASELOAD_FIELDS, people),
        plan_file: csv_text(PLAN_FIELDS, plan),
        manifest_file: json_dumps(manifest) + "\n",
    })
    try:
        record(session, Change(action="export.pseudonymised", entity="export",
                               after={"people": len(people), "assignments": len(plan),
                                      "key_id": fingerprint, "folder": out_dir.name}),
               actor=actor)
    except BaseException:
        placed.undo()  # never an export on disk that the audit trail does not hold
        raise
    return ExportResult(out_dir, placed.files, len(people), len(plan), fingerprint, placed)


def _write_all_or_none(folder: Path, contents: dict[str, str]) -> PlacedFiles:
    """Write each file owner-only to a temporary beside its place, then rename them all into
    place: a failure part-way (a full disk, a folder in the way) leaves none of the new files,
    never a caseload.csv without its plan.csv, written but not audited. A file already in a
    place is first renamed aside, so that a failure puts it back rather than losing it."""
    private_dir(folder)
    staged: list[tuple[Path, Path]] = []
    placed = PlacedFiles([])
    try:
        for name, text in contents.items():
            target = folder / name
            fd, temporary = private_temporary(target)
            staged.append((temporary, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
        for temporary, target in staged:
            if target.exists() or target.is_symlink():
                aside = _aside(target)
                try:
                    os.replace(target, aside)
                except BaseException:
                    aside.unlink(missing_ok=True)
                    raise
                placed.replaced.append((aside, target))
            os.replace(temporary, target)
            placed.files.append(target)
    except BaseException:
        for temporary, _target in staged:
            temporary.unlink(missing_ok=True)
        placed.undo()
        raise
    return placed


def _aside(target: Path) -> Path:
    """A new name beside ``target`` to keep it under until the export replacing it is
    committed (made exclusively, as a temporary is, then renamed over)."""
    fd, path = private_temporary(target, suffix=".old")
    os.close(fd)
    return path


WITHHELD_RULE = (
    f"In each of these fields, a value (a blank too) that fewer than {RARE_BELOW} people in "
    f"the file share is written '{RARE_VALUE}'. When fewer than {RARE_BELOW} people would then "
    f"be '{RARE_VALUE}', the value of more people is withheld with them, from the values "
    f"fewest people share, until at least {RARE_BELOW} are; which people is chosen under the "
    f"pseudonym key, and a value is never left shown for fewer than {RARE_BELOW}. So every "
    f"value shown, and '{RARE_VALUE}', is shared by {RARE_BELOW} people or more (unless the "
    f"file holds fewer people than that: then all of the field is withheld).")


def _withholding_order(key: bytes) -> Callable[[int, str], str]:
    """Which of a value's people are withheld first: an order under the key, so that it
    says nothing a partner could use (the pseudonyms' own order would: any withheld row
    after the first shown one would be a rare value)."""

    def rank(field: int, person: str) -> str:
        return hmac.new(key, f"withhold\0{field}\0{person}".encode(), hashlib.sha256
                        ).hexdigest()

    return rank


def withhold_small_groups(rows: list[list[Any]], position: int, *,
                          rank: Callable[[int, str], str]) -> None:
    """Write :data:`RARE_VALUE` in column ``position`` wherever the value would single people
    out, in place; each row's person is its first column (the pseudonym).

    Primary: every value (a blank too) that 1 to ``RARE_BELOW - 1`` people share. Secondary:
    while the withheld people are fewer than ``RARE_BELOW``, more are withheld from the value
    fewest people still show (ties: by the value), as many as are needed, or all of them
    where what is left would be fewer than ``RARE_BELOW``; which of its people is ``rank``'s
    order (under the key). Counts are of people, not rows (plan.csv has a row per role)."""
    people: dict[Any, set[str]] = {}
    for row in rows:
        people.setdefault(row[position], set()).add(row[0])
    withheld: set[tuple[Any, str]] = {(value, person) for value, held in people.items()
                                      if len(held) < RARE_BELOW for person in held}
    shown = {value: held for value, held in people.items() if len(held) >= RARE_BELOW}

    def withheld_people() -> int:
        return len({person for _value, person in withheld})

    while withheld and withheld_people() < RARE_BELOW and shown:
        value = min(shown, key=lambda name: (len(shown[name]), name is not None, str(name)))
        ordered = sorted(shown.pop(value), key=lambda person: rank(position, person))
        need = RARE_BELOW - withheld_people()
        if len(ordered) - need < RARE_BELOW:
            need = len(ordered)
        withheld.update((value, person) for person in ordered[:need])
        if ordered[need:]:
            shown[value] = set(ordered[need:])
    for row in rows:
        if (row[position], row[0]) in withheld:
            row[position] = RARE_VALUE


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return value

