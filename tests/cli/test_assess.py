"""`transition assess`, `at-risk` and `pathway set|clear|show` from the command line."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, RunCli
from tests.factories import make_person, make_staff, nhs_number
from transition.commands import common
from transition.db import Database
from transition.models import AuditEvent, Person


@pytest.fixture
def caseload(database: Database) -> Database:
    with database.transaction() as session:
        make_staff(session, "S1")
        make_person(
            session,
            nhs_number=nhs_number(0),
            s117=True,
            care_act_outcomes=[],
            care_coordinator_id="S1",
            last_discharge=TODAY - timedelta(days=2),
            self_harm_history=True,
        )
        make_person(
            session,
            nhs_number=nhs_number(1),
            care_act_outcomes=["nutrition", "hygiene"],
            significant_impact=True,
            care_coordinator_id="S1",
            lives_alone=True,
        )
        make_person(session, nhs_number=nhs_number(2), care_coordinator_id="S1")
    return database


def test_assess_json_counts_every_pathway_and_band(run_cli: RunCli, caseload: Database) -> None:
    result = run_cli("assess", "--json")
    assert result.exit_code == 0, result.output
    data = result.json()
    assert data["people"] == 3
    assert data["pathways"] == {"council": 1, "trust": 0, "joint": 1, "assess": 1, "signpost": 0}
    assert data["bands"] == {"red": 1, "amber": 0, "green": 2}
    assert data["as_of"] == TODAY.isoformat() and data["rules_version"]
    assert run_cli("assess", "--json", "--only-changed").json()["evaluated"] == 0


def test_assess_prints_a_table_by_default(run_cli: RunCli, caseload: Database) -> None:
    result = run_cli("assess", "--as-of", "20/01/2027")
    assert result.exit_code == 0, result.output
    assert "as of 20 January 2027" in " ".join(result.stdout.split())
    assert "signpost" in result.stdout and "3 people assessed" in result.stdout


def test_a_bad_as_of_date_is_refused(run_cli: RunCli, caseload: Database) -> None:
    result = run_cli("assess", "--as-of", "31/02/2027")
    assert result.exit_code == 2 and "is not a date" in result.stderr


def test_a_bad_council_rules_file_changes_nothing(
    run_cli: RunCli, caseload: Database, tmp_path: Path
) -> None:
    broken = tmp_path / "westshire.toml"
    broken.write_text(
        'version = "westshire-3"\n'
        "\n"
        "[risk.bands]\n"
        "red = 4\n"
        "amber = 6\n"
        "[eligibility]\n"
        "health_led_clusters = [12, 30]\n"
    )
    result = run_cli("--rules", broken, "assess", "--json")
    assert result.exit_code == 2
    # Under --json stdout holds one document even on failure: the failure, as on stderr.
    assert result.json()["status"] == "failed" and result.json()["exit_code"] == 2
    message = " ".join(result.stderr.split())  # Rich wraps long lines
    assert f"{broken}, line 3: risk.bands" in message
    assert "red (4) must be higher than amber (6)" in message
    assert f"{broken}, line 7: eligibility.health_led_clusters" in message
    assert "[30] is not a cluster" in message
    assert "Nothing was changed" in message and "Traceback" not in result.output
    with caseload.session() as session:
        assert session.scalar(select(func.count()).where(Person.pathway.is_not(None))) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_council_rules_file_is_used_and_recorded(
    run_cli: RunCli, caseload: Database, tmp_path: Path
) -> None:
    council = tmp_path / "westshire.toml"
    council.write_text('version = "westshire-4"\n[risk.bands]\nred = 20\n')
    data = run_cli("--rules", council, "assess", "--json").json()
    assert data["rules_version"].startswith("westshire-4#")
    assert data["bands"]["red"] == 0


def test_at_risk_json_is_ranked_with_factors(run_cli: RunCli, caseload: Database) -> None:
    assert run_cli("at-risk", "--json").json() == []
    run_cli("assess")
    result = run_cli("at-risk", "--json")
    assert result.exit_code == 0, result.output
    rows = result.json()
    assert [row["nhs_number"] for row in rows] == [nhs_number(0), nhs_number(1), nhs_number(2)]
    for row in rows:
        assert set(row) == {"nhs_number", "risk_score", "risk_band", "risk_band_overridden",
                            "risk_factors", "risk_as_of", "handover"}
        assert row["risk_band_overridden"] is False
        for factor in row["risk_factors"]:
            assert {"factor", "points", "value"} <= set(factor)
    assert rows[0]["risk_band"] == "red" and rows[0]["risk_score"] == 15
    # No plan accepted yet: the trust's coordinator holds them, or no one does.
    assert {row["handover"]["state"] for row in rows} <= {"no_plan", "no_worker", "signpost"}
    assert [row["nhs_number"] for row in run_cli("at-risk", "--top", "1", "--json").json()] == [
        nhs_number(0)
    ]
    assert len(run_cli("at-risk", "--band", "green", "--json").json()) == 2
    # No plan yet, and the trust's coordinators hold everyone: no handover is ahead.
    assert {row["handover"]["state"] for row in rows} == {"no_plan"}
    assert run_cli("at-risk", "--changing", "--json").json() == []
    assert run_cli("at-risk", "--changing").stdout.strip() == "Nobody matches."


def test_at_risk_table_says_what_the_score_is_for(run_cli: RunCli, caseload: Database) -> None:
    assert "Run: transition assess" in run_cli("at-risk").stdout
    run_cli("assess")
    result = run_cli("at-risk", "--top", "2")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())  # the caption wraps with the terminal's width
    assert "999 000 0018" in said and "does not predict suicide" in said
    assert run_cli("at-risk", "--band", "purple").exit_code == 2


def test_at_risk_reads_at_80_columns_with_the_top_factors(
    run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.transaction() as session:
        make_staff(session, "S1")
        make_person(session, nhs_number=nhs_number(5), care_coordinator_id="S1",
                    team="Kestlemouth Forensic and Rehabilitation Team",
                    last_discharge=TODAY - timedelta(days=3), self_harm_history=True,
                    safeguarding_open=True, substance_misuse=True, lives_alone=True,
                    missed_appointments_6m=4, interpreter_language="Polish")
        make_person(session, nhs_number=nhs_number(6), care_coordinator_id="S1",
                    lives_alone=True)
    run_cli("assess")
    monkeypatch.setattr(common.console, "width", 80)  # read from COLUMNS once, at import
    result = run_cli("at-risk")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    body = [line for line in lines if line.startswith("│")]
    # Four lines each: name, NHS number, team, the handover; the top factors and "and N more".
    assert len(body) == 4 + 4
    assert "+10 Discharged from hospital" in body[0] and "and 4 more" in body[3]
    assert "999 000 0" in body[1] and "Kestlemouth Forensic" in body[2]
    assert "no plan yet" in body[3]
    assert "transition person NHS" in " ".join(result.stdout.split())  # the caption wraps
    everything = run_cli("at-risk", "--json").json()[0]["risk_factors"]
    assert len(everything) == 7


def test_pathway_set_show_and_clear(run_cli: RunCli, caseload: Database) -> None:
    run_cli("assess")
    result = run_cli("pathway", "set", nhs_number(1), "joint", "--reason", "Agreed at panel")
    assert result.exit_code == 0, result.output
    assert "would decide council" in result.stdout
    shown = run_cli("pathway", "show", nhs_number(1), "--json").json()
    assert shown["pathway"] == "joint" and shown["pathway_override"]["reason"] == "Agreed at panel"
    assert shown["pathway_reasons"][0]["rule"] == "manager_override"
    assert run_cli("assess", "--json").json()["pathways"]["joint"] == 2  # survives
    text = run_cli("pathway", "show", nhs_number(1)).stdout
    assert "Pathway: joint" in text and "Handover risk" in text

    stale = shown["version"] - 1
    conflict = run_cli("pathway", "clear", nhs_number(1), "--expected-version", str(stale))
    assert conflict.exit_code == 1 and "changed by someone else" in conflict.stderr
    result = run_cli("pathway", "clear", nhs_number(1), "--reason", "  Panel reversed  ")
    assert result.exit_code == 0, result.output
    assert "now council" in result.stdout
    [cleared] = run_cli("audit", "--action", "pathway.override_cleared", "--json").json()
    assert cleared["reason"] == "Panel reversed"
    assert run_cli("pathway", "clear", nhs_number(1)).exit_code == 1


def test_pathway_set_and_clear_json_is_the_show_document(run_cli: RunCli,
                                                          caseload: Database) -> None:
    run_cli("assess")
    set_ = run_cli("pathway", "set", nhs_number(1), "joint", "--reason", "Agreed", "--json")
    assert set_.exit_code == 0, set_.output
    assert set_.json() == run_cli("pathway", "show", nhs_number(1), "--json").json()
    assert set_.json()["pathway"] == "joint" and set_.json()["pathway_rules_decision"] == "council"
    cleared = run_cli("pathway", "clear", nhs_number(1), "--json")
    assert cleared.exit_code == 0, cleared.output
    assert cleared.json() == run_cli("pathway", "show", nhs_number(1), "--json").json()
    assert cleared.json()["pathway"] == "council" and cleared.json()["pathway_override"] is None
    again = run_cli("pathway", "clear", nhs_number(1), "--json")  # nothing to clear: one document
    assert again.exit_code == 1 and again.json()["status"] == "failed"


def test_pathway_set_refusals(run_cli: RunCli, caseload: Database) -> None:
    result = run_cli("pathway", "set", nhs_number(0), "signpost", "--reason", "No needs")
    assert result.exit_code == 2 and "section 117" in " ".join(result.stderr.split())
    assert nhs_number(0) not in result.stderr
    assert run_cli("pathway", "set", nhs_number(1), "elsewhere", "--reason", "x").exit_code == 2
    assert run_cli("pathway", "set", nhs_number(1), "joint").exit_code == 2  # no --reason
    missing = run_cli("pathway", "set", nhs_number(50), "joint", "--reason", "x")
    assert missing.exit_code == 1 and "No person" in missing.stderr
