"""``--json`` output: one document; lists one item per line, objects indented."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from transition.commands.common import print_json


@pytest.mark.parametrize("value", [
    [],
    [{"nhs_number": "9990000018", "due": date(2027, 3, 1), "names": ["Siân", "Zoë"]}],
    [1, None, "text", {"at": datetime(2027, 3, 1, 9, 30)}, [2, 3]],
    {"people": 3, "pathways": {"council": 1}},
])
def test_the_document_parses_back_to_the_value(value: object, capsys: pytest.CaptureFixture[str]) -> None:
    print_json(value)
    out = capsys.readouterr().out
    assert out.endswith("\n")
    expected = json.loads(json.dumps(value, default=lambda v: v.isoformat()))
    assert json.loads(out) == expected


def test_a_list_has_one_item_per_line_and_keeps_non_ascii(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"id": n, "title": f"Tell Siân's GP ({n})"} for n in range(3)]
    print_json(rows)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert [json.loads(line.strip().rstrip(",")) for line in lines[1:-1]] == rows
    assert "Siân" in lines[1]


def test_an_object_is_indented(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"people": 3})
    assert capsys.readouterr().out == '{\n  "people": 3\n}\n'
