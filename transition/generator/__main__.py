"""``python -m transition.generator``: print the table of messy rows for sample_data/README.md."""

from __future__ import annotations

import tempfile
from pathlib import Path

from transition.generator import generate
from transition.generator.messy import messy_rows_markdown


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print(messy_rows_markdown(generate(Path(folder), messy=True).messy_rows), end="")


if __name__ == "__main__":
    main()
