"""UK postcodes as trust exports write them, and the NHS pseudo-postcodes that mean "no address".

NHS data sets record a person with no postal address by a pseudo-postcode of the Organisation
Data Service, all beginning ``ZZ99`` (NHS Data Dictionary, POSTCODE OF USUAL ADDRESS; Hospital
Episode Statistics, ``homeadd``): ``ZZ99 3VZ`` is no fixed abode, ``ZZ99 3WZ`` address not
known, and others stand for a country when the person lives abroad. A letter posted to such an
"address" never arrives, and a person with no fixed abode is the easiest to lose between two
workers, so letters (:mod:`transition.letter_plan`) and the handover risk
(:mod:`transition.risk`) both read these codes.
"""

from __future__ import annotations

import re

_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")
_AS_STORED = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}")

NO_FIXED_ABODE = "ZZ99 3VZ"
ADDRESS_NOT_KNOWN = "ZZ99 3WZ"
PSEUDO_PREFIX = "ZZ99 "

_MEANINGS = {
    NO_FIXED_ABODE: "no fixed abode",
    ADDRESS_NOT_KNOWN: "address not known",
    "ZZ99 3CZ": "England, address not otherwise stated",
    "ZZ99 3GZ": "Wales, address not otherwise stated",
    "ZZ99 1WZ": "Scotland, address not otherwise stated",
    "ZZ99 2WZ": "Northern Ireland, address not otherwise stated",
}


def tidy(text: str) -> str:
    """'wx12ab' -> 'WX1 2AB'; text that is not a postcode's shape comes back upper-cased."""
    if _AS_STORED.fullmatch(text):
        return text  # already 'WX1 2AB' (most of an export): nothing to tidy
    upper = " ".join(text.upper().split())
    match = _POSTCODE.match(upper)
    return f"{match.group(1)} {match.group(2)}" if match else upper


def has_postcode_shape(code: str) -> bool:
    """Whether a tidied code has a UK postcode's shape (outward code, space, inward code)."""
    return _AS_STORED.fullmatch(code) is not None


def pseudo_meaning(code: str | None) -> str | None:
    """What an NHS pseudo-postcode stands for ('no fixed abode'), or None for a real one."""
    if not code or not code.startswith(PSEUDO_PREFIX):
        return None
    return _MEANINGS.get(code, "no UK postal address (an NHS pseudo-postcode, e.g. living abroad)")


def no_address(code: str | None) -> str | None:
    """``code`` when it says the person has no fixed abode or no known address, else None."""
    return code if code in (NO_FIXED_ABODE, ADDRESS_NOT_KNOWN) else None
