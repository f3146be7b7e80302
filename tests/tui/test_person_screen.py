"""The person screen shows every field, grouped, with import history, warnings and audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot

from tests.tui.conftest import drive, settle, text_of
from tests.tui.data import FEATURED_NHS
from transition.columns import CASELOAD_COLUMNS
from transition.models import Person
from transition.screens.person import FIELD_SECTIONS, PersonScreen


def featured_id(database) -> int:
    with database.session() as session:
        return session.scalars(select(Person.id).where(Person.nhs_number == FEATURED_NHS)).one()


def open_family(app, database, family_name: str):
    """A scenario step: open the person with this family name; returns their screen."""
    with database.session() as session:
        person_id = session.scalars(
            select(Person.id).where(Person.family_name == family_name)
        ).one()

    async def step(pilot: Pilot[Any]) -> PersonScreen:
        app.open_person(person_id)
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        return app.screen

    return step


def test_person_screen_shows_every_group(populated, app_on) -> None:
    app = app_on(populated)
    person_id = featured_id(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonScreen)
        shown = {section.id: text_of(screen.query_one(f"#{section.id}"))
                 for section in FIELD_SECTIONS}
        assert "999 000 0018" in shown["identity"] and "1 Jan 1950 (age 77)" in shown["identity"]
        assert "Ana Okafor (S001)" in shown["care-team"]
        assert "1 Apr 2027 (the programme's transfer date)" in shown["care-team"]
        assert "Y01234 Harbour Surgery" in shown["address-gp"]
        assert "11 (psychosis)" in shown["care-legal"]
        assert "Section 117 aftercare      Yes" in shown["care-legal"]
        assert "Community Treatment Order  Yes" in shown["care-legal"]
        assert "20 Dec 2026 (26 days ago)" in shown["risk-facts"]
        assert "Polish" in shown["communication"] and "Large print" in shown["communication"]
        assert "Tom Ashworth" in shown["carer"]
        assert "3 outcomes unmet" in shown["care-act"]
        assert "Using the home safely" in shown["care-act"]
        extra = text_of(screen.query_one("#extra"))
        assert "ward" in extra and "Harbour Ward" in extra
        assert "trust_caseload.csv" in text_of(screen.query_one("#imports"))
        warnings = text_of(screen.query_one("#warnings"))
        assert "care_coordinator_id" in warnings and "not a care coordinator" in warnings
        audit = text_of(screen.query_one("#audit"))
        assert "Changed by an import" in audit and "WX2 9ZZ" in audit and "WX1 4QT" in audit

    drive(app, scenario)


def test_every_canonical_column_has_a_place_on_the_screen() -> None:
    """A column added to the import must be added to the person screen too (its fields are
    in person_record, which transition person prints as well)."""
    import inspect

    from transition.widgets import person_record

    source = inspect.getsource(person_record)
    missing = [column.name for column in CASELOAD_COLUMNS if f"p.{column.name}" not in source]
    assert missing == []


def test_a_person_with_little_recorded_hides_empty_sections(populated, app_on) -> None:
    app = app_on(populated)
    open_garside = open_family(app, populated, "Garside")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_garside(pilot)
        assert not screen.query_one("#warnings").display
        assert not screen.query_one("#extra").display
        assert "None recorded" in text_of(screen.query_one("#care-team"))
        assert "Not yet assessed" in text_of(screen.query_one("#care-act"))
        assert "No changes recorded yet" in text_of(screen.query_one("#audit"))

    drive(app, scenario)


def garside_section(populated, app_on, section: str, **values: Any) -> str:
    """What one section of Garside's person screen says once ``values`` are stored."""
    with populated.transaction() as session:
        session.execute(update(Person).where(Person.family_name == "Garside").values(**values))
    app = app_on(populated)
    open_garside = open_family(app, populated, "Garside")
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_garside(pilot)
        shown.append(" ".join(text_of(screen.query_one(section)).split()))

    drive(app, scenario)
    return shown[0]


def test_a_pseudo_postcode_says_there_is_no_postal_address(populated, app_on) -> None:
    shown = garside_section(populated, app_on, "#address-gp", postcode="ZZ99 3VZ")
    assert "ZZ99 3VZ (no fixed abode: no postal address)" in shown


def test_the_accommodation_status_is_among_the_risk_facts(populated, app_on) -> None:
    shown = garside_section(populated, app_on, "#risk-facts", accommodation_type="HM04",
                            settled_accommodation=False)
    assert "Accommodation HM04 (no settled home)" in shown


@pytest.mark.parametrize(
    ("kind", "settled", "said"),
    [("01", True, "settled (01)"), (None, False, "not settled"), ("Rough sleeper", None,
     "Rough sleeper (no settled home)"), ("04", None, "04"), (None, None, "—")],
)
def test_accommodation_in_words(kind: str | None, settled: bool | None, said: str) -> None:
    from transition.widgets.person_record import NOT_RECORDED, accommodation_text

    assert str(accommodation_text(kind, settled)) == said.replace("—", NOT_RECORDED)


def test_the_employment_status_is_among_the_risk_facts(populated, app_on) -> None:
    shown = garside_section(populated, app_on, "#risk-facts", employment_status="02")
    assert "Employment unemployed, seeking work (02)" in shown


@pytest.mark.parametrize(("code", "said"), [
    ("H", "Asian or Asian British: Indian (H)"), ("Z", "Not stated (Z)"), (None, "—")])
def test_the_ethnic_category_in_words(code: str | None, said: str) -> None:
    from transition.widgets.person_record import NOT_RECORDED, ethnic_category_text

    assert ethnic_category_text(code) == said.replace("—", NOT_RECORDED)


@pytest.mark.parametrize(("code", "said"), [
    ("02", "unemployed, seeking work (02)"), ("08", "retired (08)"), (None, "—")])
def test_employment_in_words(code: str | None, said: str) -> None:
    from transition.widgets.person_record import NOT_RECORDED, employment_text

    assert str(employment_text(code)) == said.replace("—", NOT_RECORDED)


def test_the_preferred_language_is_among_the_communication_needs(populated, app_on) -> None:
    shown = garside_section(populated, app_on, "#communication",
                            preferred_language="british sign language")
    assert "Preferred language British Sign Language" in shown


def test_a_person_who_is_gone_says_so(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(999_999)
        await settle(pilot)
        assert "no longer on the caseload" in text_of(app.screen.query_one("#banner"))

    drive(app, scenario)


def test_missing_person_has_a_warning_banner(populated, app_on) -> None:
    app = app_on(populated)
    open_rashid = open_family(app, populated, "Rashid")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_rashid(pilot)
        assert "Not in the latest caseload export" in text_of(screen.query_one("#banner"))
        assert "not in this export" in text_of(screen.query_one("#imports"))

    drive(app, scenario)


def test_letters_written_for_the_person_are_listed(populated, app_on) -> None:
    from datetime import UTC, date, datetime

    from transition.models import Letter

    with populated.transaction() as session:
        person_id = session.scalars(select(Person.id).where(Person.family_name == "Baines")).one()
        for kind, superseded in (("person", datetime(2027, 1, 12, tzinfo=UTC)), ("gp", None)):
            session.add(Letter(
                person_id=person_id, kind=kind, template=f"{kind}.md.j2", format="pdf",
                path=f"/letters/{kind}-0026.pdf", sha256="0" * 64, facts_hash="old",
                generated_by="test-manager", dated=date(2027, 1, 11), superseded_at=superseded,
            ))
    app = app_on(populated)
    open_baines = open_family(app, populated, "Baines")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_baines(pilot)
        shown = text_of(screen.query_one("#letters"))
        assert "/letters/person-0026.pdf" in shown and "Superseded" in shown
        assert "/letters/gp-0026.pdf" in shown and "11 Jan 2027" in shown
        garside = await open_family(app, populated, "Garside")(pilot)
        assert not garside.query_one("#letters").display  # no letters: no box

    drive(app, scenario)


@pytest.mark.parametrize(
    ("cto", "expiry", "said"),
    [(True, date(2027, 3, 9), "Yes, expires 9 Mar 2027 (in 53 days)"),
     (True, date(2027, 1, 15), "Yes, expires 15 Jan 2027 (today)"),
     (True, date(2027, 1, 2), "Yes, expired 2 Jan 2027: ask the trust"),
     (True, None, "Yes"), (False, date(2027, 3, 9), "No"), (None, None, "—")],
)
def test_a_cto_says_when_it_expires(cto: bool | None, expiry: date | None, said: str) -> None:
    from transition.widgets.person_record import cto_text

    assert str(cto_text(cto, expiry, date(2027, 1, 15))) == said


def test_a_cto_says_when_it_began() -> None:
    from transition.widgets.person_record import cto_text

    today = date(2027, 1, 15)
    assert str(cto_text(True, date(2027, 3, 9), today, date(2025, 3, 3))) == (
        "Yes, since 3 Mar 2025, expires 9 Mar 2027 (in 53 days)")
    assert str(cto_text(True, None, today, date(2025, 3, 3))) == "Yes, since 3 Mar 2025"
    assert str(cto_text(False, None, today, date(2025, 3, 3))) == "No"


@pytest.mark.parametrize(
    ("cpa", "start", "end", "said"),
    [(True, date(2024, 6, 1), None, "Yes, since 1 Jun 2024"),
     (True, date(2024, 6, 1), date(2027, 6, 30), "Yes, since 1 Jun 2024, ends 30 Jun 2027"),
     (False, date(2024, 6, 1), date(2026, 12, 31), "No, since 1 Jun 2024, ended 31 Dec 2026"),
     # The trust's yes with an end already past: the dates say what the export says.
     (True, None, date(2027, 1, 2), "Yes, ended 2 Jan 2027"),
     (True, None, None, "Yes"), (None, None, None, "—")],
)
def test_cpa_says_its_episode(cpa: bool | None, start: date | None, end: date | None,
                              said: str) -> None:
    from transition.widgets.person_record import cpa_text

    assert str(cpa_text(cpa, start, end, date(2027, 1, 15))) == said


def test_an_ended_coordinator_allocation_is_shown_in_red_words(populated, app_on) -> None:
    shown = garside_section(populated, app_on, "#care-team", care_coordinator_id="S001",
                            coordinator_until=date(2026, 12, 1))
    assert "(S001) allocation ended" in shown
    assert "Allocation ended 1 Dec 2026" in shown


def test_a_planned_end_of_the_allocation_is_shown_plainly(populated, app_on) -> None:
    shown = garside_section(populated, app_on, "#care-team", care_coordinator_id="S001",
                            coordinator_until=date(2027, 6, 30))
    assert "allocation ended" not in shown
    assert "Allocation ends 30 Jun 2027" in shown
