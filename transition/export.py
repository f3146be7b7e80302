"""A pseudonymised export of the caseload and the current allocation, for sharing with a partner.

Only the fields listed in ``CASELOAD_FIELDS`` leave the tool (an allow-list, so a column added
later is never exported by accident): no names, addresses, dates of birth, local identifiers,
carers' details, free-text reasons or unknown imported columns. The NHS number becomes a
pseudonym: HMAC-SHA256 under a secret key, so the same person has the same pseudonym in every
export made with that key, and nobody without the key can work back to the number or test a
guess. Age becomes a band, the postcode its district.

The files are created owner-only and every cell is formula-neutralised; the export itself is
recorded in the audit trail (who, when, how many people).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections import Counter
from dataclasses import dataclass
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
    "risk_band", "handover_date", "missing_from_latest_export",
)
PLAN_FIELDS: tuple[str, ...] = ("pseudonym", "role", "staff_id", "since", "locked", "source",
                                "plan_id")
_COPIED = ("gender", "locality", "team", "care_coordinator_id", "gp_practice", "cpa", "cluster",
           "s117", "cto", "safeguarding_open", "admissions_12m", "missed_appointments_6m",
           "self_harm_history", "substance_misuse", "lives_alone", "carer", "personal_budget",
           "interpreter_language", "accessible_format", "significant_impact", "pathway",
           "risk_score", "risk_band")
RARE_FIELDS = ("gender", "gp_practice", "interpreter_language", "accessible_format")
"""Fields whose rare values would single a person out: a value fewer than :data:`RARE_BELOW`
people in the export share is written as :data:`RARE_VALUE`."""
RARE_BELOW = 5
RARE_VALUE = "fewer than 5"
_OUTWARD_CODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")  # a district given alone: "WX1", "EC1A"
AGE_BANDS = ((18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55-64"),
             (65, "65-74"), (75, "75+"))


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: list[Path]
    people: int
    assignments: int
    key_id: str

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
    ``out_dir``; audited as ``export.pseudonymised``."""
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
            handover_date=effective_handover_date(person, programme_date),
            missing_from_latest_export=person.missing_since_batch_id is not None,
        )
        people.append([_cell(values[field]) for field in CASELOAD_FIELDS])
    _group_rare_values(people)
    statement = (select(Assignment).where(Assignment.ended_at.is_(None))  # type: ignore[union-attr]
                 .order_by(Assignment.person_id, Assignment.role))
    # The month a worker took the role, not the day: the trust's start date of a care
    # coordinator's allocation is close to unique per person, and with the staff id it would
    # link a row back to the trust's own records.
    plan = [[_cell(value) for value in (names[row.person_id], row.role, row.staff_id,
                                        row.since.strftime("%Y-%m") if row.since else None,
                                        row.locked, row.source, row.plan_id)]
            for row in session.scalars(statement)]
    caseload_file, plan_file, manifest_file = EXPORT_FILES
    fingerprint = key_id(key)
    manifest = {
        "made_at": utcnow(), "as_of": as_of, "people": len(people), "assignments": len(plan),
        "key_id": fingerprint, "pseudonym": f"HMAC-SHA256 of the NHS number, first "
        f"{PSEUDONYM_HEX} hex digits", "caseload_fields": list(CASELOAD_FIELDS),
        "plan_fields": list(PLAN_FIELDS),
        "coarsened": {"age_band": "bands, not dates of birth",
                      "postcode_district": "the outward code only", "since": "the month",
                      **{field: f"values fewer than {RARE_BELOW} people share are written "
                         f"'{RARE_VALUE}'" for field in RARE_FIELDS}},
    }
    files = _write_all_or_none(out_dir, {
        caseload_file: csv_text(CASELOAD_FIELDS, people),
        plan_file: csv_text(PLAN_FIELDS, plan),
        manifest_file: json_dumps(manifest) + "\n",
    })
    record(session, Change(action="export.pseudonymised", entity="export",
                           after={"people": len(people), "assignments": len(plan),
                                  "key_id": fingerprint, "folder": out_dir.name}),
           actor=actor)
    return ExportResult(out_dir, files, len(people), len(plan), fingerprint)


def _write_all_or_none(folder: Path, contents: dict[str, str]) -> list[Path]:
    """Write each file owner-only to a temporary beside its place, then rename them all into
    place: a failure part-way (a full disk, a folder in the way) leaves none of the new files,
    never a caseload.csv without its plan.csv, written but not audited."""
    private_dir(folder)
    staged: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for name, text in contents.items():
            target = folder / name
            fd, temporary = private_temporary(target)
            staged.append((temporary, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
        for temporary, target in staged:
            os.replace(temporary, target)
            placed.append(target)
    except BaseException:
        for path in [temporary for temporary, _target in staged] + placed:
            path.unlink(missing_ok=True)
        raise
    return placed


def _group_rare_values(rows: list[list[Any]]) -> None:
    """Write a rare value of each :data:`RARE_FIELDS` column (gender 'other' held by one
    person, a GP practice with two, Cantonese, braille) as :data:`RARE_VALUE`, in place."""
    for field in RARE_FIELDS:
        position = CASELOAD_FIELDS.index(field)
        counts = Counter(row[position] for row in rows if row[position] is not None)
        for row in rows:
            if row[position] is not None and counts[row[position]] < RARE_BELOW:
                row[position] = RARE_VALUE


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return value

