"""The equality report as a file for the equality impact assessment: Markdown to paste into
the document, CSV for a spreadsheet, or the ``--json`` document (``transition equality
--report FILE``; ``s`` on the app's Equality screen).

Counts are withheld as in the terminal (:mod:`transition.equality`) unless asked for exactly;
the file is written owner-only all the same (0600 in a 0700 folder), as every file the tool
writes is.
"""

from __future__ import annotations

import json
from pathlib import Path

from transition.db import json_default
from transition.equality import (
    DIMENSIONS,
    EXACT_NOTE,
    MEASURES,
    MIN_GROUP,
    NOTABLE_RATIO,
    PEOPLE,
    WITHHELD_NOTE,
    EqualityReport,
)
from transition.errors import TransitionError
from transition.files import csv_text, write_private_text
from transition.widgets.format import uk_date

__all__ = ["EXACT_NOTE", "csv_report", "markdown_report", "write_report"]
_OTHER_FORMATS = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".doc", ".odt", ".pdf",
                            ".html", ".htm"})


def markdown_report(report: EqualityReport, *, exact: bool) -> str:
    """One table per dimension, then the groups whose shares are higher, then what ``*``
    means."""
    lines = [f"# Who the transition affects, {uk_date(report.as_of)}", "",
             ("For the people in the latest export, by ethnic group (MHSDS EthnicCategory), age "
              "band and gender: how many are signposted, to be assessed, changing worker (or "
              "with no one yet) and in the red risk band, against everyone. Evidence for the "
              "equality impact assessment (Equality Act 2010, s149)."), ""]
    if exact:
        lines += [f"**{EXACT_NOTE}**", ""]
    for note in report.notes(exact=exact):  # before the tables: they change how columns read
        lines += [f"**{note}**", ""]
    header = ["People", *(words.capitalize() for words in MEASURES.values())]
    for dimension in DIMENSIONS:
        lines += [f"## By {dimension}", "",
                  "| " + " | ".join([dimension.capitalize(), *header]) + " |",
                  "| --- |" + " ---: |" * len(header)]
        for row in [*report.by_dimension(dimension), report.everyone]:
            name = "**Everyone**" if row is report.everyone else _cell(row.group)
            lines.append("| " + " | ".join(
                [name, *(report.cell_text(row, column, exact=exact)
                         for column in (PEOPLE, *MEASURES))]) + " |")
        lines.append("")
    clear = [item for item in report.notable if item.clear]
    lines += ["## Groups with a higher share", "",
              (f"Shares at least {NOTABLE_RATIO:g} times everyone's, in groups of {MIN_GROUP} "
               f"or more: {len(report.notable)}, of which clearly more than chance (the whole "
               f"95% interval above everyone's share): {len(clear)}."), ""]
    lines += [f"- {item.sentence(withheld=report.numbers_withheld(item, exact=exact))}"
              for item in report.notable]
    if report.notable:
        lines.append("")
    if report.withheld and not exact:  # "\*": a line starting "* " would be a list item
        lines += ["\\" + WITHHELD_NOTE, ""]
    return "\n".join(lines)


def csv_report(report: EqualityReport, *, exact: bool) -> str:
    """A row per group (then everyone, per dimension): its people, and each measure's count and
    share (a fraction; blank where withheld). A withheld count is ``*``. Rows at the end,
    ``note``, say how many people have no pathway yet (so are in neither signposted nor to be
    assessed), then, last, that the counts are exact and not for sharing, or what ``*``
    means."""
    header = ["dimension", "group", "people"]
    for measure in MEASURES:
        header += [measure, f"{measure}_share"]
    rows = []
    for dimension in DIMENSIONS:
        for row in [*report.by_dimension(dimension), report.everyone]:
            cells: list[object] = [dimension, "everyone" if row is report.everyone
                                   else row.group, report.count(row, PEOPLE, exact=exact)]
            for measure in MEASURES:
                cells += [report.count(row, measure, exact=exact),
                          report.share(row, measure, exact=exact)]
            rows.append(cells)
    rows.extend(["note", note] for note in report.notes(exact=exact))
    # A file passed on says what it is: exact counts are not for sharing (as the Markdown and
    # the JSON's "exact" say), and what a "*" means.
    if exact:
        rows.append(["note", EXACT_NOTE])
    elif report.withheld:
        rows.append(["note", WITHHELD_NOTE])
    return csv_text(header, rows)


def write_report(report: EqualityReport, path: Path, *, exact: bool) -> Path:
    """``path`` as Markdown, or CSV or JSON by its ending (.csv, .json); an ending of a format
    it cannot write (.xlsx, .docx, ...) is refused rather than given Markdown a spreadsheet or
    word processor then cannot open."""
    ending = path.suffix.lower()
    if ending in _OTHER_FORMATS:
        raise TransitionError(
            f"The equality report cannot be written as {ending}: nothing was written.",
            hint="End the file's name .md (Markdown), .csv (opens in Excel) or .json.")
    if ending == ".csv":
        text = csv_report(report, exact=exact)
    elif ending == ".json":
        text = json.dumps(report.to_json(exact=exact), indent=2, default=json_default,
                          ensure_ascii=False) + "\n"
    else:
        text = markdown_report(report, exact=exact) + "\n"
    return write_private_text(path.expanduser(), text)


def _cell(value: str) -> str:
    return value.replace("|", "\\|")
