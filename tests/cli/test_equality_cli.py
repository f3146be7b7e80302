"""`transition equality`: the report as tables and as JSON, small counts withheld."""

from __future__ import annotations

from tests.conftest import RunCli
from tests.factories import make_person
from transition.db import Database


def test_the_report_as_tables_and_as_json(run_cli: RunCli, database: Database) -> None:
    with database.transaction() as session:
        for index in range(30):
            make_person(session, pathway="signpost" if index < 3 else "council",
                        risk_band="green", gender="female", ethnic_category="A")
        for _ in range(2):
            make_person(session, pathway="council", risk_band="red", gender="male",
                        ethnic_category="N")
    result = run_cli("equality")
    assert result.exit_code == 0
    said = " ".join(result.stdout.split())
    for title in ("By ethnic group", "By age band", "By gender"):
        assert title in said
    # Two Black people, withheld; so are the 30 White people, or 32 less 30 would give it away.
    assert "Black or Black British │ * │" in said and "White │ * │" in said
    assert "Everyone │ 32 │" in said
    assert "* withheld: counts from 1 to 4, and in each column with one" in said

    data = run_cli("equality", "--json").json()
    assert data["everyone"]["people"] == 32 and data["exact"] is False
    black = next(row for row in data["ethnic group"] if row["group"] == "Black or Black British")
    assert black["people"] == "*" and black["red"]["count"] == "*"
    exact = run_cli("equality", "--json", "--exact").json()
    black = next(row for row in exact["ethnic group"] if row["group"] == "Black or Black British")
    assert (black["people"], black["red"]) == (2, {"count": 2, "share": 1.0})
