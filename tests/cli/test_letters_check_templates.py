"""`transition letters check-templates`: a council's own letter templates checked before any
letter is written from them: syntax errors (file and line), files no letter uses (a misspelt
name, with the shipped name meant), includes of templates that do not exist, and templates
written for an older version that give an NHS worker the council's number. The database is
not needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.letter_setup import OLD_MACROS, flat
from transition.letter_templates import (
    LetterTemplateError,
    LetterTemplates,
    TemplateChoice,
    shipped_folder,
)

BROKEN_PERSON = """{% extends "base.html.j2" %}
{% block body %}
<p>{{ recipient.greeting }},</p>
{% if change.outgoing_worker %}
<p>{{ change.outgoing_worker }} will stop being your worker on that day.</p>
{% endfor %}
{% endblock %}
"""


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "council"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    folder.mkdir(exist_ok=True)
    return folder


def _shipped(name: str) -> str:
    return (shipped_folder() / name).read_text(encoding="utf-8")


def test_tpl6_a_clean_folder_is_checked_and_passes(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A council's copy of two shipped files, one of them including a file of its own.
    folder = _folder(tmp_path, {
        "_crisis.html.j2": _shipped("_crisis.html.j2"),
        "_community_support.html.j2": _shipped("_community_support.html.j2")
        + '{% include "_westshire_groups.html.j2" %}\n',
        "_westshire_groups.html.j2": "<p>Westshire Hearing Voices Group</p>\n",
        "README.md": "Our letter templates.\n",
    })
    result = run_cli("letters", "check-templates", "--templates", folder)
    assert result.exit_code == 0, result.output
    said = flat(result.stdout)
    assert f"3 council templates checked, no problems (folder {folder.resolve()})." in said
    assert "Not templates, so not read: README.md." in said

    # The folder the settings name, when --templates is not given.
    monkeypatch.setenv("TRANSITION_LETTER_TEMPLATES_DIR", str(folder))
    as_json = run_cli("letters", "check-templates", "--json")
    assert as_json.exit_code == 0, as_json.output
    assert as_json.json() == {
        "status": "ok", "folder": str(folder.resolve()),
        "templates": ["_community_support.html.j2", "_crisis.html.j2",
                      "_westshire_groups.html.j2"],
        "ignored": ["README.md"], "problems": []}


def test_tpl6_a_syntax_error_names_the_file_and_line_as_generate_would(
    run_cli: RunCli, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, {"person.html.j2": BROKEN_PERSON,
                                "_crisis.html.j2": _shipped("_crisis.html.j2")})
    result = run_cli("letters", "check-templates", "--templates", folder)
    assert result.exit_code == 1, result.output
    said = flat(result.stdout)
    assert "2 council templates checked" in said and "1 problem in 1 file" in said
    assert "person.html.j2 line 6:" in said
    # The very words writing letters would stop with, less what it did not write.
    with pytest.raises(LetterTemplateError) as rendering:
        LetterTemplates(folder).render(TemplateChoice("person.html.j2", "council"), {})
    expected = rendering.value.message.removesuffix(" No letters were written.")
    assert expected.startswith(f"Letter template person.html.j2 (council folder "
                               f"{folder.resolve()}) line 6 has a syntax error: ")
    assert expected in said and "No letters were written" not in said
    assert "Traceback" not in result.output

    [problem] = run_cli("letters", "check-templates", "--templates", folder,
                        "--json").json()["problems"]
    assert problem == {"file": "person.html.j2", "line": 6, "kind": "template_error",
                       "message": expected, "hint": rendering.value.hint}


def test_tpl6_a_misnamed_file_is_named_with_the_template_it_meant(
    run_cli: RunCli, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, {
        "persn.html.j2": _shipped("person.html.j2"),
        "easy_read/signpost.html.j2.txt": _shipped("easy_read/signpost.html.j2"),
        "signpost.html.j2": _shipped("signpost.html.j2").replace(
            '"_crisis.html.j2"', '"_crisiss.html.j2"'),
    })
    result = run_cli("letters", "check-templates", "--templates", folder, "--json")
    assert result.exit_code == 1, result.output
    problems = {(p["file"], p["kind"]): p for p in result.json()["problems"]}
    assert set(problems) == {("easy_read/signpost.html.j2.txt", "unused"),
                             ("persn.html.j2", "unused"), ("signpost.html.j2", "not_found")}
    typo = problems[("persn.html.j2", "unused")]
    assert "so no letter uses it. Did you mean person.html.j2?" in typo["message"]
    assert "rename it person.html.j2" in typo["hint"]
    suffix = problems[("easy_read/signpost.html.j2.txt", "unused")]
    assert "is not named *.html.j2" in suffix["message"]
    assert "Did you mean easy_read/signpost.html.j2?" in suffix["message"]
    missing = problems[("signpost.html.j2", "not_found")]
    assert missing["message"].startswith("Letter template _crisiss.html.j2 was not found "
                                         "(needed by signpost.html.j2 (council folder ")
    assert missing["line"] is not None

    table = run_cli("letters", "check-templates", "--templates", folder)
    assert table.exit_code == 1
    said = flat(table.stdout)
    assert "3 problems in 3 files" in said and "Did you mean person.html.j2?" in said


def test_tpl6_an_old_council_phone_fallback_is_reported(
    run_cli: RunCli, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, {"_macros.html.j2": OLD_MACROS})
    result = run_cli("letters", "check-templates", "--templates", folder)
    assert result.exit_code == 1, result.output
    said = flat(result.stdout)
    assert "_macros.html.j2 line 6:" in said
    [warning] = LetterTemplates(folder).outdated
    assert warning.message in said
    [problem] = run_cli("letters", "check-templates", "--templates", folder,
                        "--json").json()["problems"]
    assert (problem["file"], problem["line"], problem["kind"]) == (
        "_macros.html.j2", 6, "outdated_phone")

    # Fixed as the shipped file gives a phone number: no problems.
    (folder / "_macros.html.j2").write_text(_shipped("_macros.html.j2"), encoding="utf-8")
    fixed = run_cli("letters", "check-templates", "--templates", folder)
    assert fixed.exit_code == 0 and "1 council template checked, no problems" in fixed.stdout


def test_tpl6_no_folder_to_check_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("letters", "check-templates")
    assert result.exit_code == 2
    said = flat(result.stderr)
    assert "No council letter templates folder is set, so there is nothing to check" in said
    assert "--templates DIR" in said and "letter_templates_dir" in said
    assert result.stdout == "" and "Traceback" not in result.output
    as_json = run_cli("letters", "check-templates", "--json")
    assert as_json.exit_code == 2 and as_json.json()["status"] == "failed"

    missing = run_cli("letters", "check-templates", "--templates", tmp_path / "no-such-folder")
    assert missing.exit_code == 2
    assert "does not exist or is not a folder: nothing was checked" in flat(missing.stderr)
    blank = run_cli("letters", "check-templates", "--templates", " ")
    assert blank.exit_code == 2 and "--templates is blank" in blank.stderr
