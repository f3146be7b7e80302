"""Refreshing pathway and risk in the database, overrides, the at-risk ranking and counts."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import String, select, type_coerce, update

from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from transition import audit
from transition.assessment import (
    at_risk,
    band_counts,
    clear_pathway_override,
    pathway_counts,
    refresh_assessments,
    set_pathway_override,
    unassessed_count,
)
from transition.db import Database
from transition.eligibility import PathwayFacts, decide_pathway
from transition.errors import ConflictError, TransitionError
from transition.models import AuditEvent, ImportBatch, Person, Staff
from transition.people import person_detail
from transition.risk import CoordinatorFacts, RiskFacts, score
from transition.ruleset import load_rules

RULES = load_rules()
ELIGIBLE = {"care_act_outcomes": ["nutrition", "hygiene"], "significant_impact": True}


def refresh(database: Database, as_of: date = TODAY, rules=RULES, **options):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return refresh_assessments(session, rules, as_of=as_of, actor=ACTOR, **options)


def get(database: Database, index: int) -> Person:
    with database.session() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(index))).one()
        session.expunge(person)
        return person


def decide_events(database: Database) -> list[AuditEvent]:
    with database.session() as session:
        return audit.events(session, actions=["pathway.decide"])


def stored_as_written_by_sqlalchemy(database: Database) -> None:
    """pathway_decided_at is stored exactly as SQLAlchemy stores the audit time of the run."""
    with database.session() as session:
        audit_at = session.scalars(
            select(type_coerce(AuditEvent.at, String)).where(AuditEvent.action == "pathway.decide")
        ).first()
        decided = session.scalars(select(type_coerce(Person.pathway_decided_at, String))).first()
    assert audit_at is not None and decided == audit_at


def seed(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "S1", leaving_date=TODAY + timedelta(days=30))
        make_staff(session, "S2")
        make_person(
            session,
            nhs_number=nhs_number(0),
            s117=True,
            care_act_outcomes=[],
            care_coordinator_id="S1",
            self_harm_history=True,
            last_discharge=TODAY - timedelta(days=3),
            last_contact=TODAY - timedelta(days=1),  # followed up after the discharge
        )  # joint, red
        make_person(
            session,
            nhs_number=nhs_number(1),
            cpa=True,
            care_act_outcomes=[],
            care_coordinator_id="S2",
        )  # trust, green
        make_person(
            session, nhs_number=nhs_number(2), care_coordinator_id="S2", **ELIGIBLE
        )  # council
        make_person(session, nhs_number=nhs_number(3), care_coordinator_id="S2")  # assess
        make_person(
            session,
            nhs_number=nhs_number(4),
            care_act_outcomes=["toilet"],
            care_coordinator_id="S9",
        )  # signpost; coordinator not on the list


def test_refresh_decides_everyone_and_counts_all_five_pathways(database: Database) -> None:
    seed(database)
    summary = refresh(database)
    assert summary.people == summary.evaluated == 5
    assert summary.pathways == {"council": 1, "trust": 1, "joint": 1, "assess": 1, "signpost": 1}
    assert sum(summary.bands.values()) == 5 and set(summary.bands) == {"red", "amber", "green"}
    assert summary.changed_pathways == 5
    first = get(database, 0)
    assert first.pathway == "joint" and first.pathway_reasons[0]["rule"] == "s117_aftercare"
    assert first.pathway_rules_version == RULES.version_label
    assert first.assessed_hash
    assert first.pathway_decided_at is not None
    stored_as_written_by_sqlalchemy(database)
    assert first.risk_band == "red" and first.risk_as_of == TODAY
    assert {f["factor"] for f in first.risk_factors} == {
        "discharged_very_recently",
        "self_harm_history",
        "s117_or_cto",
        "coordinator_leaving",
    }
    assert first.risk_score == 17  # 10 + 3 + 2 + 2
    unknown = get(database, 4)
    assert "no_known_coordinator" in {f["factor"] for f in unknown.risk_factors}
    with database.session() as session:
        assert pathway_counts(session) == summary.pathways
        assert band_counts(session) == summary.bands
        assert unassessed_count(session) == 0


def test_every_pathway_change_is_audited_once(database: Database) -> None:
    seed(database)
    refresh(database)
    events = decide_events(database)
    assert len(events) == 5
    joint = next(e for e in events if e.entity_key == nhs_number(0))
    assert (joint.before, joint.after, joint.actor, joint.field) == (
        None,
        "joint",
        ACTOR,
        "pathway",
    )
    assert "s117_aftercare" in joint.reason
    refresh(database)  # nothing changed: nothing more to audit
    assert len(decide_events(database)) == 5
    with database.transaction() as session:
        session.execute(
            update(Person)
            .where(Person.nhs_number == nhs_number(3))
            .values(care_act_outcomes=["nutrition", "hygiene"], significant_impact=True)
        )
    summary = refresh(database)
    assert summary.changed_pathways == 1
    latest = decide_events(database)[0]
    assert (latest.before, latest.after) == ("assess", "council")


def test_a_pathway_change_bumps_the_version_and_nothing_else_does(database: Database) -> None:
    seed(database)
    refresh(database)
    version = get(database, 2).version
    refresh(database, as_of=TODAY + timedelta(days=1))
    assert get(database, 2).version == version


def test_override_survives_re_evaluation_and_is_audited(database: Database) -> None:
    seed(database)
    refresh(database)
    with database.transaction() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(2))).one()
        updated = set_pathway_override(
            session, person, "joint", reason="Agreed at panel on 3 Jan", actor="manager-a"
        )
        assert updated.pathway == "joint" and updated.version == person.version
    after = get(database, 2)
    assert after.pathway == "joint" and after.pathway_override == "joint"
    assert after.pathway_reasons[0]["rule"] == "manager_override"
    assert "Agreed at panel on 3 Jan." in after.pathway_reasons[0]["reason"]
    assert "would decide council" in after.pathway_reasons[0]["reason"]
    assert after.pathway_reasons[1]["rule"] == "eligible_needs"

    summary = refresh(database)
    again = get(database, 2)
    assert again.pathway == "joint" and again.pathway_override == "joint"
    assert [r["rule"] for r in again.pathway_reasons][:2] == ["manager_override", "eligible_needs"]
    assert summary.overrides == 1 and summary.pathways["joint"] == 2

    with database.session() as session:
        events = audit.events(session, actions=["pathway.override"])
    assert len(events) == 1
    event = events[0]
    assert event.actor == "manager-a" and event.reason == "Agreed at panel on 3 Jan"
    assert event.before == {"pathway": "council", "override": None}
    assert event.after == {"pathway": "joint", "override": "joint"}

    with database.transaction() as session:
        person = session.get(Person, again.id)
        assert person is not None
        cleared = clear_pathway_override(session, person, actor="manager-b")
        assert cleared.pathway == "council" and cleared.pathway_override is None
        assert cleared.pathway_reasons[0]["rule"] == "eligible_needs"
    with database.session() as session:
        cleared_event = audit.events(session, actions=["pathway.override_cleared"])[0]
    assert cleared_event.actor == "manager-b"
    assert cleared_event.after == {"pathway": "council", "override": None}


def test_the_rules_moving_behind_an_override_is_audited(database: Database) -> None:
    seed(database)
    refresh(database)
    with database.transaction() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(3))).one()
        set_pathway_override(session, person, "council", reason="Known to us", actor=ACTOR)
        session.execute(
            update(Person).where(Person.id == person.id).values(cpa=True, care_act_outcomes=[])
        )
    refresh(database)
    event = decide_events(database)[0]
    assert (event.field, event.before, event.after) == ("rules_pathway", "assess", "trust")
    assert get(database, 3).pathway == "council"


def test_an_override_needs_a_reason_and_a_real_pathway(database: Database) -> None:
    seed(database)
    with database.transaction() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(2))).one()
        with pytest.raises(TransitionError, match="written reason"):
            set_pathway_override(session, person, "joint", reason="  ", actor=ACTOR)
        with pytest.raises(TransitionError, match="not a pathway"):
            set_pathway_override(session, person, "hospital", reason="x", actor=ACTOR)


@pytest.mark.parametrize("pathway", ["signpost", "trust"])
def test_an_override_cannot_take_away_a_statutory_duty(database: Database, pathway: str) -> None:
    seed(database)
    with database.transaction() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(0))).one()
        with pytest.raises(TransitionError, match="section 117") as caught:
            set_pathway_override(session, person, pathway, reason="x", actor=ACTOR)
        assert nhs_number(0) not in str(caught.value)  # masked


def test_a_stale_version_is_a_conflict_and_changes_nothing(database: Database) -> None:
    seed(database)
    refresh(database)
    stale = get(database, 2)
    with database.transaction() as session:  # someone else overrides first
        person = session.get(Person, stale.id)
        assert person is not None
        set_pathway_override(session, person, "joint", reason="First", actor="manager-a")
    with pytest.raises(ConflictError), database.transaction() as session:
        set_pathway_override(
            session,
            stale,
            "signpost",
            reason="Second",
            actor="manager-b",
            expected_version=stale.version,
        )
    with pytest.raises(ConflictError), database.transaction() as session:
        clear_pathway_override(
            session, get(database, 2), actor="manager-b", expected_version=stale.version
        )
    assert get(database, 2).pathway == "joint"
    with database.session() as session:
        assert len(audit.events(session, actions=["pathway.override"])) == 1


def test_clearing_when_there_is_no_override_says_so(database: Database) -> None:
    seed(database)
    with database.transaction() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(2))).one()
        with pytest.raises(TransitionError, match="no pathway override") as caught:
            clear_pathway_override(session, person, actor=ACTOR)
    assert caught.value.exit_code == 1


def test_only_changed_writes_only_what_could_differ(database: Database) -> None:
    seed(database)
    refresh(database)
    assert refresh(database, only_changed=True).evaluated == 0

    # A person's data changes.
    with database.transaction() as session:
        session.execute(
            update(Person).where(Person.nhs_number == nhs_number(1)).values(lives_alone=True)
        )
    summary = refresh(database, only_changed=True)
    assert (summary.evaluated, summary.unchanged) == (1, 4)
    assert get(database, 1).risk_factors[0]["factor"] == "lives_alone"

    # A worker's staff record changes: their people are re-assessed.
    with database.transaction() as session:
        make_staff(session, "S9")  # the unknown coordinator of person 4 arrives
    summary = refresh(database, only_changed=True)
    assert summary.evaluated == 1
    assert "no_known_coordinator" not in {f["factor"] for f in get(database, 4).risk_factors}

    # A person moves house: nothing the rules read changes. Then they lose their home.
    with database.transaction() as session:
        session.execute(
            update(Person).where(Person.nhs_number == nhs_number(2)).values(postcode="WX9 9ZZ")
        )
    assert refresh(database, only_changed=True).evaluated == 0
    with database.transaction() as session:
        session.execute(
            update(Person).where(Person.nhs_number == nhs_number(2)).values(postcode="ZZ99 3VZ")
        )
    assert refresh(database, only_changed=True).evaluated == 1
    assert "no_fixed_address" in {f["factor"] for f in get(database, 2).risk_factors}
    # The export says someone else is not in settled accommodation (MHSDS).
    with database.transaction() as session:
        session.execute(update(Person).where(Person.nhs_number == nhs_number(3)).values(
            settled_accommodation=False))
    assert refresh(database, only_changed=True).evaluated == 1
    assert {f["factor"]: f["value"] for f in get(database, 3).risk_factors}[
        "unsettled_accommodation"] == "not in settled accommodation"

    # A date crosses a window: the discharge 3 days ago passes 14 days.
    assert refresh(database, as_of=TODAY + timedelta(days=11), only_changed=True).evaluated == 0
    summary = refresh(database, as_of=TODAY + timedelta(days=12), only_changed=True)
    assert summary.evaluated == 1
    moved = get(database, 0)
    assert "discharged_recently" in {f["factor"] for f in moved.risk_factors}
    assert moved.risk_as_of == TODAY + timedelta(days=12)
    assert summary.pathways == {"council": 1, "trust": 1, "joint": 1, "assess": 1, "signpost": 1}


def test_only_changed_reassesses_everyone_when_the_rules_change(
    database: Database, tmp_path: Path
) -> None:
    seed(database)
    refresh(database)
    council = tmp_path / "council.toml"
    council.write_text('version = "westshire-2"\n[eligibility]\nhealth_led_clusters = []\n')
    summary = refresh(database, rules=load_rules(council), only_changed=True)
    assert summary.evaluated == 5
    assert get(database, 2).pathway_rules_version.startswith("westshire-2#")


def test_a_refresh_refuses_to_overwrite_a_concurrent_change(database: Database) -> None:
    seed(database)
    with (pytest.raises(ConflictError, match="Nothing was saved"),
          database.transaction() as session):

        def meddle(done: int, total: int) -> None:
            # Stands in for another manager's edit landing between the read and the write
            # (possible on PostgreSQL; SQLite holds the write lock for the whole run).
            session.execute(
                update(Person)
                .where(Person.nhs_number == nhs_number(2))
                .values(version=Person.version + 1)
            )

        refresh_assessments(session, RULES, as_of=TODAY, actor=ACTOR, progress=meddle)
    assert get(database, 0).pathway is None
    assert decide_events(database) == []


def test_at_risk_ranks_by_score_then_recent_discharge_then_nhs_number(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "S1")
        common = {"care_coordinator_id": "S1"}
        make_person(session, nhs_number=nhs_number(10), self_harm_history=True, **common)  # 3
        make_person(
            session, nhs_number=nhs_number(11), last_discharge=TODAY - timedelta(days=40), **common
        )  # 5, discharged 40 days ago
        make_person(
            session, nhs_number=nhs_number(12), last_discharge=TODAY - timedelta(days=20), **common
        )  # 5, discharged more recently: ahead
        make_person(session, nhs_number=nhs_number(13), safeguarding_open=True, **common)  # 3
        make_person(
            session,
            nhs_number=nhs_number(14),
            self_harm_history=True,
            last_discharge=TODAY,
            **common,
        )  # 13
        make_person(session, nhs_number=nhs_number(15), **common)  # 0
    refresh(database)
    with database.session() as session:
        ranked = [row.nhs_number for row in at_risk(session, None)]
        assert ranked == [nhs_number(i) for i in (14, 12, 11, 10, 13, 15)]
        assert [row.nhs_number for row in at_risk(session, 2)] == [nhs_number(14), nhs_number(12)]
        assert [row.nhs_number for row in at_risk(session, None, band="red")] == [nhs_number(14)]
        top = at_risk(session, 1)[0].as_json()
    assert set(top) == {"nhs_number", "risk_score", "risk_band", "risk_band_overridden",
                        "risk_factors", "risk_as_of"}
    assert top["risk_band_overridden"] is False
    assert top["risk_as_of"] == TODAY
    assert top["risk_score"] == 13 and top["risk_band"] == "red"
    assert {f["factor"] for f in top["risk_factors"]} == {
        "discharged_very_recently",
        "self_harm_history",
    }


def test_person_detail_carries_pathway_override_and_risk(database: Database) -> None:
    seed(database)
    refresh(database)
    with database.transaction() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(0))).one()
        set_pathway_override(
            session, person, "council", reason="Trust agreed to step down", actor=ACTOR
        )
    with database.session() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(0))).one()
        detail = person_detail(session, person)
    assert detail["pathway"] == "council"
    assert detail["pathway_rules_decision"] == "joint"
    assert detail["pathway_override"]["reason"] == "Trust agreed to step down"
    assert detail["pathway_override"]["by"] == ACTOR
    assert all(set(r) == {"rule", "reason", "basis"} for r in detail["pathway_reasons"])
    assert detail["risk_score"] == 17 and detail["risk_band"] == "red"
    assert "careful handover" in detail["risk_band_meaning"]
    assert all({"factor", "points", "value"} <= set(f) for f in detail["risk_factors"])
    assert detail["version"] == person.version


def test_progress_is_reported(database: Database) -> None:
    seed(database)
    calls: list[tuple[int, int]] = []
    refresh(database, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (5, 5)


def test_an_empty_caseload(database: Database) -> None:
    summary = refresh(database)
    assert summary.people == 0 and summary.pathways["council"] == 0


def test_progress_is_reported_when_only_changed_skips_everyone(database: Database) -> None:
    seed(database)
    refresh(database)
    calls: list[tuple[int, int]] = []
    refresh(database, only_changed=True, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(5, 5)]


def test_people_sharing_decisions_never_mix_up_clusters(database: Database, tmp_path: Path) -> None:
    council = tmp_path / "council.toml"
    council.write_text('version = "w"\n[eligibility]\nhealth_led_clusters = [0]\n')
    with database.transaction() as session:
        make_person(session, nhs_number=nhs_number(30), care_act_outcomes=[], cluster=0)
        make_person(session, nhs_number=nhs_number(31), care_act_outcomes=[], cluster=5)
        make_person(session, nhs_number=nhs_number(32), care_act_outcomes=[], cluster=None)
    refresh(database, rules=load_rules(council))
    assert [get(database, i).pathway for i in (30, 31, 32)] == ["trust", "signpost", "signpost"]
    assert "cluster 0" in get(database, 30).pathway_reasons[1]["reason"]


def test_the_bulk_refresh_stores_exactly_what_the_pure_rules_decide(database: Database) -> None:
    seed(database)
    with database.transaction() as session:
        make_person(
            session,
            nhs_number=nhs_number(5),
            care_act_outcomes=["Nutrition", "moon"],
            significant_impact=True,
            cluster=14,
            interpreter_language="Polish",
            coordinator_since=date(2020, 5, 1),
            last_contact=date(2026, 6, 1),
        )
        make_person(session, nhs_number=nhs_number(6), postcode="ZZ99 3VZ")  # no fixed abode
        make_person(session, nhs_number=nhs_number(7), accommodation_type="HM01")  # homeless
        make_person(session, nhs_number=nhs_number(8), employment_status="02")  # seeking work
        make_person(session, nhs_number=nhs_number(9), employment_status="08")  # retired
    refresh(database)
    assert {f["factor"]: f["value"] for f in get(database, 8).risk_factors}[
        "unemployed"] == "unemployed and seeking work (EmployStatus 02)"
    assert "unemployed" not in {f["factor"] for f in get(database, 9).risk_factors}
    assert {f["factor"]: f["value"] for f in get(database, 6).risk_factors}[
        "no_fixed_address"] == "ZZ99 3VZ (no fixed abode)"
    assert {f["factor"]: f["value"] for f in get(database, 7).risk_factors}[
        "unsettled_accommodation"] == "accommodation type HM01"
    with database.session() as session:
        staff = {s.staff_id: s for s in session.scalars(select(Staff))}
        for person in session.scalars(select(Person)):
            decision = decide_pathway(PathwayFacts.from_person(person), RULES.eligibility)
            assert person.pathway_reasons == decision.reasons_as_dicts()
            worker = staff.get(person.care_coordinator_id or "")
            coordinator = worker and CoordinatorFacts(
                worker.staff_id, worker.leaving_date, worker.absent_until, worker.seconded
            )
            risk = score(
                RiskFacts.from_person(person, coordinator, staff_list_loaded=True),
                RULES.risk,
                as_of=TODAY,
            )
            assert (person.risk_score, person.risk_band) == (risk.score, risk.band.value)
            assert person.risk_factors == risk.factors_as_dicts()


def test_the_counts_cover_only_the_people_in_the_latest_export(database: Database) -> None:
    """The dashboard's pathway and risk boxes and `transition status` sit beside the Allocation
    figures and the equality report, which count the people in the latest export: a person the
    trust's export no longer lists is not on a pathway, in a band or waiting to be assessed."""
    with database.transaction() as session:
        make_person(session, pathway="council", risk_band="red", risk_score=12)
        make_person(session, pathway="signpost", risk_band="green", risk_score=1)
        make_person(session)  # not assessed yet
        batch = ImportBatch(kind="caseload", file_name="export.csv", file_sha256="0" * 64,
                            actor=ACTOR)
        session.add(batch)
        session.flush()
        for pathway, band in (("council", "red"), ("signpost", "amber"), (None, None)):
            make_person(session, pathway=pathway, risk_band=band,
                        risk_score=None if band is None else 5,
                        missing_since_batch_id=batch.id)  # not in the latest export
    with database.session() as session:
        assert pathway_counts(session) == {"council": 1, "trust": 0, "joint": 0, "assess": 0,
                                           "signpost": 1}
        assert band_counts(session) == {"red": 1, "amber": 0, "green": 1}
        assert unassessed_count(session) == 1
        # The at-risk ranking beside the band counts: the same people.
        assert [row.risk_band for row in at_risk(session)] == ["red", "green"]


def test_a_coordinator_dropped_from_the_latest_staff_list_is_no_known_coordinator(
    database: Database,
) -> None:
    """A worker the latest staff list no longer has is kept, marked missing; the score read
    them as still there, so the gap in cover counted for nothing (matching, tasks and the
    dashboard already treat them as gone)."""
    with database.transaction() as session:
        batch = ImportBatch(kind="staff", file_name="staff.csv", file_sha256="0" * 64,
                            actor=ACTOR)
        session.add(batch)
        session.flush()
        make_staff(session, "S1", missing_since_batch_id=batch.id,
                   leaving_date=TODAY + timedelta(days=30))
        make_staff(session, "S2")
        make_person(session, nhs_number=nhs_number(0), care_coordinator_id="S1")
        make_person(session, nhs_number=nhs_number(1), care_coordinator_id="S2")
    refresh(database)
    dropped = {f["factor"]: f["value"] for f in get(database, 0).risk_factors}
    assert dropped == {"no_known_coordinator": "S1 is not on the staff list"}
    assert get(database, 1).risk_factors == []
    # Back on the next staff list: only what the list says about them counts again.
    with database.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == "S1").values(
            missing_since_batch_id=None))
    refresh(database, only_changed=True)
    back = {f["factor"]: f["value"] for f in get(database, 0).risk_factors}
    assert back == {"coordinator_leaving": f"S1: leaves on {(TODAY + timedelta(days=30)).isoformat()}"}


def test_outcomes_stored_as_a_blank_entry_are_assess_not_signpost(database: Database) -> None:
    """The importer stores a cell of '-' as [""] (warning that the pathway is assess); the
    refresh read that as "assessed, none unmet" and signposted the person."""
    with database.transaction() as session:
        make_person(session, nhs_number=nhs_number(0), care_act_outcomes=[""])
        make_person(session, nhs_number=nhs_number(1), care_act_outcomes=[])  # 'none'
    refresh(database)
    assert get(database, 0).pathway == "assess"
    assert get(database, 0).pathway_reasons[0]["rule"] == "outcomes_unreadable"
    assert get(database, 1).pathway == "signpost"
