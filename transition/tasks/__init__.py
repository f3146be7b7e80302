"""Transition tasks to deadlines counted from each handover date.

Once a plan is accepted, every handover becomes a short list of things people must do by given
dates. The pieces:

- ``rules``: the ``[tasks]`` section of the rules file (templates and when each applies);
- ``planner``: who needs a handover, which tasks, their owners and due dates (no database);
- ``generate``: making and updating everyone's tasks (idempotent, bulk, audited);
- ``status``: changing a task by hand (statuses, dependencies, versions) and
  ``mark_task_done`` for other modules (letters);
- ``listing``: finding tasks, overdue first;
- ``owners``: a task's owner in a manager's words (current worker, who may stay; new worker;
  team manager);
- ``views``: what the tasks screen and dashboard show (groups, progress, burndown, countdown).

Deadlines count working days in England and Wales (``transition.working_days``) from the
person's handover date (``transition.handover``), or calendar days brought back to a working
day (``add_calendar_days``) where the rule is a calendar interval (NICE's follow-up, reviews).
"""

from transition.tasks.generate import GenerateSummary, generate_tasks, plan_accepted
from transition.tasks.listing import (
    TaskPage,
    TaskQuery,
    TaskRow,
    is_overdue,
    list_tasks,
    person_tasks,
)
from transition.tasks.planner import needs_handover, wanted_tasks
from transition.tasks.rules import DeadlineVariant, Flag, TaskRules, TaskTemplate
from transition.tasks.status import (
    CLOSED_STATUSES,
    MAX_NOTE,
    MAX_REASON,
    OPEN_STATUSES,
    STATUS_CHOICES,
    STATUS_NAMES,
    DependencyError,
    MarkDoneResult,
    StatusChange,
    mark_task_done,
    mark_tasks_done,
    parse_status,
    set_task_note,
    set_task_status,
    task_history,
)
from transition.tasks.views import (
    Burndown,
    BurndownPoint,
    Countdown,
    TaskGroup,
    TaskProgress,
    burndown,
    group_tasks,
    task_progress,
    transfer_countdown,
)

__all__ = [
    "CLOSED_STATUSES", "MAX_NOTE", "MAX_REASON", "OPEN_STATUSES", "STATUS_CHOICES",
    "STATUS_NAMES", "Burndown",
    "BurndownPoint", "Countdown",
    "DeadlineVariant", "DependencyError", "Flag", "GenerateSummary", "MarkDoneResult",
    "StatusChange", "TaskGroup", "TaskPage", "TaskProgress", "TaskQuery", "TaskRow",
    "TaskRules", "TaskTemplate", "burndown", "generate_tasks", "group_tasks", "is_overdue",
    "list_tasks", "mark_task_done", "mark_tasks_done", "needs_handover", "parse_status",
    "person_tasks", "plan_accepted", "set_task_note", "set_task_status", "task_history",
    "task_progress", "transfer_countdown",
    "wanted_tasks",
]
