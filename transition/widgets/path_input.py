"""A file path box that completes like a shell: type a few letters, press tab (or →)."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input

IMPORTABLE = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


def complete_path(value: str, skip: Collection[Path] = ()) -> str | None:
    """The completion of ``value`` as a path, or None.

    Completes to the longest prefix that all matches share (like a shell); when that adds
    nothing, suggests the first match. Directories end in "/". Only folders and files the
    importer reads are offered, and hidden ones only when the typed name starts with ".";
    never the files in ``skip`` (resolved paths: the file just imported, after a staff list,
    is not the caseload to import next).
    """
    if not value:
        return None
    typed = Path(value).expanduser()
    directory, prefix = (typed, "") if value.endswith(os.sep) else (typed.parent, typed.name)
    try:
        entries = [entry for entry in os.scandir(directory)]
    except OSError:
        return None
    names = sorted(
        entry.name + (os.sep if entry.is_dir() else "")
        for entry in entries
        if entry.name.startswith(prefix)
        and (prefix.startswith(".") or not entry.name.startswith("."))
        and (entry.is_dir() or entry.name.lower().endswith(IMPORTABLE))
        and not (skip and Path(entry.path).resolve() in skip)
    )
    if not names:
        return None
    shared = os.path.commonprefix(names)
    completion = shared if len(shared) > len(prefix) else names[0]
    return value + completion[len(prefix):]


def files_starting(path: Path, limit: int = 5) -> list[str]:
    """The names of the files the importer reads in ``path``'s folder that start with its name
    (a path typed or completed part of the way: "trust_caseload." for .csv and .xlsx)."""
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    return sorted(entry.name for entry in entries
                  if entry.name.startswith(path.name) and entry.name.lower().endswith(IMPORTABLE)
                  and entry.is_file())[:limit]


class PathSuggester(Suggester):
    """Suggests completions from the file system (never cached: folders change)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.skip: set[Path] = set()  # files not to suggest (complete_path)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value, self.skip)


class PathInput(Input):
    """An Input for a file path; tab accepts the suggested completion."""

    BINDINGS = [Binding("tab", "complete", "Complete path", show=False)]

    def __init__(self, value: str = "", **kwargs: object) -> None:
        # select_on_focus=False: coming back to the box continues the path, never replaces it.
        self.paths = PathSuggester()
        super().__init__(value, suggester=self.paths, select_on_focus=False,
                         **kwargs)  # type: ignore[arg-type]

    def skip(self, path: str | Path) -> None:
        """Never suggest ``path`` again (a file just imported)."""
        self.paths.skip.add(Path(path).expanduser().resolve())

    def on_focus(self) -> None:
        # Input forgets its suggestion when focused; a path put in the box while the focus was
        # elsewhere (the import screen's folder for the next file) is completed again, so tab
        # still takes it. Runs before Input's own handler; the suggestion comes after it.
        if self.value:
            self.run_worker(self.paths._get_suggestion(self, self.value))

    def action_complete(self) -> None:
        if self.cursor_at_end and self._suggestion and self._suggestion != self.value:
            self.action_cursor_right()
        else:
            self.screen.focus_next()
