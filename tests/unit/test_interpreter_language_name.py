"""The communication factor names the interpreter's language as the person's record and the
letters do: "interpreter: Urdu", not the "urdu" an export (or a language code) stored."""

from __future__ import annotations

import pytest

from tests.unit.test_risk import factors, known


@pytest.mark.parametrize(("stored", "shown"), [
    ("urdu", "Urdu"),
    ("british sign language", "British Sign Language"),
    ("  polish ", "Polish"),
    ("BSL", "BSL"),  # written with a capital: as written
    ("Sylheti", "Sylheti"),
    ("unspecified", "unspecified"),  # a bare yes: no language to name
])
def test_the_interpreter_language_is_named_as_the_record_names_it(stored: str, shown: str) -> None:
    assert factors(known(interpreter_language=stored))["communication_needs"] == (
        f"interpreter: {shown}")
