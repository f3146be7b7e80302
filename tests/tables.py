"""Reading the CLI's tables as a person would: a column of a stacked (two-lines-a-row) table,
read down."""

from __future__ import annotations


def read_down(text: str, heading: str, following: str | None = None) -> str:
    """The words of one column of a table printed by ``stacked_table``, read down: from where
    ``heading`` starts to where ``following`` starts (or the line's end), every row below the
    header's rule, joined by single spaces."""
    lines = text.splitlines()
    rule = next(index for index, line in enumerate(lines) if line.strip().startswith("─"))
    header = lines[:rule]

    def where(word: str) -> int:
        return next(line.index(word) for line in header if word in line)

    start = where(heading)
    end = where(following) if following is not None else None
    cells = (" ".join(line[start:end].split()) for line in lines[rule + 1:])
    return " ".join(cell for cell in cells if cell)
