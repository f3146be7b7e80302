"""Languages as trust exports and staff lists write them.

An export may give a person's preferred language as MHSDS LanguageCodePreferred: an ISO 639-1
code (``pl``, ``ur``) or one of the NHS Data Dictionary's communication codes (``q1`` to
``q5``); an interpreter column and a staff list's languages give names, spelt as each writer
likes (``Bengali`` or ``Bangla``, ``Farsi`` or ``Persian``, ``BSL``). ``langcodes`` (CLDR's
names and codes) reads them; :func:`code_name` turns a code into the name stored, and
:func:`language_key` gives every spelling of one language the same key, so the planner finds a
worker who speaks it however either side wrote it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import langcodes

from transition.columns import FALSE_WORDS
from transition.models import AccessibleFormat

# NHS Data Dictionary LANGUAGE CODE extensions: communication methods, not ISO 639-1 languages.
COMMUNICATION_CODES = {"q1": "braille", "q2": "american sign language",
                       "q3": "australian sign language", "q4": "british sign language",
                       "q5": "makaton"}
# Where CLDR's English name is not the one UK services write (the Data Dictionary's own).
_UK_NAMES = {"bn": "bengali"}


class NotALanguageCode(ValueError):
    """A two-letter code that is not an ISO 639-1 language."""


@lru_cache(maxsize=512)
def code_name(code: str) -> str:
    """The name, lower case, of an ISO 639-1 or communication code (``PL`` is ``polish``,
    ``q4`` ``british sign language``). Raises NotALanguageCode for any other code."""
    word = code.strip().lower()
    if word in COMMUNICATION_CODES:
        return COMMUNICATION_CODES[word]
    # ASCII letters only: langcodes refuses any other tag with an error of its own ('aà' is
    # alphabetic, and crashed an import instead of being warned about).
    two_letters = len(word) == 2 and word.isascii() and word.isalpha()
    language = langcodes.Language.get(word) if two_letters else None
    if language is None or not language.is_valid() or not language.language:
        raise NotALanguageCode(code)
    return _UK_NAMES.get(language.language) or language.display_name().lower()


def language_name(stored: str) -> str:
    """A stored language as a letter writes it: ``urdu`` and ``british sign language`` (as
    :func:`code_name` stores a code, or an export wrote it) are ``Urdu`` and ``British Sign
    Language``; a name written with any capital (``BSL``, ``Sylheti``) is left as written."""
    words = " ".join(stored.split())
    if words != words.lower():
        return words
    return " ".join(word[:1].upper() + word[1:] for word in words.split(" "))


def uses_makaton(name: str | None) -> bool:
    """Whether a stored preferred language is Makaton (the Data Dictionary's q5): signs and
    symbols, not a language a letter can be translated into, nor braille or BSL."""
    word = (name or "").strip().lower()
    return COMMUNICATION_CODES.get(word, word) == "makaton"


def spoken_preference(name: str | None) -> str | None:
    """A stored preferred language that a letter could be translated into: not blank, not
    English, not a communication method (braille, sign languages and Makaton, by name or by
    their Data Dictionary code, are accessible formats)."""
    word = " ".join((name or "").split()).lower()
    word = COMMUNICATION_CODES.get(word, word)
    if (word in ("", "english", "unspecified") or word in COMMUNICATION_CODES.values()
            or language_need(word)):
        return None
    return word


_BRAILLE_WORDS = {"braille", "q1"}
_BSL_WORDS = {"bsl", "q4", "british sign language"}


NO_INTERPRETER_WORDS = FALSE_WORDS | {"none", "english"}
"""An interpreter column saying none is needed (as ``transition.plan_inputs`` reads it)."""


def interpreter_needed(column: str | None) -> bool:
    """Whether an interpreter column says one is needed (a language, or only that one is), as
    the letters read it: blank, "none", "no" or "English" is no interpreter."""
    word = " ".join(unicodedata.normalize("NFC", column or "").split()).lower()
    return word not in NO_INTERPRETER_WORDS and word != ""


def language_need(preferred: str | None) -> tuple[str, str] | None:
    """(accessible format, words) when a preferred language is braille or a sign language:
    ``braille`` -> braille; British (or any other) sign language -> the BSL need, in the
    language's own words (``American Sign Language``)."""
    word = " ".join(unicodedata.normalize("NFC", preferred or "").split()).lower()
    word = COMMUNICATION_CODES.get(word, word)
    if word in _BRAILLE_WORDS:
        return AccessibleFormat.BRAILLE.value, "braille"
    if word in _BSL_WORDS:
        return AccessibleFormat.BSL.value, "British Sign Language"
    if word == "sign language":  # which one is not said
        return AccessibleFormat.BSL.value, "sign language"
    if word.endswith("sign language") or word in {"asl", "auslan"}:
        named = {"asl": "american sign language", "auslan": "australian sign language"}
        return AccessibleFormat.BSL.value, named.get(word, word).title()
    return None


@lru_cache(maxsize=4096)
def language_key(name: str) -> str:
    """What two spellings of one language share: the language's code (``Bengali``, ``Bangla``
    and ``bn`` are all ``bn``; ``BSL`` and ``British Sign Language`` are ``bfi``). A name that
    is no known language is its own key (lower case, without surrounding spaces)."""
    word = name.strip().lower()
    word = COMMUNICATION_CODES.get(word, word)
    if len(word) == 2 and word.isalpha():
        try:
            word = code_name(word)
        except NotALanguageCode:
            return word
    try:
        return str(langcodes.find(word).language)
    except LookupError:
        return word
