"""How the app writes values for people to read: UK dates, yes/no, counts, ages.

Plain functions with no Textual in them, shared by every screen and widget.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
NOT_RECORDED = "—"


def uk_date(value: date | None) -> str:
    """3 Apr 1980: day first, month in words, so no one misreads 03/04 as March."""
    if value is None:
        return NOT_RECORDED
    return f"{value.day} {value:%b %Y}"


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def uk_dates_in(text: str) -> str:
    """Every ISO date in a domain sentence written as :func:`uk_date` ("1 Apr 2027")."""
    def shown(match: re.Match[str]) -> str:
        try:
            return uk_date(date(*(int(part) for part in match.groups())))
        except ValueError:  # not a real date (e.g. 2027-13-40): leave the text as it is
            return match.group(0)
    return _ISO_DATE.sub(shown, text)


def uk_time(value: datetime | None) -> str:
    """A stored UTC time as UK local time: 10 Jan 2027 09:00."""
    if value is None:
        return NOT_RECORDED
    local = value.astimezone(UK) if value.tzinfo else value
    return f"{uk_date(local.date())} {local:%H:%M}"


def yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_RECORDED
    return "Yes" if value else "No"


def count(value: int) -> str:
    """12,345."""
    return f"{value:,}"


def plural(value: int, singular: str, plural_form: str | None = None) -> str:
    """'1 person', '2 people', '1,024 rows'."""
    word = singular if value == 1 else (plural_form or singular + "s")
    return f"{count(value)} {word}"


def age(born: date, today: date) -> int:
    """Whole years between ``born`` and ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def days_ago(value: date | None, today: date) -> str:
    """'12 Dec 2026 (34 days ago)'."""
    if value is None:
        return NOT_RECORDED
    days = (today - value).days
    if days == 0:
        return f"{uk_date(value)} (today)"
    if days < 0:
        return f"{uk_date(value)} (in {plural(-days, 'day')})"
    return f"{uk_date(value)} ({plural(days, 'day')} ago)"


def words(key: str | None) -> str:
    """A stored key as words: 'large_print' -> 'Large print'."""
    if not key:
        return NOT_RECORDED
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def task_status(status: str | None) -> str:
    """A task's status in words: 'todo' -> 'To do', 'not_needed' -> 'Not needed'."""
    return "To do" if status == "todo" else words(status)


def recorded_value(value: Any) -> str:
    """A value as the audit trail recorded it (text, a list, or a record of several fields),
    in words: ``{"staff_id": "SW1", "locked": False, "since": "2027-04-01"}`` ->
    ``staff id SW1 · locked no · since 1 Apr 2027``."""
    if value is None:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return " · ".join(f"{str(key).replace('_', ' ')} {recorded_value(item)}"
                          for key, item in value.items()) or "(none)"
    if isinstance(value, list | tuple):
        return ", ".join(recorded_value(item) for item in value) or "(none)"
    return uk_dates_in(str(value))


def worker_label(name: str, staff_id: str, width: int) -> str:
    """'Zoë Richardson (WC18763)' in ``width`` characters, keeping the staff id whole: the given
    name shortens to its initial first ('Z. Richardson (WC18763)'), then the rest is cut."""
    label = f"{name} ({staff_id})"
    if len(label) <= width:
        return label
    given, _, family = name.partition(" ")
    if family:
        label = f"{given[:1]}. {family} ({staff_id})"
        if len(label) <= width:
            return label
        name = f"{given[:1]}. {family}"
    room = width - len(staff_id) - 3  # " (" and ")"
    return f"{name[:max(room - 1, 1)]}… ({staff_id})" if room > 1 else staff_id[:width]
