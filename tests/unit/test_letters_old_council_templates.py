"""A council's own template written for an older version that gives the council's number (its
switchboard) as the phone of a worker with no direct line: what it prints, and the warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment

from tests.letter_setup import (
    TEST_COUNCIL,
    TODAY,
    council_worker,
    flat,
    handover_person,
    trust_worker,
    with_transfer_date,
)
from transition.db import Database
from transition.letter_template_check import council_phone_fallbacks
from transition.letter_templates import LetterTemplates, shipped_folder
from transition.letters import generate_letters, letters_needed, preview_letter
from transition.models import Person

# worker_details() as the first shipped _macros.html.j2 had it (a council may still hold a copy):
# every worker with no phone was given the council's number. Line 8 prints it.
OLD_MACROS = """{% macro roles(workers) -%}
{% for worker in workers %}{% if not loop.first %} and {% endif %}{{ worker.role }}{% endfor %}
{%- endmacro %}
{% macro worker_details(worker) %}
<p><strong>{{ worker.name }}</strong>, your {{ worker.role }}<br>
{% if worker.phone %}
Phone: {{ worker.phone }}<br>
{% else %}
Phone: {{ council.phone }} (ask for {{ worker.name }})<br>
{% endif %}
</p>
{% endmacro %}
{% macro role_explained(worker) %}
<p>{{ worker.role }}</p>
{% endmacro %}
"""
OLD_LINE = 9


def _old_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "_macros.html.j2").write_text(OLD_MACROS, encoding="utf-8")
    return folder


def _nhs_key_worker_person(session, staff_id: str = "KW2", **staff) -> Person:  # type: ignore[no-untyped-def]
    if not staff:
        staff = {"phone": "", "email": ""}
    trust_worker(session, staff_id, given_name="Morgan", family_name="Stays", **staff)
    return handover_person(session, new_staff_id=staff_id, role="key_worker", pathway="trust")


def test_let5_an_old_council_template_gives_an_nhs_worker_the_councils_number(
    database: Database, tmp_path: Path
) -> None:
    """What happens: the old copy still renders (every variable it uses still exists) and prints
    the council's switchboard as the NHS worker's number; the shipped template would not."""
    folder = _old_folder(tmp_path)
    with database.transaction() as session:
        with_transfer_date(session)
        person = _nhs_key_worker_person(session)
        assert person.id is not None
        old = preview_letter(session, person.id, "person", council=TEST_COUNCIL, as_of=TODAY,
                             templates=LetterTemplates(folder))
        new = preview_letter(session, person.id, "person", council=TEST_COUNCIL, as_of=TODAY)
    assert old.text is not None and new.text is not None
    assert f"Phone: {TEST_COUNCIL.phone} (ask for Morgan Stays)" in flat(old.text)
    assert f"{TEST_COUNCIL.phone} (ask for Morgan Stays)" not in flat(new.text)
    # The preview says so: the warning (file, line, what to use) and a note on this letter.
    [warning] = old.template_warnings
    assert (warning.file, warning.line, warning.folder) == ("_macros.html.j2", OLD_LINE,
                                                           str(folder.resolve()))
    for words in ("_macros.html.j2", f"line {OLD_LINE}", str(folder.resolve()), "council.phone",
                  "worker.phone_is_main_number", "worker.team_phone", "older version"):
        assert words in warning.message, words
    assert old.note is not None
    assert f"_macros.html.j2 line {OLD_LINE}" in old.note
    assert new.template_warnings == () and new.note is None


def test_let5_only_letters_naming_an_nhs_worker_without_a_line_get_the_note(
    database: Database, tmp_path: Path
) -> None:
    """A council worker with no direct line is rightly given the council's number; a worker with
    a phone never reaches the old branch: their letters carry no note (the warning still
    stands, for the folder)."""
    folder = _old_folder(tmp_path)
    with database.transaction() as session:
        with_transfer_date(session)
        nhs = _nhs_key_worker_person(session)
        with_line = _nhs_key_worker_person(session, "KW3", phone="01632 960123")
        council_worker(session, "SW9", phone="")
        council_no_line = handover_person(session, new_staff_id="SW9")
        needs = letters_needed(session, templates=LetterTemplates(folder), default_format="md")
    notes = {(need.nhs_number, need.kind): need.note for need in needs}
    assert f"_macros.html.j2 line {OLD_LINE}" in (notes[nhs.nhs_number, "person"] or "")
    # The GP's letter (shipped gp.html.j2) does not use the old macros.
    assert notes[nhs.nhs_number, "gp"] is None
    for person in (with_line, council_no_line):
        assert notes[person.nhs_number, "person"] is None


def test_let5_generate_writes_the_letters_and_reports_the_warning(
    database: Database, tmp_path: Path
) -> None:
    folder = _old_folder(tmp_path)
    with database.transaction() as session:
        with_transfer_date(session)
        person = _nhs_key_worker_person(session)
        result = generate_letters(session, council=TEST_COUNCIL, out_dir=tmp_path / "out",
                                  as_of=TODAY, actor="tester", templates_dir=folder, fmt="md")
    assert {o.kind for o in result.written} == {"person", "gp"}
    [warning] = result.template_warnings
    assert result.as_json()["template_warnings"] == [
        {"file": "_macros.html.j2", "line": OLD_LINE, "folder": str(folder.resolve()),
         "message": warning.message}]
    [letter] = [o for o in result.written if o.kind == "person"]
    assert letter.nhs_number == person.nhs_number and "_macros.html.j2" in (letter.note or "")
    # Without a council folder (or with an up-to-date one) there is nothing to warn about.
    with database.transaction() as session:
        plain = generate_letters(session, council=TEST_COUNCIL, out_dir=tmp_path / "plain",
                                 as_of=TODAY, actor="tester", fmt="html")
    assert plain.template_warnings == () and plain.as_json()["template_warnings"] == []


def test_let5_the_shipped_templates_as_a_council_folder_raise_no_warning(tmp_path: Path) -> None:
    """A council that copied today's files is not warned, whatever it copied."""
    assert LetterTemplates(shipped_folder()).outdated == ()
    assert LetterTemplates(tmp_path).outdated == ()  # an empty folder


def test_let5_every_old_shipped_file_with_the_fallback_is_found(tmp_path: Path) -> None:
    """The first shipped gp, carer and easy-read person templates did it inline too; a file in
    a sub-folder is named by its path in the council folder."""
    (tmp_path / "easy_read").mkdir()
    (tmp_path / "gp.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block body %}\n<p>\nPhone: {% if worker.phone %}'
        '{{ worker.phone }}{% else %}{{ council.phone }} (ask for {{ worker.name }}){% endif %}'
        "</p>{% endblock %}\n", encoding="utf-8")
    (tmp_path / "easy_read" / "person.html.j2").write_text(
        "{% for worker in change.new_workers %}\n{% if worker.phone %}\n"
        "<p>You can phone {{ worker.given_name }} on {{ worker.phone }}.</p>\n{% else %}\n"
        "<p>You can phone {{ worker.given_name }} on {{ council.phone }}.</p>\n{% endif %}\n"
        "{% endfor %}\n", encoding="utf-8")
    (tmp_path / "_crisis.html.j2").write_text("<p>Call us on {{ council.phone }}.</p>\n",
                                              encoding="utf-8")
    found = {(w.file, w.line, w.example) for w in LetterTemplates(tmp_path).outdated}
    assert found == {("gp.html.j2", 3, "gp.html.j2"),
                     ("easy_read/person.html.j2", 5, "easy_read/person.html.j2")}


@pytest.mark.parametrize(("source", "lines"), [
    ("{% if worker.phone %}{{ worker.phone }}{% else %}{{ council.phone }}{% endif %}", [1]),
    ("{% if not w.phone %}\n{{ council.phone }}\n{% endif %}", [2]),
    ("{% if worker['phone'] %}x{% elif worker.email %}\n{{ council['phone'] }}{% endif %}", [2]),
    ("{{ worker.phone if worker.phone else council.phone }}", [1]),
    ("{{ worker.phone or council.phone }}", [1]),
    ("{{ worker.phone|default(council.phone, true) }}", [1]),
    ("{% set phone = worker.phone or council.phone %}{{ phone }}", [1]),
], ids=["if-else", "if-not", "getitem-elif", "inline-if", "or", "default", "set"])
def test_let5_each_way_of_falling_back_to_the_councils_number_is_found(
    source: str, lines: list[int]
) -> None:
    assert council_phone_fallbacks(Environment().parse(source)) == lines


@pytest.mark.parametrize("source", [
    # Today's: the council's number only for a council worker, or honest words.
    ("{% if worker.phone %}{{ worker.phone }}{% elif worker.phone_is_main_number %}"
     "{{ council.phone }}{% elif worker.team_phone is defined %}{{ worker.team_phone }}"
     "{% else %}call us on {{ council.phone }} and we will help you reach them{% endif %}"),
    "{% if worker.phone_is_main_number %}{{ council.phone }}{% else %}{{ worker.phone }}{% endif %}",
    "{% if worker.phone %}{{ worker.phone }}{% endif %} Call us on {{ council.phone }}.",
    "{% if worker.email %}{{ worker.email }}{% else %}{{ council.email }}{% endif %}",
    "{% if worker.phone %}Phone: {{ worker.phone }}, or the council: {{ council.phone }}{% endif %}",
    "{{ council.phone or worker.phone }}",
], ids=["current", "main-number-test", "not-a-fallback", "email", "only-with-a-phone",
        "council-first"])
def test_let5_current_and_unrelated_uses_of_the_councils_number_are_not_flagged(
    source: str,
) -> None:
    assert council_phone_fallbacks(Environment().parse(source)) == []


def test_let5_a_broken_council_file_is_left_to_the_render_error(tmp_path: Path) -> None:
    """A file that does not parse or is not UTF-8 is not warned about here: using it stops the
    run with an error naming its file and line (transition.letter_templates)."""
    (tmp_path / "_macros.html.j2").write_text("{% if worker.phone %}", encoding="utf-8")
    (tmp_path / "gp.html.j2").write_bytes("£ {{ council.phone }}".encode("cp1252"))
    assert LetterTemplates(tmp_path).outdated == ()


def test_let5_an_old_gp_template_puts_the_note_on_the_gp_letter_only(
    database: Database, tmp_path: Path
) -> None:
    """Outside a macro, the fallback is printed by every letter that uses the file."""
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "gp.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block body %}\n{% for worker in change.workers %}\n'
        "<p>{{ worker.name }}: {% if worker.phone %}{{ worker.phone }}{% else %}"
        "{{ council.phone }} (ask for {{ worker.name }}){% endif %}</p>\n"
        "{% endfor %}\n{% endblock %}\n", encoding="utf-8")
    with database.transaction() as session:
        with_transfer_date(session)
        person = _nhs_key_worker_person(session)
        needs = letters_needed(session, templates=LetterTemplates(folder), default_format="md")
        assert person.id is not None
        gp = preview_letter(session, person.id, "gp", council=TEST_COUNCIL, as_of=TODAY,
                            templates=LetterTemplates(folder))
    notes = {need.kind: need.note for need in needs}
    assert "gp.html.j2 line 4" in (notes["gp"] or "") and notes["person"] is None
    assert gp.text is not None
    assert f"Morgan Stays: {TEST_COUNCIL.phone} (ask for Morgan Stays)" in flat(gp.text)
