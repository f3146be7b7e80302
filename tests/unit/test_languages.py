"""Languages as exports and staff lists write them: codes to names, and one key per language."""

from __future__ import annotations

import pytest

from transition.languages import NotALanguageCode, code_name, language_key


@pytest.mark.parametrize(("code", "name"), [
    ("PL", "polish"), ("ur", "urdu"), ("so", "somali"), ("pa", "punjabi"),
    ("no", "norwegian"),  # not "no" for none: this column's code for Norwegian
    ("bn", "bengali"),  # CLDR says Bangla; UK services, and the Data Dictionary, Bengali
    ("q1", "braille"), ("q4", "british sign language"), ("Q5", "makaton"),
])
def test_a_code_is_the_languages_name(code: str, name: str) -> None:
    assert code_name(code) == name


@pytest.mark.parametrize("code", ["qq", "xy", "q9", "pol", "1a", "aà", "AÀ", "éa"])
def test_anything_else_is_not_a_code(code: str) -> None:
    with pytest.raises(NotALanguageCode):
        code_name(code)


@pytest.mark.parametrize("spellings", [
    ("Bengali", "Bangla", "bn", " bengali "),
    ("Farsi", "Persian", "fa"),
    ("BSL", "British Sign Language", "q4"),
    ("Polish", "pl", "POLISH"),
])
def test_every_spelling_of_a_language_has_one_key(spellings: tuple[str, ...]) -> None:
    assert len({language_key(spelling) for spelling in spellings}) == 1


def test_different_languages_and_unknown_names_keep_apart() -> None:
    keys = [language_key(name) for name in ("Polish", "Urdu", "Punjabi", "Cantonese",
                                            "Mandarin", "Makaton", "Braille", "Westshire Cant")]
    assert len(set(keys)) == len(keys)
    assert language_key("Westshire Cant ") == "westshire cant"  # no known language: its own key
