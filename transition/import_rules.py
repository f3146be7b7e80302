"""The ``[importing]`` section of the rules file: the ages and FTE an import accepts.

An import checks every date of birth and every FTE against these (``transition.validation``):
a person younger than ``youngest_age`` on the import's date is rejected, one from
``youngest_age`` up to ``adult_age`` kept with a warning; an FTE above ``max_fte`` (or below 0)
is rejected. The shipped values suit an adult community mental health service with early
intervention in psychosis from 14; a council whose services differ changes them here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# No one is this old: an age past it is a typo (180 for 18).
MAX_AGE = 120
# Full time is 1.0; above 3.0 is more than 112 hours a week, which no set of posts makes, and
# would let hours a week (37.5 is caught only above the ceiling) through as an FTE sooner.
FTE_CEILING_RANGE = (1.0, 3.0)


class ImportRules(BaseModel):
    """The ``[importing]`` section of the rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    youngest_age: int = Field(
        default=14,
        description="A date of birth making the person younger than this on the import's date "
        "is rejected as mistyped (the shipped 14 is where early intervention in psychosis "
        "starts).")
    adult_age: int = Field(
        default=18,
        description="Adult services take people from this age: from youngest_age to one less "
        "than this, the person is imported with a warning to check the date of birth.")
    max_fte: float = Field(
        default=1.5,
        description="An FTE (1.0 is full time) above this is rejected: most likely hours a week "
        "or a percentage. Raise it (at most 3.0) where one worker's FTE adds up two posts.")

    @field_validator("youngest_age", "adult_age")
    @classmethod
    def _an_age(cls, value: int) -> int:
        if not 0 <= value <= MAX_AGE:
            raise ValueError(f"is {value}: write an age in whole years, 0 to {MAX_AGE}")
        return value

    @field_validator("max_fte")
    @classmethod
    def _an_fte_ceiling(cls, value: float) -> float:
        low, high = FTE_CEILING_RANGE
        if not low <= value <= high:
            raise ValueError(
                f"is {value:g}: write an FTE from {low:.1f} (full time, so that no full-time "
                f"worker is rejected) to {high:.1f} (more than 112 hours a week)")
        return value

    @model_validator(mode="after")
    def _ages_in_order(self) -> ImportRules:
        if self.youngest_age > self.adult_age:
            raise ValueError(
                f"youngest_age ({self.youngest_age}) must be at most adult_age "
                f"({self.adult_age}): the youngest age an import accepts "
                "cannot be above the age adult services start at (make them equal to reject "
                "everyone under the adult age)")
        return self
