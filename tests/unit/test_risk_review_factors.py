"""Risk factors found wrong in review: evidence that contradicts itself."""

from datetime import date

from transition.risk import BulkScorer, CoordinatorFacts, RiskFacts, score
from transition.ruleset import load_rules

AS_OF = date(2027, 1, 15)
RULES = load_rules().risk


def test_no_coordinator_recorded_is_no_long_relationship_with_one() -> None:
    """An export row with a care-coordinator start date (StartDateAssCareCoord) but no
    coordinator scored both "no care coordinator: none recorded" and "has had the same care
    coordinator for 2 years or more": evidence a manager cannot square. With no one recorded
    there is no relationship to lose; the gap counts once, as no_known_coordinator."""
    facts = RiskFacts(coordinator_since=date(2019, 3, 1), care_coordinator_id=None,
                      staff_list_loaded=True)
    found = {f.factor: f.value for f in score(facts, RULES, as_of=AS_OF).factors}
    assert found == {"no_known_coordinator": "none recorded"}
    blank = RiskFacts(coordinator_since=date(2019, 3, 1), care_coordinator_id="",
                      staff_list_loaded=True)
    assert {f.factor for f in score(blank, RULES, as_of=AS_OF).factors} == {
        "no_known_coordinator"}
    # With a coordinator recorded, the relationship still counts.
    held = RiskFacts(coordinator_since=date(2019, 3, 1), care_coordinator_id="S1",
                     coordinator=CoordinatorFacts("S1"), staff_list_loaded=True)
    assert {f.factor for f in score(held, RULES, as_of=AS_OF).factors} == {"long_relationship"}


def test_the_bulk_scorer_agrees_when_people_share_a_start_date() -> None:
    """The bulk scorer shares one long_relationship result between people with the same start
    date: one with a coordinator must not lend it to one without (nor the other way round)."""
    staff = {"S1": CoordinatorFacts("S1")}
    other = (None,) * 15
    for order in (("S1", None), (None, "S1")):
        bulk = BulkScorer(RULES, AS_OF, staff, staff_list_loaded=True)
        for coordinator in order:
            result = bulk(None, date(2019, 3, 1), None, coordinator, None, other)
            expected = score(RiskFacts(coordinator_since=date(2019, 3, 1),
                                       care_coordinator_id=coordinator,
                                       coordinator=staff.get(coordinator or ""),
                                       staff_list_loaded=True), RULES, as_of=AS_OF)
            assert result == expected
