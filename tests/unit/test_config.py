"""Settings that cannot be used stop the command at once with a clear message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import RunCli
from transition.config import ACTOR_MAX_LENGTH
from transition.db import Database
from transition.models import AuditEvent


def _audit_rows(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _said(result) -> str:
    return " ".join(result.stderr.split())


@pytest.mark.parametrize("actor", ["", "   ", "\t", "ana\nsmith", "x" * (ACTOR_MAX_LENGTH + 80)])
def test_an_actor_the_audit_trail_cannot_record_is_refused(
    run_cli: RunCli, database: Database, actor: str
) -> None:
    before = _audit_rows(database)
    result = run_cli("--actor", actor, "programme", "set", "--transfer-date", "2027-04-01")
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert "The setting actor (--actor or TRANSITION_ACTOR) cannot be used" in said
    assert "Nothing was changed" in said and "Traceback" not in result.output
    assert _audit_rows(database) == before


@pytest.mark.parametrize("value", ["", "  "])
def test_a_blank_actor_in_the_environment_is_refused(
    run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TRANSITION_ACTOR", value)
    result = run_cli("programme", "set", "--transfer-date", "2027-04-01")
    assert result.exit_code == 2, result.output
    assert "it is blank" in _said(result)
    assert _audit_rows(database) == 0


def test_an_actor_is_recorded_without_surrounding_spaces(
    run_cli: RunCli, database: Database
) -> None:
    long_enough = "a" * ACTOR_MAX_LENGTH
    for given, kept in (("  ana  ", "ana"), (long_enough, long_enough)):
        result = run_cli("--actor", given, "programme", "set", "--transfer-date", "2027-04-01")
        assert result.exit_code == 0, result.output
        with database.session() as session:
            newest = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert newest is not None and newest.actor == kept
        run_cli("programme", "set", "--transfer-date", "2027-05-01")  # so the next one changes


def test_the_cap_is_the_audit_columns_width() -> None:
    assert AuditEvent.model_fields["actor"].metadata[0].max_length == ACTOR_MAX_LENGTH


def test_a_bad_setting_is_named_without_its_value(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSITION_BUSY_TIMEOUT_SECONDS", "soon-secret")
    result = run_cli("status")
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert "The setting busy_timeout_seconds (TRANSITION_BUSY_TIMEOUT_SECONDS) cannot be used" in said
    assert "soon-secret" not in result.output and "ValidationError" not in result.output


@pytest.mark.parametrize("value", ["", "   "])
def test_a_blank_council_detail_is_refused_before_any_letter(
    run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A set-but-empty crisis line passed the example details' guard, and a letter read 'If
    you feel you are in crisis ... call .'."""
    monkeypatch.setenv("TRANSITION_COUNCIL__CRISIS_LINE", value)
    result = run_cli("letters", "generate", "--format", "md")
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert "council.crisis_line (TRANSITION_COUNCIL__CRISIS_LINE) cannot be used: is blank" in said


@pytest.mark.parametrize(("utc", "uk_day"), [
    ("2026-07-01T23:30:00+00:00", "2026-07-02"),  # British Summer Time: already tomorrow
    ("2026-12-01T23:30:00+00:00", "2026-12-01"),  # GMT: still today
])
def test_today_is_the_uk_date_whatever_the_machines_clock_zone(
        monkeypatch: pytest.MonkeyPatch, utc: str, uk_day: str) -> None:
    from datetime import date, datetime

    from transition import config

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            moment = datetime.fromisoformat(utc)
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    monkeypatch.setattr(config, "datetime", Clock)
    settings = config.Settings(as_of=None)
    assert settings.today() == date.fromisoformat(uk_day)
    assert config.Settings(as_of=date(2027, 1, 15)).today() == date(2027, 1, 15)
