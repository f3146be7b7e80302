"""The person screen's audit trail at 80 columns: tasks by their titles, not their keys and ids,
and words whole (found in review: "accessible communicati / on 2145 · letter gp 2146")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from textual.pilot import Pilot

from tests.tui.conftest import drive, text_of
from tests.tui.test_person_screen import open_family
from transition.models import AuditEvent
from transition.screens.person import audit_action
from transition.widgets.audit_trail import audit_table, change_words, task_titles

AT = datetime(2027, 1, 15, 10, 33)
WIDTH = 74  # the audit box's inside at 80 columns
TASKS = [
    {"id": 2145, "key": "accessible_communication",
     "title": "Tell the person about the change in a way they can use (language or format)"},
    {"id": 2146, "key": "letter_gp", "title": "Letter to the GP"},
    {"id": 2143, "key": "assessment_booked", "title": "Care Act assessment booked"},
]
EVENTS = [
    AuditEvent(at=AT, actor="j.smith", person_id=1, action="task.create", entity="task",
               field="tasks", after={"accessible_communication": 2145, "letter_gp": 2146,
                                     "assessment_booked": 2143}),
    AuditEvent(at=AT, actor="j.smith", person_id=1, action="task.status", entity="task",
               entity_key="2143", field="status", before="todo", after="done"),
    AuditEvent(at=AT, actor="j.smith", person_id=1, action="task.note", entity="task",
               entity_key="9999", field="note", after="rang"),
    AuditEvent(at=AT, actor="j.smith", person_id=1, action="assignment.accept",
               entity="assignment", field="social_worker",
               after={"staff_id": "WC71528", "locked": False, "since": "2027-04-01"}),
]
# Every word the trail may show: the headings, when, who, what, and the changes in full.
SAID = (
    "When Who What Change 15 Jan 2027 10:33 j.smith Tasks made Task status Task note "
    "Plan accepted " + " ".join(task["title"] for task in TASKS).replace("(", "( ")
    + " ; : → To do Done task 9999 note rang social worker staff id WC71528 · locked no · "
    "since 1 Apr"
)


def rendered() -> list[str]:
    console = Console(width=WIDTH, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(audit_table(EVENTS, action_words=audit_action, tasks=TASKS))
    return capture.get().splitlines()


def test_tasks_are_named_by_their_titles_and_words_are_whole() -> None:
    by_id, by_key = task_titles(TASKS)
    text = " | ".join(str(change_words(one, by_id, by_key)) for one in EVENTS)
    assert ("Tell the person about the change in a way they can use (language or format); "
            "Letter to the GP; Care Act assessment booked") in text
    assert "Care Act assessment booked, status: To do → Done" in text
    assert "task 9999, note: rang" in text  # a task they no longer have: its id, to look up
    assert "social worker: staff id WC71528 · locked no · since 1 Apr 2027" in text
    for raw in ("accessible communication", "letter gp", "2145", "2146", "2143"):
        assert raw not in text, raw
    # Wrapped at word boundaries: every piece on screen is a whole word (or ends in one of
    # the separators), none a word split in two ("communicati" / "on").
    vocabulary = {word.strip("();:,") for word in SAID.split()}
    lines = rendered()
    for line in lines:
        assert len(line) <= WIDTH
        for word in line.split():
            assert word.strip("();:,") in vocabulary, (word, line)


def test_the_person_screen_trail_has_the_change_column(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Ashworth")(pilot)
        audit = " ".join(text_of(screen.query_one("#audit")).split())
        assert "Change" in audit and "Before" not in audit
        assert "pathway: council" in audit

    drive(app, scenario, size=(80, 24))
