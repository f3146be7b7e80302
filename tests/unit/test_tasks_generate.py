from datetime import date

from sqlalchemy import select, update
from sqlmodel import Session

from tests import task_world
from tests.factories import make_staff
from tests.task_world import ACTOR, DUE, TRANSFER, assign
from transition.audit import events
from transition.db import Database
from transition.handover import effective_handover_date, set_handover_date
from transition.models import ImportBatch, Person, Role, Staff, Task
from transition.ruleset import load_rules
from transition.tasks import generate_tasks, set_task_status
from transition.tasks.generate import tasks_behind

AS_OF = date(2027, 3, 1)
RULES = load_rules()


def generate(session: Session, **kwargs: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"as_of": AS_OF, "actor": ACTOR, "transfer_date": TRANSFER}
    options.update(kwargs)
    return generate_tasks(session, RULES, **options)  # type: ignore[arg-type]


def tasks_of(session: Session, person_id: int) -> dict[str, Task]:
    rows = session.scalars(select(Task).where(Task.person_id == person_id))
    return {task.key: task for task in rows}


def test_each_handover_gets_the_tasks_its_person_needs(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        summary = generate(session)
    with database.session() as session:
        keys = {name: set(tasks_of(session, pid)) for name, pid in ids.items()}
    assert keys["council"] == {"letter_person", "letter_gp", "letter_carer",
                               "records_transferred", "first_contact", "care_act_review"}
    assert keys["red"] == {"letter_person", "letter_gp", "joint_visit", "records_transferred",
                           "s117_review", "cto_review", "first_contact"}
    # Assessed, keeping their worker: nothing about a new worker, which no letter could close.
    assert keys["assess"] == {"assessment_booked"}
    assert keys["signpost"] == {"accessible_communication", "letter_gp"}  # BSL: no letter
    assert keys["kept"] == set()  # same worker, not assess: no handover
    assert "budget_continuity" in keys["joint_both"]
    assert summary.people == 7
    assert summary.created == sum(len(value) for value in keys.values())
    assert summary.open == summary.created and summary.overdue == 0


def test_an_assessed_person_keeping_their_worker_gets_only_the_assessment(
    database: Database,
) -> None:
    """An assess person whose social worker carries on has no new worker: no letter about one
    (letters writes none for them, so such a task could never be closed), no records to hand
    over, no first contact. They still have the Care Act assessment booked. With a new worker
    they get the whole handover; given back to the coordinator, the new worker's tasks no
    longer apply, and say why."""
    with database.transaction() as session:
        ids = task_world.build(session)
        moving = task_world.person(session, pathway="assess", carer=True, s117=True,
                                   personal_budget=True)
        assign(session, moving, Role.SOCIAL_WORKER, "IN1")
        generate(session)
        kept, moved = tasks_of(session, ids["assess"]), tasks_of(session, moving)
        assert set(kept) == {"assessment_booked"}
        assert (kept["assessment_booked"].owner_kind, kept["assessment_booked"].owner_staff_id,
                kept["assessment_booked"].due) == ("incoming", "OUT1", DUE[-5])
        assert set(moved) == {"assessment_booked", "letter_person", "letter_gp", "letter_carer",
                              "records_transferred", "budget_continuity", "s117_review",
                              "first_contact"}
        assert moved["assessment_booked"].owner_staff_id == "IN1"
        assign(session, moving, Role.SOCIAL_WORKER, "OUT1")  # the coordinator carries on
        summary = generate(session)
        moved = tasks_of(session, moving)
    assert summary.not_needed == 7 and summary.created == 0
    assert (moved["assessment_booked"].status, moved["assessment_booked"].owner_staff_id) == (
        "todo", "OUT1")
    for key, task in moved.items():
        if key != "assessment_booked":
            assert task.status == "not_needed", key
            assert (task.blocked_reason or "").startswith(
                "No longer applies: the person keeps their worker"), key


def test_due_dates_count_working_days_across_easter(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
    with database.session() as session:
        council, red = tasks_of(session, ids["council"]), tasks_of(session, ids["red"])
        assess = tasks_of(session, ids["assess"])
    assert council["letter_person"].due == DUE[-10]
    assert council["letter_person"].offset_working_days == -10
    assert council["records_transferred"].due == DUE[-1]
    # First contact counts NICE's 7 calendar days: Thursday 8 April, 5 working days on.
    assert (council["first_contact"].due, council["first_contact"].offset_working_days) == (
        DUE[7], 5)
    # The Care Act review "6 to 8 weeks after the change": 8 weeks on, Thursday 27 May 2027,
    # not 40 working days (Friday 28 May, past the 8 weeks once May Day is skipped).
    assert council["care_act_review"].due == date(2027, 5, 27)
    assert council["care_act_review"].offset_working_days == 39
    assert assess["assessment_booked"].due == DUE[-5]
    assert red["joint_visit"].due == DUE[-3]
    assert red["s117_review"].due == red["cto_review"].due == DUE[-2]
    # Discharged on 15 February 2027, within 3 months of the handover: 48 hours is Saturday
    # 3 April, brought back to Friday 2 April (not the 2nd working day, Monday 5 April).
    assert (red["first_contact"].offset_working_days, red["first_contact"].due) == (1, DUE[2])
    assert all(task.handover_date == TRANSFER for task in council.values())


def test_a_key_worker_handover_in_a_short_review_cluster_gets_its_first_review_in_time(
    database: Database,
) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        clusters = {"c14": 14, "c1": 1, "c2": 2, "c11": 11}
        for name, cluster in clusters.items():
            ids[name] = task_world.person(session, pathway="trust", cluster=cluster)
            assign(session, ids[name], Role.KEY_WORKER, "KW1")
        generate(session)
    with database.session() as session:
        review = {name: tasks_of(session, ids[name]).get("cluster_review") for name in clusters}
    assert review["c11"] is None  # reviewed every 6 or 12 months: not a handover task
    c14 = review["c14"]
    assert c14 is not None
    assert (c14.due, c14.offset_working_days) == (date(2027, 4, 29), 20)  # four weeks on
    assert (c14.owner_kind, c14.owner_staff_id) == ("incoming", "KW1")
    # 12 and 15 weeks on, as the clusters are reviewed (60 and 75 working days would be
    # Monday 28 June and Monday 19 July, past both once the May bank holidays are skipped).
    assert review["c1"] is not None and review["c1"].due == date(2027, 6, 24)
    assert review["c2"] is not None and review["c2"].due == date(2027, 7, 15)


def test_owners_follow_the_rules(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
    with database.session() as session:
        owner = {
            name: {key: (t.owner_kind, t.owner_staff_id)
                   for key, t in tasks_of(session, pid).items()}
            for name, pid in ids.items()
        }
    assert owner["council"]["letter_person"] == ("outgoing", "OUT1")
    assert owner["council"]["first_contact"] == ("incoming", "IN1")
    assert owner["red"]["cto_review"] == ("incoming", "KW1")
    # Signposted: no worker afterwards, so the team manager owns everything.
    assert set(owner["signpost"].values()) == {("manager", None)}
    # Joint, both roles changed: lead_role (social worker) owns incoming tasks...
    assert owner["joint_both"]["first_contact"] == ("incoming", "IN1")
    assert owner["joint_both"]["budget_continuity"] == ("incoming", "IN1")
    # ...joint with only the key worker new: the new key worker makes first contact.
    assert owner["joint_kw"]["first_contact"] == ("incoming", "KW1")
    # The trust's coordinator is not on the staff list: outgoing tasks have no named owner.
    assert owner["unknown_out"]["letter_gp"] == ("outgoing", None)
    assert owner["unknown_out"]["first_contact"] == ("incoming", "IN2")


def test_generating_again_changes_nothing(database: Database) -> None:
    with database.transaction() as session:
        task_world.build(session)
        first = generate(session)
    with database.transaction() as session:
        before = len(events(session, entity="task"))
        second = generate(session)
        assert len(events(session, entity="task")) == before
    assert first.created > 0
    assert (second.created, second.not_needed, second.owner_moved, second.due_moved) == (0, 0, 0, 0)
    assert second.unchanged == first.created


def test_a_pathway_change_marks_tasks_not_needed_and_keeps_done_work(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        council = tasks_of(session, ids["council"])
        set_task_status(session, council["letter_person"].id, "done", actor=ACTOR)  # type: ignore[arg-type]
        review_id = council["care_act_review"].id
        # The person now goes to the trust: no Care Act review, and a manager's decision.
        person = session.get(Person, ids["council"])
        assert person is not None
        person.pathway = "trust"
        session.add(person)
        session.flush()
        summary = generate(session)
    with database.session() as session:
        council = tasks_of(session, ids["council"])
        review = council["care_act_review"]
        assert review.status == "not_needed" and review.id == review_id
        assert review.blocked_reason is not None and "pathway trust" in review.blocked_reason
        assert council["letter_person"].status == "done"  # done work untouched
        assert summary.not_needed == 1
        [event] = [e for e in events(session, entity="task", actions=["task.status"])
                   if e.entity_key == str(review_id)]
        assert (event.before, event.after, event.actor) == ("todo", "not_needed", ACTOR)


def test_when_the_worker_no_longer_changes_open_tasks_are_not_needed(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        first_contact = tasks_of(session, ids["council"])["first_contact"]
        set_task_status(session, first_contact.id, "in_progress", actor=ACTOR)  # type: ignore[arg-type]
        assign(session, ids["council"], Role.SOCIAL_WORKER, "OUT1")  # re-planned: keeps OUT1
        generate(session)
        statuses = {key: t.status for key, t in tasks_of(session, ids["council"]).items()}
        assert set(statuses.values()) == {"not_needed"}
        # Re-planned again to a new worker: the tasks the generator put aside come back.
        assign(session, ids["council"], Role.SOCIAL_WORKER, "IN2")
        summary = generate(session)
        tasks = tasks_of(session, ids["council"])
    assert summary.reopened == len(tasks)
    assert {t.status for t in tasks.values()} == {"todo"}
    assert tasks["first_contact"].owner_staff_id == "IN2"
    assert tasks["first_contact"].blocked_reason is None


def test_a_managers_not_needed_is_respected(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        visit = tasks_of(session, ids["red"])["joint_visit"]
        set_task_status(session, visit.id, "not_needed", actor=ACTOR,  # type: ignore[arg-type]
                        reason="Met the new worker at the ward round")
        summary = generate(session)
        assert tasks_of(session, ids["red"])["joint_visit"].status == "not_needed"
    assert summary.reopened == 0


def test_ownership_moves_after_replanning(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        tasks = tasks_of(session, ids["council"])
        done_id = tasks["letter_gp"].id
        set_task_status(session, done_id, "done", actor=ACTOR)  # type: ignore[arg-type]
        version = tasks["first_contact"].version
        assign(session, ids["council"], Role.SOCIAL_WORKER, "IN2")
        summary = generate(session)
    with database.session() as session:
        tasks = tasks_of(session, ids["council"])
        assert tasks["first_contact"].owner_staff_id == "IN2"
        assert tasks["first_contact"].version == version + 1
        assert tasks["care_act_review"].owner_staff_id == "IN2"
        assert tasks["letter_person"].owner_staff_id == "OUT1"  # outgoing is unchanged
        moves = [e for e in events(session, actions=["task.owner"])]
        assert summary.owner_moved == len(moves) == 2
        assert moves[0].before["owner_staff_id"] == "IN1"
        assert moves[0].after["owner_staff_id"] == "IN2"


def test_a_phased_handover_date_moves_due_dates(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        person = session.get(Person, ids["council"])
        assert person is not None
        change = set_handover_date(session, person, date(2027, 5, 4), actor=ACTOR,
                                   reason="Phase 2")
        assert change.changed
        assert effective_handover_date(person, TRANSFER) == date(2027, 5, 4)
        summary = generate(session)
    with database.session() as session:
        tasks = tasks_of(session, ids["council"])
        # 10 working days before Tuesday 4 May 2027 (May Day, Monday 3 May, skipped).
        assert tasks["letter_person"].due == date(2027, 4, 19)
        assert tasks["letter_person"].handover_date == date(2027, 5, 4)
        assert tasks["first_contact"].due == date(2027, 5, 11)  # 7 calendar days on
        assert summary.due_moved == len(tasks)
        [dated] = events(session, actions=["person.handover_date"])
        assert (dated.before, dated.after, dated.reason) == (None, "2027-05-04", "Phase 2")
        assert len(events(session, actions=["task.due"])) == len(tasks)
        # Other people still move on the programme's date.
        assert tasks_of(session, ids["assess"])["assessment_booked"].handover_date == TRANSFER


def test_clearing_the_date_falls_back_to_the_programme(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        person = session.get(Person, ids["council"])
        assert person is not None
        set_handover_date(session, person, date(2027, 5, 4), actor=ACTOR)
        set_handover_date(session, person, None, actor=ACTOR)
        assert effective_handover_date(person, TRANSFER) == TRANSFER
        assert person.version == 3
        assert not set_handover_date(session, person, None, actor=ACTOR).changed


def test_without_any_handover_date_nobody_gets_tasks(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        person = session.get(Person, ids["council"])
        assert person is not None
        set_handover_date(session, person, date(2027, 5, 4), actor=ACTOR)
        summary = generate(session, transfer_date=None)
        assert summary.without_handover_date == 6
        assert summary.people == 1
        assert set(tasks_of(session, ids["council"])) and not tasks_of(session, ids["red"])


def test_a_rules_change_updates_titles_and_deadlines(database: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    council = tmp_path / "council.toml"
    council.write_text(
        'version = "w"\n[tasks.templates.letter_gp]\ntitle = "GP told"\noffset_working_days = -5\n'
        "[tasks.templates.joint_visit]\nenabled = false\n"
    )
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        summary = generate_tasks(session, load_rules(council), as_of=AS_OF, actor=ACTOR,
                                 transfer_date=TRANSFER)
        red = tasks_of(session, ids["red"])
    assert red["letter_gp"].title == "GP told" and red["letter_gp"].due == DUE[-5]
    assert red["joint_visit"].status == "not_needed"
    assert "rules no longer include" in (red["joint_visit"].blocked_reason or "")
    assert summary.template_changed == 6  # every open letter_gp task
    assert summary.not_needed == 1


def test_generation_can_be_limited_to_some_people(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        summary = generate(session, person_ids=[ids["red"], ids["kept"]])
        assert summary.people == 1
        assert set(tasks_of(session, ids["red"])) and not tasks_of(session, ids["council"])


def test_a_new_worker_without_a_coordinator_still_gets_tasks(database: Database) -> None:
    with database.transaction() as session:
        task_world.build(session)
        make_staff(session, "IN3")
        pid = task_world.person(session, pathway="council", coordinator=None)
        assign(session, pid, Role.SOCIAL_WORKER, "IN3")
        progress: list[tuple[int, int]] = []
        generate(session, progress=lambda done, total: progress.append((done, total)))
        tasks = tasks_of(session, pid)
    assert tasks["letter_person"].owner_staff_id is None
    assert tasks["first_contact"].owner_staff_id == "IN3"
    assert progress and progress[-1][0] == progress[-1][1]


def test_creation_is_audited_with_who(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        [created] = events(session, person_id=ids["red"], actions=["task.create"])
        tasks = tasks_of(session, ids["red"])
        assert len(events(session, actions=["task.create"])) == 7  # one per handover
    assert created.after == {key: task.id for key, task in tasks.items()}
    assert (created.actor, created.entity, created.field) == (ACTOR, "task", "tasks")


def test_new_task_ids_are_found_even_if_the_id_range_misses_them(database: Database) -> None:
    from transition.tasks.generate import _new_ids

    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        tasks = tasks_of(session, ids["red"])
        inserted = [(ids["red"], key) for key in tasks]
        expected = {(ids["red"], key): task.id for key, task in tasks.items()}
        found = _new_ids(session, 0, inserted)
        assert {pair: found[pair] for pair in expected} == expected
        assert _new_ids(session, 10**9, inserted) == expected  # the person-by-person fallback


def test_due_dates_across_christmas_and_new_year(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        person = session.get(Person, ids["council"])
        assert person is not None
        # Tuesday 4 January 2028: Christmas 2027 falls at a weekend (substitutes Monday 27 and
        # Tuesday 28 December) and New Year's Day 2028 is a Saturday (substitute Monday 3).
        set_handover_date(session, person, date(2028, 1, 4), actor=ACTOR)
        generate(session)
        tasks = tasks_of(session, ids["council"])
    assert tasks["letter_person"].due == date(2027, 12, 16)
    assert tasks["records_transferred"].due == date(2027, 12, 31)
    assert tasks["first_contact"].due == date(2028, 1, 11)  # 7 calendar days on


def test_a_coordinator_gone_or_away_at_the_handover_owns_no_outgoing_tasks(
    database: Database,
) -> None:
    """Outgoing tasks fall due in the days before the handover: a coordinator who leaves on or
    before the handover date, or is away on it, cannot do them, so the team manager holds
    them (unowned), as for a coordinator not on the staff list. Done work stays theirs."""
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        tasks = tasks_of(session, ids["council"])
        set_task_status(session, tasks["letter_gp"].id, "done", actor=ACTOR)  # type: ignore[arg-type]
        coordinator = session.get(Person, ids["council"]).care_coordinator_id  # type: ignore[union-attr]
        assert coordinator == "OUT1"
        staff = session.get(Staff, "OUT1")
        assert staff is not None
        staff.leaving_date = TRANSFER  # leaves on the handover date itself
        session.add(staff)
        session.flush()
        moved = generate(session)
    with database.session() as session:
        owners = {key: (task.owner_kind, task.owner_staff_id, task.status)
                  for key, task in tasks_of(session, ids["council"]).items()}
    assert owners["letter_person"] == ("outgoing", None, "todo")
    assert owners["letter_gp"] == ("outgoing", "OUT1", "done")  # done work is not moved
    assert owners["first_contact"] == ("incoming", "IN1", "todo")
    assert moved.owner_moved >= 1

    with database.transaction() as session:  # staying after all, but away over the handover
        staff = session.get(Staff, "OUT1")
        assert staff is not None
        staff.leaving_date = None
        staff.absent_until = TRANSFER
        session.add(staff)
        session.flush()
        generate(session)
        assert tasks_of(session, ids["council"])["letter_person"].owner_staff_id is None
        staff.absent_until = date(2027, 3, 31)  # back the day before: theirs again
        session.add(staff)
        session.flush()
        generate(session)
        assert tasks_of(session, ids["council"])["letter_person"].owner_staff_id == "OUT1"


def test_a_coordinator_dropped_from_the_latest_staff_list_owns_no_outgoing_tasks(
    database: Database,
) -> None:
    """A worker the latest staff list no longer names is gone as far as anyone knows: their
    open outgoing tasks go to the team manager (unowned); back on the list, theirs again."""
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        assert tasks_of(session, ids["council"])["letter_person"].owner_staff_id == "OUT1"
        staff_list = ImportBatch(kind="staff", file_name="staff.csv", file_sha256="0" * 64,
                                 actor=ACTOR)
        session.add(staff_list)
        session.flush()
        staff = session.get(Staff, "OUT1")
        assert staff is not None
        staff.missing_since_batch_id = staff_list.id
        session.add(staff)
        session.flush()
        moved = generate(session)
        assert moved.owner_moved >= 1
        assert tasks_of(session, ids["council"])["letter_person"].owner_staff_id is None
        staff.missing_since_batch_id = None
        session.add(staff)
        session.flush()
        generate(session)
        assert tasks_of(session, ids["council"])["letter_person"].owner_staff_id == "OUT1"


def test_a_coordinator_whose_allocation_ends_before_the_handover_owns_no_outgoing_tasks(
    database: Database,
) -> None:
    """The export's EndDateAssCareCoord (``coordinator_until``, their last day with the
    person) before the handover date: they no longer hold the person then, so the team
    manager holds the outgoing tasks, as the letters say the worker stopped on that date.
    On the handover date itself they still hold them."""
    with database.transaction() as session:
        ids = task_world.build(session)
        person = session.get(Person, ids["council"])
        assert person is not None and person.care_coordinator_id == "OUT1"
        person.coordinator_until = date(2027, 3, 31)  # the day before the transfer
        session.add(person)
        session.flush()
        generate(session)
        tasks = tasks_of(session, ids["council"])
        assert (tasks["letter_person"].owner_kind, tasks["letter_person"].owner_staff_id) == (
            "outgoing", None)
        assert tasks["first_contact"].owner_staff_id == "IN1"
        person.coordinator_until = TRANSFER
        session.add(person)
        session.flush()
        moved = generate(session)
        assert tasks_of(session, ids["council"])["letter_person"].owner_staff_id == "OUT1"
        assert moved.owner_moved >= 1


def test_a_coordinator_given_the_role_again_after_their_allocation_ended_gets_handover_tasks(
    database: Database,
) -> None:
    """The plan gave the person back to the coordinator whose allocation the export says
    ended before the handover: the person has had no one since, so they get the tasks of a
    new worker (first contact with the returning worker, the team manager holding the
    outgoing ones), and the nightly check finds them missing until generated. An allocation
    that lasts to the handover day is no handover: those tasks are then not needed."""
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
        assert tasks_of(session, ids["kept"]) == {}
        person = session.get(Person, ids["kept"])
        assert person is not None and person.care_coordinator_id == "OUT1"
        person.coordinator_until = date(2027, 3, 31)
        session.add(person)
        session.flush()
        behind = tasks_behind(session, RULES, transfer_date=TRANSFER)
        assert behind.person_ids == [ids["kept"]] and behind.summary.created > 0
        generate(session)
        tasks = tasks_of(session, ids["kept"])
        assert tasks["first_contact"].owner_staff_id == "OUT1"
        assert tasks["first_contact"].owner_kind == "incoming"
        assert (tasks["letter_person"].owner_kind, tasks["letter_person"].owner_staff_id) == (
            "outgoing", None)
        assert tasks_behind(session, RULES, transfer_date=TRANSFER).person_ids == []

        person.coordinator_until = TRANSFER
        session.add(person)
        session.flush()
        assert tasks_behind(session, RULES, transfer_date=TRANSFER).person_ids == [ids["kept"]]
        generate(session)
        assert {task.status for task in tasks_of(session, ids["kept"]).values()} == {
            "not_needed"}


def test_a_joint_visit_waits_until_a_bsl_user_has_been_told(database: Database) -> None:
    """A braille or BSL user gets no letter (the team tells them another way): the joint
    visit waits for that instead, so the new worker never turns up unannounced."""
    with database.transaction() as session:
        task_world.build(session)
        bsl = task_world.person(session, pathway="council", band="red", accessible_format="bsl")
        assign(session, bsl, Role.SOCIAL_WORKER, "IN1")
        generate(session)
    with database.session() as session:
        tasks = tasks_of(session, bsl)
    assert "letter_person" not in tasks
    assert tasks["joint_visit"].depends_on == ["accessible_communication"]


def test_a_joint_case_whose_care_act_assessment_is_pending_gets_it_booked(
    database: Database,
) -> None:
    """Health-led care (or s117, a CTO) with needs not yet assessed is joint, not assess (the
    key worker stays): the council's social worker still books the assessment. A joint case
    whose needs were assessed gets no such task."""
    from transition.eligibility import PathwayFacts, decide_pathway
    from transition.stored_reasons import stored_reasons_hash

    rules = load_rules()

    def reasons(**facts: object) -> list[dict[str, str]]:
        decision = decide_pathway(PathwayFacts.of(**facts), rules.eligibility)  # type: ignore[arg-type]
        assert decision.pathway == "joint"
        return decision.reasons_as_dicts()

    with database.transaction() as session:
        task_world.build(session)
        pending = task_world.person(session, pathway="joint", cpa=True)
        assessed = task_world.person(session, pathway="joint", cpa=True)
        for person_id, said in ((pending, reasons(care_act_outcomes=None, cpa=True)),
                                (assessed, reasons(care_act_outcomes=["nutrition", "hygiene"],
                                                   significant_impact=True, cpa=True))):
            made = session.get(Person, person_id)
            assert made is not None
            made.pathway_reasons_hash = stored_reasons_hash(session.connection(), said)
            assign(session, person_id, Role.SOCIAL_WORKER, "IN1")
        generate(session)
    with database.session() as session:
        assert tasks_of(session, pending)["assessment_booked"].owner_staff_id == "IN1"
        assert "assessment_booked" not in tasks_of(session, assessed)


def test_braille_or_bsl_recorded_only_as_the_preferred_language_gets_its_task(
    database: Database,
) -> None:
    """An MHSDS export gives braille and sign languages as LanguageCodePreferred (q1, q4) and
    has no accessible-format column: the team still gets accessible_communication, and the
    joint visit waits for it (the letters skip the printed letter for the same reason)."""
    with database.transaction() as session:
        task_world.build(session)
        bsl = task_world.person(session, pathway="council", band="red",
                                preferred_language="british sign language")
        assign(session, bsl, Role.SOCIAL_WORKER, "IN1")
        generate(session)
    with database.session() as session:
        tasks = tasks_of(session, bsl)
    assert "accessible_communication" in tasks and "letter_person" not in tasks
    assert tasks["joint_visit"].depends_on == ["accessible_communication"]


def test_no_carer_task_for_a_person_who_does_not_agree_to_their_carer_being_told(
    database: Database,
) -> None:
    """letter_carer needs a carer the person has not said no to (carer_may_be_told), as the
    letters decide: a carer's name with the carer column blank counts; consent no does not,
    and a task made before the no was recorded is set aside saying why."""
    with database.transaction() as session:
        task_world.build(session)
        said_no = task_world.person(session, pathway="council", carer=True,
                                    carer_consent=False)
        named_only = task_world.person(session, pathway="council", carer=None,
                                       carer_name="Rita")
        changes_mind = task_world.person(session, pathway="council", carer=True)
        for person_id in (said_no, named_only, changes_mind):
            assign(session, person_id, Role.SOCIAL_WORKER, "IN1")
        generate(session)
        assert "letter_carer" not in tasks_of(session, said_no)
        assert "letter_carer" in tasks_of(session, named_only)
        assert tasks_of(session, changes_mind)["letter_carer"].status == "todo"
        session.execute(update(Person).where(Person.id == changes_mind)
                        .values(carer_consent=False))
        # The nightly check sees it before anyone runs tasks generate: a worker must not
        # phone the carer meanwhile.
        behind = tasks_behind(session, RULES, transfer_date=TRANSFER)
        assert behind.person_ids == [changes_mind] and behind.summary.not_needed == 1
        generate(session)
        task = tasks_of(session, changes_mind)["letter_carer"]
    assert task.status == "not_needed"
    assert "does not agree to their carer being told" in (task.blocked_reason or "")
