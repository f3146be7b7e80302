"""Handover fixtures for letter tests: a person whose accepted worker replaces the trust's one.

Built with tests.factories and transition.allocation.set_assignments, as the matching stage
will leave the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from tests.factories import make_person, make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.config import CouncilDetails
from transition.models import Person, Staff, Task
from transition.programme import set_transfer_date

TRANSFER = date(2027, 4, 1)
TODAY = date(2027, 1, 15)

# Words that must never reach a letter to a person or carer: service jargon, abbreviations and
# stigmatising language ("Please, write to me"; DOMAIN.md "Letters").
JARGON = (
    "CPA", "Care Programme Approach", "cluster", "s117", "s.117", "S117", "CTO", "CMHT", "AMHP",
    "MHA", "ICB", "section 75", "signpost", "eligib", "service user", "caseload", "case ",
    "patient", "suffer", "mentally ill", "non-compliant", "noncompliant", "discharge",
    "key worker (KW)", "Care Act", "care coordinator", "{{", "{%", "}}", "%}",
)


# A council's own details, as a council sets them under [council]: letters are never written
# with the built-in example ones (transition.letters.check_council_details). Numbers from
# Ofcom's ranges for drama (01632 960xxx, 0808 157 0xxx), addresses invented.
TEST_COUNCIL = CouncilDetails(
    name="Testvale Council", address="Civic Offices, 1 Test Road, Testvale TV1 1AA",
    phone="01632 960000", email="mentalhealth@testvale.example",
    crisis_line="0808 157 0000 (24 hours a day) or NHS 111, option 2",
    out_of_hours="01632 960999",
    complaints="Complaints Team, Civic Offices, Testvale TV1 1AA, or complaints@testvale.example",
    signatory="Sam Taylor", website="www.testvale.example/mentalhealth",
)


def use_test_council(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the CLI (which reads settings from the environment) the test council's details."""
    for key, value in TEST_COUNCIL.model_dump().items():
        monkeypatch.setenv(f"TRANSITION_COUNCIL__{key.upper()}", value)


def jargon_in(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in JARGON if word.lower() in lowered]


def council_worker(session: Session, staff_id: str = "SW1", **fields: Any) -> Staff:
    values: dict[str, Any] = {"given_name": "Jo", "family_name": "Łukasz",
                              "phone": "01234 567890", "email": f"{staff_id.lower()}@westshire.example"}
    values.update(fields)
    return make_staff(session, staff_id, **values)


def trust_worker(session: Session, staff_id: str = "TRUST1", **fields: Any) -> Staff:
    values: dict[str, Any] = {"given_name": "Pat", "family_name": "Leaving", "employer": "trust",
                              "role": "nurse", "seconded": False}
    values.update(fields)
    return make_staff(session, staff_id, **values)


def handover_person(
    session: Session,
    *,
    new_staff_id: str = "SW1",
    old_staff_id: str = "OLD1",
    role: str = "social_worker",
    **person_fields: Any,
) -> Person:
    """A person whose trust coordinator ``old_staff_id`` is replaced by ``new_staff_id``."""
    if session.get(Staff, old_staff_id) is None:
        make_staff(session, old_staff_id, given_name="Pat", family_name="Oldworker", seconded=True)
    if session.get(Staff, new_staff_id) is None:
        council_worker(session, new_staff_id)
    values: dict[str, Any] = {"care_coordinator_id": old_staff_id, "pathway": "council"}
    values.update(person_fields)
    person = make_person(session, **values)
    assert person.id is not None
    set_assignments(session, [NewAssignment(person.id, role, new_staff_id, TRANSFER)], actor="plan")
    return person


def with_transfer_date(session: Session, day: date = TRANSFER) -> None:
    set_transfer_date(session, day, actor="setup")


def add_task(session: Session, person: Person, key: str) -> Task:
    assert person.id is not None
    task = Task(person_id=person.id, key=key, title=key.replace("_", " "), owner_kind="incoming",
                due=TRANSFER, offset_working_days=-10, handover_date=TRANSFER)
    session.add(task)
    session.flush()
    return task


def letter_text(session: Session, person: Person, kind: str, council: CouncilDetails,
                as_of: date) -> str:
    """The letter of ``kind`` for ``person`` as plain text (a preview: no file is written)."""
    from transition.letters import preview_letter  # letters imports much: only when asked

    assert person.id is not None
    preview = preview_letter(session, person.id, kind, council=council, as_of=as_of)
    assert preview.text is not None, preview.skip_reason
    return preview.text


def flat(text: str) -> str:
    """Text with its wrapping undone (one space between words)."""
    return " ".join(text.split())


# The worker macros as the first shipped templates wrote them: a worker with no phone of their
# own is given the council's number, NHS workers too (transition.letter_template_check).
OLD_MACROS = """{% macro roles(workers) -%}
{% for worker in workers %}{% if not loop.first %} and {% endif %}{{ worker.role }}{% endfor %}
{%- endmacro %}
{% macro worker_details(worker) %}
<p>{{ worker.name }}<br>
Phone: {% if worker.phone %}{{ worker.phone }}{% else %}{{ council.phone }} (ask for {{ worker.name }}){% endif %}
</p>
{% endmacro %}
{% macro role_explained(worker) %}{% endmacro %}
"""
