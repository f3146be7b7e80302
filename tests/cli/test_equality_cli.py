"""`transition equality`: the report as tables and as JSON, small counts withheld."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.factories import make_person
from transition.db import Database


def thirty_two_people(database: Database, *, signposted: int) -> None:
    """30 White British women, ``signposted`` of them signposted; 2 Black men in the red band."""
    with database.transaction() as session:
        for index in range(30):
            make_person(session, pathway="signpost" if index < signposted else "council",
                        risk_band="green", gender="female", ethnic_category="A")
        for _ in range(2):
            make_person(session, pathway="council", risk_band="red", gender="male",
                        ethnic_category="N")


def test_the_report_as_tables_and_as_json(run_cli: RunCli, database: Database) -> None:
    thirty_two_people(database, signposted=3)
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


def test_the_report_as_a_file_for_the_impact_assessment(run_cli: RunCli, database: Database,
                                                        tmp_path: Path) -> None:
    thirty_two_people(database, signposted=6)
    shown = run_cli("equality", "--json").json()

    markdown = run_cli("equality", "--report", tmp_path / "eia" / "equality.md")
    assert markdown.exit_code == 0 and "Report written to" in markdown.stderr
    path = tmp_path / "eia" / "equality.md"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "# Who the transition affects" in text and "## By ethnic group" in text
    assert "| Black or Black British | * | * | * | * | * |" in text  # its zeros withheld too
    assert "| **Everyone** | 32 | 6 (19%) | 0 (0%) | 26 (81%) | * |" in text
    assert "\n\\* withheld: counts from 1 to 4" in text  # not a list item
    assert "for the council's own use" not in text

    run_cli("equality", "--report", tmp_path / "equality.csv")
    rows = list(csv.DictReader((tmp_path / "equality.csv").read_text(encoding="utf-8-sig")
                               .splitlines()))
    black = next(row for row in rows if row["group"] == "Black or Black British")
    assert (black["dimension"], black["people"], black["red"], black["red_share"]) == (
        "ethnic group", "*", "*", "")
    everyone = next(row for row in rows if row["group"] == "everyone")
    assert (everyone["people"], everyone["signposted"]) == ("32", "6")
    assert float(everyone["signposted_share"]) == pytest.approx(6 / 32, abs=1e-4)

    run_cli("equality", "--report", tmp_path / "equality.json")
    assert json.loads((tmp_path / "equality.json").read_text()) == shown

    exact = run_cli("equality", "--exact", "--report", tmp_path / "exact.md")
    assert "exact counts: for the council's own use" in " ".join(exact.stderr.split())
    text = (tmp_path / "exact.md").read_text()
    assert "for the council's own use, not for sharing" in text
    assert "| Black or Black British | 2 | 0 (0%) | 0 (0%) | 2 (100%) | 2 (100%) |" in text


def test_a_report_that_cannot_be_written_says_so(run_cli: RunCli, tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    result = run_cli("equality", "--report", blocker / "equality.md")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "could not be written" in said and "unexpectedly" not in said


def test_an_exact_csv_says_it_is_not_for_sharing(run_cli: RunCli, database: Database,
                                                 tmp_path: Path) -> None:
    """The Markdown and the JSON say when their counts are exact; a CSV passed on must too,
    or it reads like the shared one with no small counts in it."""
    thirty_two_people(database, signposted=6)
    run_cli("equality", "--exact", "--report", tmp_path / "exact.csv")
    run_cli("equality", "--report", tmp_path / "shared.csv")
    exact = list(csv.reader((tmp_path / "exact.csv").read_text(encoding="utf-8-sig")
                            .splitlines()))
    shared = list(csv.reader((tmp_path / "shared.csv").read_text(encoding="utf-8-sig")
                             .splitlines()))
    assert exact[-1][0] == "note" and "not for sharing" in exact[-1][1]
    assert shared[-1][0] == "note" and shared[-1][1].startswith("* withheld: counts from 1")
    assert not any("not for sharing" in cell for line in shared for cell in line)


def test_a_report_named_for_a_format_it_cannot_write_is_refused(
        run_cli: RunCli, database: Database, tmp_path: Path) -> None:
    """`--report equality.xlsx` would otherwise be Markdown that Excel cannot open."""
    thirty_two_people(database, signposted=6)
    result = run_cli("equality", "--report", tmp_path / "equality.xlsx")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "cannot be written as .xlsx" in said and ".csv" in said
    assert not (tmp_path / "equality.xlsx").exists()


def test_people_with_no_pathway_yet_are_said_in_every_output(
        run_cli: RunCli, database: Database, tmp_path: Path) -> None:
    """Run before `transition assess`, the signposted and to be assessed columns read 0: the
    tables, the files and the JSON each say how many people have no pathway yet."""
    thirty_two_people(database, signposted=6)
    with database.transaction() as session:
        for _ in range(8):
            make_person(session, pathway=None, risk_band="green", gender="female",
                        ethnic_category="A")
    said = " ".join(run_cli("equality").stdout.split())
    assert "8 of the 40 people have no pathway yet" in said and "transition assess" in said

    data = run_cli("equality", "--json").json()
    assert data["no_pathway"] == 8 and "transition assess" in data["no_pathway_note"]

    run_cli("equality", "--report", tmp_path / "equality.md")
    assert "**8 of the 40 people have no pathway yet" in (tmp_path / "equality.md").read_text()
    run_cli("equality", "--report", tmp_path / "equality.csv")
    rows = list(csv.reader((tmp_path / "equality.csv").read_text(encoding="utf-8-sig")
                           .splitlines()))
    notes = [line[1] for line in rows if line[0] == "note"]
    assert any(note.startswith("8 of the 40 people have no pathway yet") for note in notes)
    assert rows[-1][0] == "note" and rows[-1][1].startswith("* withheld")  # still last


def test_no_pathway_note_is_not_given_when_everyone_has_one(run_cli: RunCli,
                                                            database: Database) -> None:
    thirty_two_people(database, signposted=6)
    assert "no pathway" not in run_cli("equality").stdout
    assert run_cli("equality", "--json").json()["no_pathway_note"] is None
