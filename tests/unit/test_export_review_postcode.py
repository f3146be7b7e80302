"""The export's postcode district is an outward code or nothing (export review)."""

from __future__ import annotations

import pytest

from transition.export import postcode_district


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("WX1 2AB", "WX1"),
        ("wx12ab", "WX1"),
        (" EC1A 1BB ", "EC1A"),
        ("M1 1AE", "M1"),
        ("WX1", "WX1"),  # a district given alone
        ("ZZ99 3VZ", "ZZ99"),  # the NHS pseudo-postcode: no fixed abode
        (None, None),
        ("", None),
        # Kept as written by the importer (with a warning), but no district: their first
        # word would tell a partner where someone is held, or a name.
        ("HMP EXETER", None),
        ("C/O SMITH", None),
        ("NFA", None),
        ("SMITHSON", None),
        ("12 HIGH ST", None),
    ],
)
def test_postcode_district(postcode: str | None, district: str | None) -> None:
    assert postcode_district(postcode) == district
