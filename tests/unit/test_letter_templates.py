"""A council template that fails while a letter is filled in never shows the person's data."""

from __future__ import annotations

from pathlib import Path

import pytest

from transition.letter_templates import LetterTemplateError, LetterTemplates, TemplateChoice

PERSON = {"recipient": {"greeting": "Dear Callum Murray", "name": "Callum Murray"},
          "person": {"nhs_number": "9998088941", "given_name": "Callum"}}
PERSONAL = ("Callum", "Murray", "9998088941", "808 8941")


def _fill(tmp_path: Path, body: str) -> str:
    folder = tmp_path / "council"
    folder.mkdir(exist_ok=True)
    (folder / "person.html.j2").write_text(body)
    templates = LetterTemplates(folder)
    with pytest.raises(LetterTemplateError) as caught:
        templates.render(TemplateChoice("person.html.j2", "council"), PERSON)
    return str(caught.value)


@pytest.mark.parametrize(
    "body, line, kind",
    [
        ("<p>ok</p>\n<p>{{ {}[recipient.greeting] }}</p>\n", 2, "undefined value"),
        ("<p>{{ recipient[person.given_name] }}</p>\n", 1, "undefined value"),
        ("<p>\n{{ recipient.greeting.__class__ }}</p>\n", 2, "sandbox does not allow"),
        ("<p>{{ ''|attr(recipient.greeting) }}</p>\n", 1, "undefined value"),
        ("<p>{{ person.given_name|truncate(recipient.name) }}</p>\n", 1, "TypeError"),
        ("<p>{{ recipient.greeting.lower.__globals__ }}</p>\n", 1, "could not be filled in"),
        ("{% include recipient.greeting %}\n", 1, "name the template computed"),
        ("{% include [person.nhs_number, recipient.name] %}\n", 1, "name the template computed"),
    ],
)
def test_a_template_error_while_filling_in_shows_where_but_not_the_data(
    tmp_path: Path, body: str, line: int, kind: str
) -> None:
    message = _fill(tmp_path, body)
    assert not [word for word in PERSONAL if word in message], message
    assert "person.html.j2 (council folder" in message and f"line {line}" in message, message
    assert kind in message and "No letters were written" in message


def test_a_syntax_error_keeps_jinjas_words(tmp_path: Path) -> None:
    message = _fill(tmp_path, "<p>ok</p>\n<p>{% if person.given_name %}unclosed</p>\n")
    assert "line 2 has a syntax error" in message and "endif" in message


@pytest.mark.parametrize(
    "body",
    ["<p>{% if person.given_name %}unclosed</p>\n",  # Jinja's words end with a full stop
     "<p>{% frobnicate %}</p>\n",
     "<p>{{ person.given_name }</p>\n"],
)
def test_a_syntax_error_is_told_in_sentences_with_one_full_stop_each(
    tmp_path: Path, body: str
) -> None:
    message = _fill(tmp_path, body).splitlines()[0]  # the hint follows on its own line
    assert ".." not in message, message  # was "... to be closed is 'if'.. No letters ..."
    assert message.endswith(". No letters were written."), message


def test_a_missing_template_the_template_names_is_named(tmp_path: Path) -> None:
    message = _fill(tmp_path, '{% include "_footer.html.j2" %}\n')
    assert "Letter template _footer.html.j2 was not found" in message


def test_a_misspelt_name_written_in_the_template_is_named(tmp_path: Path) -> None:
    message = _fill(tmp_path, "<p>ok</p>\n<p>{{ recipient.nickname }}</p>\n")
    assert "line 2" in message and "undefined value, nickname" in message
    # A name that comes from the person's record, not the template, is not.
    message = _fill(tmp_path, "<p>{{ recipient[person.given_name] }}</p>\n")
    assert "undefined value (" in message and "Callum" not in message


@pytest.mark.parametrize(
    "body", ['{% extends "person.html.j2" %}\n', '<p>ok</p>\n{% include "person.html.j2" %}\n'],
)
def test_a_template_that_extends_or_includes_itself_is_named(tmp_path: Path, body: str) -> None:
    """A council copy that extends the shipped file of the same name only finds itself again:
    a clear error naming it, not a crash."""
    message = _fill(tmp_path, body)
    assert "person.html.j2 (council folder" in message, message
    assert "itself" in message and "No letters were written" in message


def test_a_council_template_not_saved_as_utf8_is_named(tmp_path: Path) -> None:
    """Saved as Windows-1252 (a '£' or 'é' from Notepad or Word): the error names that file and
    line, not the template that included it."""
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "_crisis.html.j2").write_bytes(b"<p>Free to call</p>\n<p>Caf\xe9 \xa30</p>\n")
    (folder / "person.html.j2").write_text('<p>ok</p>\n{% include "_crisis.html.j2" %}\n')
    with pytest.raises(LetterTemplateError) as caught:
        LetterTemplates(folder).render(TemplateChoice("person.html.j2", "council"), PERSON)
    message = str(caught.value)
    assert "_crisis.html.j2 (council folder" in message and "line 2" in message, message
    assert "UTF-8" in message and "No letters were written" in message
