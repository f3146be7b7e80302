"""Hand-checked cases for the matching solver (pure: no database)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from transition.matching import Held, MatchingRules, Need, Problem, Solution, Worker, solve
from transition.matching.network import marginal_load_costs
from transition.matching.rules import Costs, Distance, Reach, SkillRule

DAY = date(2027, 4, 1)
RULES = MatchingRules(max_red_handovers_per_worker=3)


def worker(staff_id: str, **fields: Any) -> Worker:
    values: dict[str, Any] = {"employer": "council", "role": "social_worker", "team": "North SW",
                              "locality": "North", "capacity": 10}
    values.update(fields)
    return Worker(staff_id=staff_id, **values)


def need(person_id: int, **fields: Any) -> Need:
    values: dict[str, Any] = {"role": "social_worker", "handover_date": DAY, "band": "green",
                              "team": "North CMHT", "locality": "North"}
    values.update(fields)
    return Need(person_id=person_id, **values)


def placed(solution: Solution) -> dict[int, str | None]:
    return {p.need.person_id: p.staff_id for p in solution.placements}


def by_person(solution: Solution, person_id: int):  # type: ignore[no-untyped-def]
    return next(p for p in solution.placements if p.need.person_id == person_id)


def test_continuity_is_kept_when_capacity_allows() -> None:
    workers = (worker("A", capacity=2), worker("B", capacity=10))
    needs = (need(1, current_staff_id="A", coordinator_id="A"),
             need(2, current_staff_id="A", coordinator_id="A"))
    solution = solve(Problem(needs, workers), RULES)
    assert placed(solution) == {1: "A", 2: "A"}
    assert all(p.kept for p in solution.placements)
    assert solution.optimal and solution.status == "OPTIMAL"
    assert "keeps current worker" in by_person(solution, 1).reasons


def test_capacity_is_never_exceeded_and_the_overflow_is_explained() -> None:
    workers = (worker("A", capacity=2), worker("B", capacity=2))
    needs = tuple(need(i, current_staff_id="A", coordinator_id="A") for i in range(1, 6))
    solution = solve(Problem(needs, workers), RULES)
    assert solution.assigned == 4 and solution.unassigned == 1
    assert all(load.total <= load.capacity for load in solution.loads.values())
    kept = sum(p.kept for p in solution.placements)
    assert kept == 2  # A's two places go to two of their own people
    [left] = [p for p in solution.placements if p.staff_id is None]
    assert left.unassigned_reasons == ("every eligible worker in reach is full (2 workers, 4 places)",)
    moved = next(p for p in solution.placements if p.staff_id == "B")
    assert moved.reasons[0].startswith("new worker (current worker full (2 of 2))")


def test_red_band_handover_cap_is_honoured_and_kept_people_do_not_count() -> None:
    rules = MatchingRules(max_red_handovers_per_worker=1)
    workers = (worker("A"), worker("B"))
    needs = (
        need(1, band="red"), need(2, band="red"), need(3, band="red"),
        # A keeps two red-band people of their own: not handovers.
        need(4, band="red", current_staff_id="A", coordinator_id="A"),
        need(5, band="red", current_staff_id="A", coordinator_id="A"),
    )
    solution = solve(Problem(needs, workers), rules)
    assert placed(solution)[4] == "A" and placed(solution)[5] == "A"
    new = [p for p in solution.placements if p.need.person_id <= 3]
    assert sorted(p.staff_id or "-" for p in new) == ["-", "A", "B"]
    assert all(load.red_handovers <= 1 for load in solution.loads.values())
    [left] = [p for p in new if p.staff_id is None]
    assert left.unassigned_reasons == (
        "every eligible worker in reach has reached the red-band handover cap (1)",)
    assert any("red-band handover: 1 of 1" in reason for p in new if p.staff_id
               for reason in p.reasons)


def test_a_red_band_person_going_back_to_a_coordinator_whose_allocation_ended_is_a_handover(
) -> None:
    """The coordinator is no handover baseline once their allocation ends before the
    handover (``coordinator_ended``): going back to them counts against the red cap, and
    they are someone the person knows, not their current worker."""
    rules = MatchingRules(max_red_handovers_per_worker=1)
    workers = (worker("A"), worker("B"))
    ended = {"band": "red", "coordinator_id": "A", "coordinator_ended": date(2027, 1, 31),
             "known": frozenset({"A"})}
    solution = solve(Problem((need(1, **ended), need(2, **ended)), workers), rules)
    assert sorted(p.staff_id or "-" for p in solution.placements) == ["A", "B"]
    assert solution.loads["A"].red_handovers == 1
    assert not any(p.kept for p in solution.placements)
    moved = next(p for p in solution.placements if p.staff_id == "B")
    assert moved.reasons[0] == ("new worker (current worker A's allocation stops before the "
                                "handover (last day 2027-01-31))")


def test_a_lock_uses_capacity_and_the_red_cap() -> None:
    rules = MatchingRules(max_red_handovers_per_worker=1)
    workers = (worker("A", capacity=2), worker("B", capacity=1))
    held = (Held(9, "social_worker", "A", red_handover=True, locked=True),)
    needs = (need(1, band="red"), need(2), need(3))
    solution = solve(Problem(needs, workers, held), rules)
    loads = solution.loads
    assert loads["A"].held == 1 and loads["A"].total <= 2 and loads["B"].total <= 1
    assert placed(solution)[1] == "B"  # A's red cap is used by the lock
    assert solution.assigned == 2


@pytest.mark.parametrize(
    ("workers", "the_need", "reason"),
    [
        ((worker("K", employer="trust", role="nurse"),), need(1),
         "no council social worker on the staff list"),
        ((worker("A", leaving_date=date(2027, 3, 31)),), need(1),
         ("no council social worker is active on 2027-04-01 (1 on the staff list are leaving, "
         "absent or withdrawn)")),
        ((worker("A", absent_until=date(2027, 4, 1)),), need(1),
         ("no council social worker is active on 2027-04-01 (1 on the staff list are leaving, "
         "absent or withdrawn)")),
        ((worker("A", locality="South"),), need(1), ("no active council social worker in reach "
         "of North (within 15 km)")),
        ((worker("A"),), need(1, required=(("forensic", "on a CTO"),)),
         "no council social worker with skill forensic in North (needed: on a CTO)"),
        ((worker("A", skills=frozenset({"forensic"})), worker("B", skills=frozenset({"eip"}))),
         need(1, required=(("forensic", "x"), ("eip", "y"))),
         "no worker in reach has all of forensic, eip"),
        ((worker("A", keep_only=True),), need(1),
         ("the only suitable workers in reach (1) take no new people until their council team "
         "is decided")),
        ((worker("A", capacity=0),), need(1),
         "every eligible worker in reach is full (1 worker, 0 places)"),
    ],
)
def test_each_unassigned_reason(workers: tuple[Worker, ...], the_need: Need, reason: str) -> None:
    rules = MatchingRules(reach=Reach(mode="nearby", max_km=15))
    solution = solve(Problem((the_need,), workers), rules)
    [placement] = solution.placements
    assert placement.staff_id is None
    assert placement.unassigned_reasons == (reason,)


@pytest.mark.parametrize(
    ("reach", "where"),
    [(Reach(mode="nearby", max_km=15), "within 15 km of North"),
     (Reach(mode="everywhere"), "anywhere")],
)
def test_a_missing_skill_says_where_nobody_has_it(reach: Reach, where: str) -> None:
    """The unassigned reason names the role, the skill and the reach, so a manager sees where
    the gap is: the forensic worker 30 km away does not count."""
    rules = MatchingRules(reach=reach, distances=(Distance(between=("North", "South"), km=30),))
    workers: tuple[Worker, ...] = (worker("A"),)
    if reach.mode == "nearby":  # out of reach, so it does not count
        workers += (worker("B", locality="South", skills=frozenset({"forensic"})),)
    solution = solve(Problem((need(1, required=(("forensic", "forensic history"),)),), workers),
                     rules)
    [placement] = solution.placements
    assert placement.unassigned_reasons == (
        f"no council social worker with skill forensic {where} (needed: forensic history)",)


def test_a_worker_back_from_absence_within_the_grace_counts_as_active() -> None:
    workers = (worker("A", absent_until=date(2027, 4, 3)),)
    assert solve(Problem((need(1),), workers), MatchingRules()).assigned == 0
    assert solve(Problem((need(1),), workers), MatchingRules(back_within_days=3)).assigned == 1


def test_language_and_gender_preferences_choose_between_equal_workers() -> None:
    workers = (
        worker("A", gender="male", languages=frozenset({"english"})),
        worker("B", gender="female", languages=frozenset({"english", "polish"})),
    )
    needs = (need(1, language="polish"), need(2, preferred_gender="male"))
    solution = solve(Problem(needs, workers), RULES)
    assert placed(solution) == {1: "B", 2: "A"}
    assert "speaks Polish" in by_person(solution, 1).reasons
    assert "preferred gender (male)" in by_person(solution, 2).reasons
    runner_up = by_person(solution, 1).alternatives[0]
    assert runner_up.staff_id == "A"
    assert runner_up.why_not == ("costs 150 more: does not speak Polish: book an interpreter",)


def test_a_preferred_language_has_its_own_weight_and_words() -> None:
    """A preferred language (no interpreter needed) has its own weight, half an
    interpreter's by default, and words that do not ask for an interpreter; a worker's own
    spelling of the language counts."""
    workers = (worker("A", languages=frozenset({"english"})),
               worker("B", languages=frozenset({"english", "bangla"})))
    needs = (need(1, language="bengali", language_preferred=True),)
    solution = solve(Problem(needs, workers), RULES)
    assert placed(solution) == {1: "B"}
    assert "speaks Bengali, their preferred language" in by_person(solution, 1).reasons
    runner_up = by_person(solution, 1).alternatives[0]
    assert runner_up.why_not == (
        ("costs 75 more: does not speak Bengali, their preferred language"),)


def test_distance_and_reach_between_localities() -> None:
    rules = MatchingRules(
        reach=Reach(mode="nearby", max_km=10),
        distances=(Distance(between=("North", "Central"), km=8),
                   Distance(between=("North", "South"), km=30)),
    )
    workers = (worker("C", locality="Central"), worker("S", locality="South"))
    solution = solve(Problem((need(1),), workers), rules)
    placement = by_person(solution, 1)
    assert placement.staff_id == "C"
    assert "another locality (Central, 8 km)" in placement.reasons
    assert placement.cost == 1000 + 60 + 100 + 5 * 8
    assert [alternative.staff_id for alternative in placement.alternatives] == []  # S out of reach


def test_the_current_worker_is_kept_out_of_reach_and_with_an_undecided_team() -> None:
    workers = (worker("A", locality="Far", keep_only=True), worker("B"))
    needs = (need(1, current_staff_id="A", coordinator_id="A"), need(2))
    solution = solve(Problem(needs, workers), RULES)
    assert placed(solution) == {1: "A", 2: "B"}


def test_convex_load_cost_spreads_people_across_equal_workers() -> None:
    workers = (worker("A", capacity=4), worker("B", capacity=4))
    needs = tuple(need(i) for i in range(4))
    solution = solve(Problem(needs, workers), RULES)
    assert solution.loads["A"].total == 2 and solution.loads["B"].total == 2
    steps = marginal_load_costs(4, 20)
    assert steps == sorted(steps) and steps[0] < steps[-1]
    assert solution.objective == 4 * (1000 + 60) + 2 * (steps[0] + steps[1])


def test_when_capacity_is_short_the_red_band_is_placed_first() -> None:
    workers = (worker("A", capacity=1),)
    needs = (need(1, band="green", current_staff_id="A", coordinator_id="A"), need(2, band="red"))
    solution = solve(Problem(needs, workers), RULES)
    assert placed(solution) == {1: None, 2: "A"}
    assert by_person(solution, 1).unassigned_reasons == (
        "every eligible worker in reach is full (1 worker, 1 place)",
        "people in the red band were placed first",
    )
    # The objective reported is the plan's cost, without the priority used to order it.
    assert solution.objective == 1000 + 60 + marginal_load_costs(1, 20)[0]


def test_known_worker_and_change_from_accepted_costs() -> None:
    costs = Costs()
    workers = (worker("A", capacity=1), worker("B"), worker("C"))
    # Person 1 had B before; A now holds the role in the accepted plan, but A is full of a lock.
    needs = (need(1, current_staff_id="A", accepted_staff_id="A", known=frozenset({"B", "A"})),)
    held = (Held(5, "social_worker", "A", locked=True),)
    solution = solve(Problem(needs, workers, held), RULES)
    placement = by_person(solution, 1)
    assert placement.staff_id == "B"
    assert placement.cost == costs.known_worker + costs.change_from_accepted + costs.other_team
    assert "new worker the person already knows" in placement.reasons
    assert "changes the accepted allocation (was A)" in placement.reasons


def test_skills_rule_model_refuses_a_bad_condition_and_unknown_role() -> None:
    with pytest.raises(ValueError, match="unknown fact"):
        SkillRule(skill="forensic", when="ctoo")
    with pytest.raises(ValueError, match="unknown role"):
        MatchingRules.model_validate({"roles": {"nurse": {"employers": ["trust"],
                                                          "staff_roles": ["nurse"]}}})


def test_an_empty_problem_is_optimal_and_empty() -> None:
    solution = solve(Problem((), (worker("A"),)), RULES)
    assert solution.optimal and solution.placements == [] and solution.objective == 0


def test_same_problem_same_plan() -> None:
    workers = tuple(worker(f"W{i}", capacity=3, gender="male" if i % 2 else "female")
                    for i in range(6))
    needs = tuple(need(i, preferred_gender="male" if i % 3 else None, band="red" if i % 4 == 0
                       else "green") for i in range(15))
    first = solve(Problem(needs, workers), RULES)
    second = solve(Problem(needs, workers), RULES)
    assert placed(first) == placed(second)
    assert [p.reasons for p in first.placements] == [p.reasons for p in second.placements]
