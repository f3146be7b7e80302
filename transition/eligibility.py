"""Pathway decisions: who holds each case (issue 3).

Not built yet: only the rules-file section model exists, so the rules file loads.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EligibilityRules(BaseModel):
    """The ``[eligibility]`` section of the rules file (placeholder until this module is built)."""

    model_config = ConfigDict(extra="allow", frozen=True)
