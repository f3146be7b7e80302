"""Transition tasks to working-day deadlines (issue 5).

Not built yet: only the rules-file section model exists, so the rules file loads.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TaskRules(BaseModel):
    """The ``[tasks]`` section of the rules file (placeholder until this module is built)."""

    model_config = ConfigDict(extra="allow", frozen=True)
