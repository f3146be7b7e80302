"""The caseload screen at 100,000 people: each SQL window, and the app's response to a key.

Builds (once) a SQLite database of 100,000 people under benchmarks/data/tui-100k.db with a
Core insert (names, teams, coordinators varied), then times:
- the queries the caseload table runs (first page, a middle page, the last page, a sort, a
  search by name, a search by NHS number prefix, the dashboard's counts);
- the app headless (Pilot): opening the caseload, and each key from press to rows shown.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from transition import nhs
from transition.config import Settings
from transition.db import Database
from transition.models import Locality, Person, Staff, Team
from transition.overview import overview
from transition.people import PeopleQuery, list_people

PEOPLE = 100_000
DATA = Path(__file__).parent / "data"
TODAY = date(2027, 1, 15)
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
          "Patel", "Wright", "Khan", "Evans", "Thomas", "Roberts", "Walker", "Okafor"]
GIVEN = ["Alex", "Sam", "Jo", "Priya", "Tom", "Aisha", "Chris", "Megan", "Ravi", "Ellie"]


def build(path: Path) -> None:
    database = Database(f"sqlite:///{path}")
    database.migrate()
    teams = [(f"Team {n:02d}", f"Locality {n % 6}") for n in range(30)]
    with database.transaction() as session:
        session.execute(insert(Locality), [{"name": f"Locality {n}"} for n in range(6)])
        session.execute(insert(Team), [{"name": t, "locality": loc} for t, loc in teams])
        session.execute(insert(Staff), [
            {"staff_id": f"S{n:04d}", "given_name": "Jo", "family_name": f"Worker{n}",
             "employer": "council", "role": "social_worker", "team": teams[n % 30][0],
             "content_hash": "x"} for n in range(1_000)
        ])
        rows: list[dict[str, Any]] = []
        serial = 0
        while len(rows) < PEOPLE:
            number = nhs.complete(f"999{serial:06d}")
            serial += 1
            if number is None:
                continue
            i = len(rows)
            team, locality = teams[i % 30]
            rows.append({
                "nhs_number": number, "given_name": GIVEN[i % 10],
                "family_name": f"{FAMILY[i % 16]}{i // 16:05d}",
                "date_of_birth": date(1940, 1, 1) + timedelta(days=(i * 37) % 25_000),
                "team": team, "locality": locality, "postcode": f"WX{i % 9} {i % 10}AB",
                "care_coordinator_id": f"S{i % 1_100:04d}" if i % 50 else None,
                "content_hash": "x",
            })
        session.execute(insert(Person), rows)
    database.dispose()


def timed(label: str, run: Callable[[], Any], repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<46} {best * 1000:8.1f} ms")


def queries(database: Database) -> None:
    print("SQL (best of 3):")
    with database.session() as session:
        for label, query in (
            ("first page (200)", PeopleQuery()),
            ("page at 50,000", PeopleQuery(offset=50_000)),
            ("last page", PeopleQuery(offset=99_800)),
            ("sorted by date of birth", PeopleQuery(sort="date_of_birth")),
            ("sorted by team, reversed", PeopleQuery(sort="team", descending=True)),
            ("search 'smith0004' (name)", PeopleQuery(search="smith0004")),
            ("search '9990001' (NHS number prefix)", PeopleQuery(search="9990001")),
            ("filter team 'Team 07'", PeopleQuery(team="Team 07")),
        ):
            timed(label, lambda q=query: list_people(session, q))
        timed("dashboard counts (overview)", lambda: overview(session, today=TODAY))


async def app_keys(settings: Settings) -> None:
    from transition.app import make_app
    from transition.widgets.caseload_table import CaseloadTable

    print("App, headless (press to rows shown):")
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        async def settle() -> None:
            await pilot.pause()
            while any(worker.is_running for worker in app.workers):
                await app.workers.wait_for_complete()
                await pilot.pause()

        await settle()
        for label, keys in (
            ("open the caseload (c)", ["c"]),
            ("next page (])", ["right_square_bracket"]),
            ("last page (})", ["right_curly_bracket"]),
            ("sort by next column (s)", ["s"]),
            ("reverse (r)", ["r"]),
            ("search 'smith0004' + enter", ["slash", *"smith0004", "enter"]),
        ):
            start = time.perf_counter()
            for key in keys:
                await pilot.press(key)
            await settle()
            elapsed = time.perf_counter() - start
            shown = app.screen.query_one(CaseloadTable)
            print(f"  {label:<46} {elapsed * 1000:8.1f} ms   {shown.describe()[:40]}")


def main() -> None:
    DATA.mkdir(exist_ok=True)
    path = DATA / "tui-100k.db"
    if not path.exists():
        start = time.perf_counter()
        build(path)
        print(f"built {PEOPLE:,} people in {time.perf_counter() - start:.1f} s")
    settings = Settings(database_url=f"sqlite:///{path}", as_of=TODAY, actor="bench")
    database = Database.from_settings(settings)
    queries(database)
    database.dispose()
    asyncio.run(app_keys(settings))
