"""Filling in one letter's template: its style, its variables, and what it prints of the council.

Shared by writing letters (:mod:`transition.letters`) and by telling whether a letter already
written still reads as it would now (:mod:`transition.letter_council`), so both render a letter
the same way and hash it the same way.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from transition.config import CouncilDetails
from transition.letter_context import PrintedDetails, template_context
from transition.letter_facts import PersonFacts, date_in_words
from transition.letter_formats import EASY_READ, LARGE_PRINT, STANDARD, LetterStyle, RenderedLetter
from transition.letter_templates import LetterTemplates, TemplateChoice
from transition.models import AccessibleFormat, LetterKind

TO_THE_PERSON = (LetterKind.PERSON.value, LetterKind.SIGNPOST.value)


def letter_style(facts: PersonFacts, kind: str) -> LetterStyle:
    """The type and layout a letter of ``kind`` takes: the person's own letter follows their
    large-print or easy-read need; letters to the GP and the carer are standard print."""
    return style_for(facts.accessible_format, kind)


def style_for(accessible_format: str | None, kind: str) -> LetterStyle:
    """:func:`letter_style` from the person's need alone (``PersonFacts.accessible_format``)."""
    need = accessible_format if kind in TO_THE_PERSON else None
    return {AccessibleFormat.LARGE_PRINT.value: LARGE_PRINT,
            AccessibleFormat.EASY_READ.value: EASY_READ}.get(need or "", STANDARD)


def letter_variables(facts: PersonFacts, kind: str, *, style: LetterStyle, fmt: str,
                     dated: date) -> dict[str, Any]:
    """The ``letter`` a template sees: its kind, date, reference, format and type size."""
    return {
        "kind": kind,
        "date": date_in_words(dated),
        "date_iso": dated.isoformat(),
        "reference": facts.local_id,
        "format": fmt,
        "style": style.name,
        "font_size_pt": style.body_pt,
    }


def render_letter(
    facts: PersonFacts, kind: str, *, template: TemplateChoice, style: LetterStyle, fmt: str,
    templates: LetterTemplates, council: CouncilDetails, dated: date,
) -> RenderedLetter:
    """Fill in one letter's template (no file is written), noting the council details it read."""
    context = template_context(facts, kind, council=council,
                               letter=letter_variables(facts, kind, style=style, fmt=fmt,
                                                       dated=dated))
    html = templates.render(template, context)
    printed = context["council"]
    assert isinstance(printed, PrintedDetails)
    return RenderedLetter(html=html, style=style, council_printed=printed.printed())


def content_hash(letter: RenderedLetter) -> str:
    """What ``Letter.content_sha256`` records: the letter as rendered, with its style."""
    return hashlib.sha256(f"{letter.style.name}\n{letter.html}".encode()).hexdigest()
