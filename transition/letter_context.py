"""The variables a letter template sees: each kind of letter only what it may state.

Built from a person's facts (:mod:`transition.letter_facts`), the council's details and the
letter itself. The same person variables, hashed, say whether a letter already written is
still true (:func:`transition.letter_records.facts_hash`): the letter's own date and the
council's details are not among them, so only a change in what the letter says about the
person makes it out of date.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from transition import nhs
from transition.config import CouncilDetails
from transition.letter_facts import (
    PATHWAY_SUMMARY,
    PersonFacts,
    WorkerFacts,
    address_lines,
    date_in_words,
    plain_text,
)
from transition.models import ACCESSIBLE_FORMAT_WORDS, Employer, LetterKind


def _worker_context(worker: WorkerFacts) -> dict[str, Any]:
    """A worker's template variables. ``again``, ``ended`` and ``ended_iso`` are there only for
    a returning coordinator, and ``team_phone`` only for an NHS worker with no direct line whose
    team's number is known, so that every other letter's facts_hash stays as it was (templates
    ask ``worker.again is defined``)."""
    values = asdict(worker)
    if team_phone := values.pop("team_phone"):
        values["team_phone"] = team_phone
    returning_after = values.pop("returning_after")
    if returning_after is not None:
        values["again"] = True
        values["ended"] = date_in_words(returning_after)
        values["ended_iso"] = returning_after.isoformat()
    return values


# What each kind of letter may state about the person beyond their name (Caldicott: minimum
# necessary, need-to-know). A carer's letter says nothing of the person's legal status, budget
# or communication needs; a signpost letter never goes to someone with section 117 aftercare or
# on a CTO (transition.letter_plan), so it does not state them either.
STATED_ABOUT_PERSON: dict[str, tuple[str, ...]] = {
    LetterKind.PERSON.value: ("s117", "cto", "personal_budget", "interpreter_language",
                              "interpreter_language_unknown"),
    LetterKind.SIGNPOST.value: ("personal_budget", "interpreter_language",
                                "interpreter_language_unknown", "has_carer"),
    LetterKind.GP.value: ("s117", "cto", "personal_budget", "interpreter_language",
                          "interpreter_language_unknown", "has_carer"),
    LetterKind.CARER.value: (),
}


def facts_context(facts: PersonFacts, kind: str) -> dict[str, Any]:
    """The variables a template of ``kind`` sees about the person (not the letter or council).

    Only what a letter of that kind may state is included (``STATED_ABOUT_PERSON``): a carer
    letter never sees the GP's details or the person's legal status, a GP letter never sees the
    carer's, and so on (Caldicott: minimum necessary). :func:`facts_hash` hashes exactly this.
    """
    person: dict[str, Any] = {
        "given_name": facts.given_name,
        "family_name": facts.family_name,
        "name": facts.name,
        "reference": facts.local_id,
    }
    for key in STATED_ABOUT_PERSON.get(kind, ()):
        person[key] = getattr(facts, key)
    if "has_carer" in person:  # "writing to their carer too": never when they said no
        person["has_carer"] = facts.carer_written_to
    if (kind in (LetterKind.PERSON, LetterKind.SIGNPOST)
            and not (facts.interpreter_language or facts.interpreter_language_unknown)
            and (spoken := facts.spoken_language)):
        # Their letter, standard or easy read, offers itself in their preferred spoken language
        # (Accessible Information Standard). Only here, so the facts_hash of every other letter,
        # the GP's and carer's included, stays as it was.
        person["preferred_language"] = spoken
    if "cto" in person and facts.cto_ends_before_change:
        # `cto` is what the letter may say: an order in force through the change. One recorded as
        # expiring before it is not promised to carry on; the GP is told the date. Only here, so
        # that every other letter's facts_hash stays as it was.
        person["cto"] = False
        if kind == LetterKind.GP:
            assert facts.cto_expiry is not None
            person["cto_expires"] = date_in_words(facts.cto_expiry)
            person["cto_expires_iso"] = facts.cto_expiry.isoformat()
    change: dict[str, Any] = {
        "date": date_in_words(facts.change_date) if facts.change_date else "",
        "date_iso": facts.change_date.isoformat() if facts.change_date else "",
        "workers": [_worker_context(worker) for worker in facts.workers],
        "new_workers": [_worker_context(worker) for worker in facts.workers if worker.is_new],
        "outgoing_worker": facts.outgoing_name,
        "pathway": facts.pathway or "",
    }
    if facts.outgoing_name and facts.outgoing_ended is not None:
        # Only when there is one, so that every other letter's facts_hash stays as it was
        # (templates ask `change.outgoing_ended is defined`).
        change["outgoing_ended"] = date_in_words(facts.outgoing_ended)
        change["outgoing_ended_iso"] = facts.outgoing_ended.isoformat()
    context: dict[str, Any] = {"person": person, "change": change}
    if kind in (LetterKind.PERSON, LetterKind.SIGNPOST):
        person["address_lines"] = list(facts.address_lines)
        person["accessible_format"] = facts.accessible_format or ""
        context["recipient"] = {
            "name": facts.name,
            "address_lines": list(facts.address_lines),
            "greeting": f"Dear {facts.name}",
        }
    elif kind == LetterKind.GP:
        person["address_lines"] = list(facts.address_lines)
        person["nhs_number"] = nhs.format_334(facts.nhs_number)
        person["date_of_birth"] = date_in_words(facts.date_of_birth)
        person["accessible_format"] = facts.accessible_format or ""
        person["accessible_format_words"] = facts.accessible_from_language or (
            ACCESSIBLE_FORMAT_WORDS.get(facts.accessible_format or "",
                                        (facts.accessible_format or "").replace("_", " ")))
        change["pathway_summary"] = PATHWAY_SUMMARY.get(facts.pathway or "", "")
        context["gp"] = {
            "practice_name": facts.gp_practice_name,
            "practice_code": facts.gp_practice_code,
            "address_lines": list(facts.gp_address_lines),
        }
        context["recipient"] = {
            "name": facts.gp_practice_name or "The GP practice",
            "address_lines": list(facts.gp_address_lines),
            "greeting": "Dear Doctor",
        }
    elif kind == LetterKind.CARER:
        context["carer"] = {
            "name": facts.carer_name,
            "address_lines": list(facts.carer_address_lines),
        }
        context["recipient"] = {
            "name": facts.carer_name,
            "address_lines": list(facts.carer_address_lines),
            "greeting": f"Dear {facts.carer_name}" if facts.carer_name else "Dear carer",
        }
    return context


class PrintedDetails(dict[str, Any]):
    """The council's details as a template sees them, noting which ones it reads: what a letter
    prints of them (a template reads ``council.crisis_line`` only where it prints it), so that
    correcting one later flags the letters that printed it (:mod:`transition.letter_council`)."""

    __slots__ = ("_read",)

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self._read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        self._read.add(key)
        return value

    def printed(self) -> frozenset[str]:
        """The settings keys read so far (``address_lines`` is the ``address``)."""
        return frozenset("address" if key == "address_lines" else key for key in self._read)


def council_context(council: CouncilDetails) -> PrintedDetails:
    values = {key: plain_text(value) for key, value in council.model_dump().items()}
    values["address_lines"] = address_lines(council.address)
    return PrintedDetails(values)


def template_context(
    facts: PersonFacts, kind: str, *, council: CouncilDetails, letter: dict[str, Any]
) -> dict[str, Any]:
    """Every variable a letter template sees: the facts, the council and the letter itself."""
    context = facts_context(facts, kind)
    for worker in (*context["change"]["workers"], *context["change"]["new_workers"]):
        worker["organisation"] = (
            council.name if worker["employer"] == Employer.COUNCIL else "the NHS mental health trust"
        )
    context["council"] = council_context(council)
    context["letter"] = letter
    return context
