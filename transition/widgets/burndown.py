"""A small bar chart in text: open tasks per working day, for the dashboard's burndown."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.text import Text

EIGHTHS = " ▁▂▃▄▅▆▇█"


def sample(values: Sequence[int], width: int) -> list[int]:
    """At most ``width`` values, evenly spaced, always keeping the first and the last."""
    if len(values) <= width or width < 2:
        return list(values[:max(width, 0)]) if width < 2 else list(values)
    step = (len(values) - 1) / (width - 1)
    return [values[round(index * step)] for index in range(width)]


def bar_chart(values: Sequence[int], *, height: int, width: int, first: str, last: str,
              style: str = "cyan") -> Group:
    """Columns of block characters, ``height`` lines tall, a y-axis and the first/last labels.

    Each value is one column, or several when there are few values (values are sampled down
    to fit ``width`` less the axis).
    """
    top = max(values, default=0)
    label_width = len(f"{top:,}")
    room = max(2, width - label_width - 2)
    columns = sample(values, room)
    if columns and len(columns) * 2 <= room:  # few days: widen each bar to fill the room
        columns = [value for value in columns for _ in range(room // len(columns))]
    lines: list[Text] = []
    for row in range(height, 0, -1):  # row height..1, from the top
        if row == height:
            label = f"{top:,}".rjust(label_width)
        elif row == 1:
            label = "0".rjust(label_width)
        else:
            label = " " * label_width
        line = Text(f"{label} ┤" if row in (1, height) else f"{label} │", style="dim")
        for value in columns:
            eighths = round(value * height * 8 / top) if top else 0
            filled = eighths - (row - 1) * 8
            line.append(EIGHTHS[max(0, min(8, filled))], style=style)
        lines.append(line)
    axis = Text(" " * (label_width + 2), style="dim")
    gap = max(1, len(columns) - len(first) - len(last))
    axis.append(f"{first}{' ' * gap}{last}", style="dim")
    lines.append(axis)
    return Group(*lines)
