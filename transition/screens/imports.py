"""Import a trust caseload export or a staff list, with progress, and see what was rejected;
or record a spreadsheet of managers' choices of worker (``transition assign --file``).

The import runs in a thread worker inside one database transaction (the same call the CLI
makes), so the screen never freezes and a failed or stopped import leaves the database as it
was. A file the importer cannot use at all (``InputFileError``) is explained on the screen.
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from lxml import etree
from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    Checkbox,
    Header,
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    Static,
)
from textual.worker import Worker, WorkerState

from transition.choices_file import ChoicesResult, apply_choices
from transition.config import Settings
from transition.db import Database
from transition.errors import InputFileError, TransitionError
from transition.importer import (
    ImportOptions,
    ImportResult,
    Reject,
    RowWarning,
    default_rejects_dir,
    import_file,
    what_the_rules_read,
)
from transition.models import ImportKind
from transition.overview import BatchSummary, latest_import
from transition.ruleset import Rules
from transition.screens.base import DetailScreen, database_words
from transition.screens.confirm import ConfirmScreen
from transition.screens.rejects import KEY_LABELS, SHOWN_ROWS, fill_rejects, reject_columns
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.fitted_table import FittedTable
from transition.widgets.format import count, plural, uk_time
from transition.widgets.path_input import PathInput, files_starting
from transition.widgets.tickbox import RadioChoice, TickBox


class ImportStopped(Exception):
    """Raised inside the import (from its progress callback) when the user stops it."""


class ImportProgress(Message):
    """Rows read so far, posted from the import thread."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


def run_import(
    database: Database, settings: Settings, path: Path, kind: str, *, sheet: str | None,
    strict: bool, progress: Callable[[int, int], None],
    rules: Callable[[], Rules] | None = None, mapping: Path | None = None,
) -> ImportResult:
    """One import in one transaction: exactly what ``transition import KIND FILE`` does,
    including the rejects file written where the CLI writes it, the rows checked against the
    rules' ages and FTE ceiling, and the columns the rules (``rules()``, for a caseload) read
    looked for."""
    options = ImportOptions(sheet=sheet, strict=strict, mapping_file=mapping,
                            rejects_dir=default_rejects_dir(database, settings),
                            **(what_the_rules_read(rules, kind) if rules is not None else {}))
    with database.transaction() as session:
        return import_file(session, path, kind, options, actor=settings.actor,
                           today=settings.today(), progress=progress)


def result_summary(result: Any) -> RenderableType:
    """'caseload.csv: 790 rows · 780 new · ...', what the importer noticed, and what to do."""
    line = Text.assemble((f"{Path(str(result.file)).name}: ", "bold"),
                         f"{plural(result.rows, 'row')}: ",
                         (f"{count(result.inserted)} new", "green" if result.inserted else "dim"))
    for value, label, style in (
        (result.updated, "updated", ""), (result.unchanged, "unchanged", ""),
        (result.rejected, "rejected", "bold red"), (result.duplicates, "duplicate*", "yellow"),
        (result.missing_from_file, "missing from this file", "yellow"),
        (result.warnings, "warning*", "yellow"),
    ):
        if value or label == "rejected":
            words = (plural(value, label.rstrip("*")) if label.endswith("*")
                     else f"{count(value)} {label}")
            line.append(" · ")
            line.append(words, style=style if value else "dim")
    parts: list[RenderableType] = [line]
    if result.status == "rejected":  # every row rejected: said first (the CLI exits 2)
        parts = [Text("Nothing was imported: every row was rejected. Check this is the right "
                      "file, and the reasons below.", style="bold red"), line]
    if result.status == "refused":
        parts.append(Text(
            "Strict: nothing was imported, because some rows were rejected. The counts say what "
            "the import would have done.", style="bold red",
        ))
    parts.extend(Text(f"• {notice}") for notice in result.notices)
    if result.rejected:
        advice = (f"{_listed(len(result.rejects), 'rejected row')}: fix them in the file and "
                  "import it again.")
        if result.rejects_path:
            every = "all " if len(result.rejects) > SHOWN_ROWS else ""
            advice += f" They are {every}also saved in {result.rejects_path}."
        parts.append(Text(advice))
    else:
        parts.append(Text("Every row was imported.", style="green"))
    if warnings := row_warnings(result):
        after = " the rejected rows" if result.rejects else ""
        took = "would have been" if result.status == "refused" else "were"
        parts.append(Text(f"{_listed(len(warnings), 'warning')}{after}: those rows {took} "
                          "imported, but are worth checking (each person's screen shows their "
                          "own).", style="yellow"))
    return Group(*parts)


def _listed(total: int, noun: str) -> str:
    """'Rejected rows are listed below', or, of very many, the first SHOWN_ROWS of them."""
    if total > SHOWN_ROWS:
        return f"The first {count(SHOWN_ROWS)} of {plural(total, noun)} are listed below"
    return f"{noun.capitalize()}s are listed below"


def row_warnings(result: Any) -> Sequence[RowWarning]:
    """The rows an import took but warned about (a stand-in result may have no list)."""
    return getattr(result, "warning_list", None) or ()


def as_rejects(warnings: Iterable[RowWarning]) -> list[Reject]:
    """Warnings as the table of rejected rows shows them: one entry per row, its warnings in
    file order."""
    rows: list[Reject] = []
    for warning in warnings:
        if rows and rows[-1].row == warning.row:
            rows[-1].errors.append((warning.column, warning.message))
        else:
            rows.append(Reject(warning.row, warning.record_key,
                               [(warning.column, warning.message)]))
    return rows


def earlier_column_notes(batches: Iterable[BatchSummary]) -> RenderableType | None:
    """What the latest imports said about their files' columns, until the next import."""
    parts: list[RenderableType] = []
    for batch in batches:
        if batch.column_notes:
            parts.append(Text(f"The latest {batch.kind} import ({batch.file_name}, "
                              f"{uk_time(batch.started_at)}) said about its columns:",
                              style="bold"))
            parts.extend(Text(f"• {note}", style="yellow") for note in batch.column_notes)
    return Group(*parts) if parts else None


CHOICES = "choices"  # the form's third kind: managers' choices of worker

# The importer's advice names the command line's options; here, the form's boxes.
_SCREEN_WORDS = (
    ("--sheet was given, but", "A sheet was named, but"),
    ("Give one of those names with --sheet (quote it if it has spaces).",
     "Type one of those names in the Sheet box."),
    ("Choose the sheet that holds the rows with --sheet.",
     "Type the name of the sheet that holds the rows in the Sheet box."),
    ("Choose the sheet that holds the rows with --sheet NAME.",
     "Type the name of the sheet that holds the rows in the Sheet box."),
    ("Leave out --sheet for a CSV file.", "Leave the Sheet box empty for a CSV file."),
    ("with --sheet", "in the Sheet box"),
)


def on_this_screen(message: str, hint: str | None) -> tuple[str, str | None]:
    """An import's error and its advice as this screen can follow them: the Sheet box for
    ``--sheet``, the Mapping box for a ``--mapping`` file."""
    for command_line, screen in _SCREEN_WORDS:
        message = message.replace(command_line, screen)
        hint = hint.replace(command_line, screen) if hint else hint
    if hint and "--mapping" in hint:
        hint += (" Here, give that mapping file in the Mapping box (docs/import.md shows "
                 "one).")
    return message, hint


def workbook_sheets(path: Path) -> list[str]:
    """The names of a workbook's sheets, in order, read from its index alone (opening the
    workbook reads every sheet, which takes seconds on a large export); [] if it is not a
    workbook that can be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            index = archive.getinfo("xl/workbook.xml")
            if index.file_size > 5_000_000:  # an index is a few kilobytes
                return []
            data = archive.read(index)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(data, parser)
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return []
    return [str(element.get("name")) for element in root.iter()
            if isinstance(element.tag, str) and etree.QName(element).localname == "sheet"
            and element.get("name")]


def on_another_sheet(error: InputFileError, path: Path) -> InputFileError:
    """An error about a workbook's first sheet (no header row, empty, columns missing), when
    the workbook has other sheets: the rows may well be on one of them, so the error names
    them and the Sheet box, where the importer's advice (a mapping file) assumes the rows are
    on the sheet it read."""
    if "(sheet '" not in error.message or "Its sheets are" in error.message:
        return error
    sheets = workbook_sheets(path)
    if len(sheets) < 2:
        return error
    names = ", ".join(f"'{name}'" for name in sheets)
    hint = ("Type the name of the sheet that holds the rows in the Sheet box."
            + (f" If they are on the first sheet: {error.hint}" if error.hint else ""))
    return InputFileError(f"{error.message} Its sheets are: {names}.", hint=hint,
                          exit_code=error.exit_code)


def run_choices(database: Database, settings: Settings, rules: Rules, path: Path, *,
                sheet: str | None, strict: bool) -> ChoicesResult:
    """A file of choices in one transaction: exactly what ``transition assign --file`` does."""
    with database.transaction() as session:
        return apply_choices(session, rules, path, sheet=sheet, strict=strict,
                             as_of=settings.today(), actor=settings.actor)


def choices_summary(result: ChoicesResult) -> RenderableType:
    """The counts, what strict did, and what to do about rejected rows."""
    parts: list[RenderableType] = [Text(result.summary(), style="bold")]
    if result.strict_refused:
        parts.append(Text("Strict: nothing was recorded, because some rows were rejected.",
                          style="bold red"))
    forced = [row for row in result.rows if row.forced_past]
    parts.extend(Text(f"• Row {row.row}: forced past {'; '.join(row.forced_past)}")
                 for row in forced)
    # As assign --file says them: out of reach, an undecided council team, a reason cut short.
    parts.extend(Text(f"• Row {row.row}: {row.message}") for row in result.rows
                 if row.outcome != "rejected" and row.message)
    if (unread := result.unread_note()) is not None:
        parts.append(Text(unread, style="yellow"))
    if result.rejected:
        parts.append(Text("Rejected rows are listed below: correct them in the file and run it "
                          "again (rows already recorded come back as already so). A choice "
                          "that breaks a hard constraint can be made anyway on the person's "
                          "screen (A)."))
    else:
        parts.append(Text("Every row was recorded (or was so already).", style="green"))
    return Group(*parts)


class ImportScreen(DetailScreen):
    """Choose a kind and a file, run the import, read the result and the rejected rows."""

    CSS_PATH = "imports.tcss"
    TITLE = "Import a file"

    BINDINGS = [
        Binding("ctrl+r", "run", "Run import", id="import.run"),
        # After an import the focus is on the page of its result, so that keys act; f goes
        # back to the file box (shown only away from a text box, where f is typed).
        Binding("f", "file_box", "File box", id="import.file_box"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, kind: str | None = None) -> None:
        super().__init__()
        self.initial_kind = kind
        self.running = False
        self._stop = threading.Event()
        self._last_progress = 0
        self._folder_of_last_file = ""
        self._last_file: Path | None = None  # the file being (or last) imported

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with VerticalScroll(id="import"):
            yield Static(
                "Import the staff list first, then the caseload, so that each person's care "
                "coordinator can be checked against the staff list. Importing the same file "
                "again is safe: people are matched by NHS number and only changes are written. "
                "Managers' choices: a spreadsheet from an allocation meeting (NHS number, staff "
                "id, and role, reason, lock where needed), each row recorded as a choice of "
                "worker or rejected with why.",
                id="import-help-long", classes="import-help",
            )
            yield Static("Staff list first, then the caseload. Importing a file again is safe: "
                         "only changes are written.", id="import-help-short",
                         classes="import-help")
            with Vertical(id="import-form"):
                with Horizontal(classes="field"):
                    yield Label("What", classes="field-label")
                    with RadioSet(id="kind"):
                        yield RadioChoice("Trust caseload", id="caseload")
                        yield RadioChoice("Staff list", id="staff")
                        yield RadioChoice("Managers' choices", id=CHOICES)
                with Horizontal(classes="field"):
                    yield Label("File", classes="field-label")
                    yield PathInput(placeholder="path to a .csv or .xlsx file (tab completes)",
                                    id="path")
                with Horizontal(classes="field"):
                    yield Label("Sheet", classes="field-label")
                    yield Input(placeholder="first sheet (spreadsheets only)", id="sheet")
                with Horizontal(classes="field"):
                    yield Label("Mapping", classes="field-label")
                    yield PathInput(placeholder="optional: a .toml file naming headers the tool "
                                    "does not know", id="mapping")
                with Horizontal(classes="field"):
                    yield Label("", classes="field-label")
                    yield TickBox("Strict: import nothing if any row is rejected", id="strict")
                with Horizontal(classes="field"):
                    yield Label("", classes="field-label")
                    yield Button("Import  (ctrl+r)", id="run", variant="primary")
            yield ProgressBar(id="progress", show_eta=False)
            yield Static(id="result")
            rejects = FittedTable(reject_columns(), id="import-rejects", zebra_stripes=True)
            rejects.border_title = "Rejected rows"
            yield rejects
            warnings = FittedTable(reject_columns(), id="import-warnings", zebra_stripes=True)
            warnings.border_title = "Warnings (imported; worth checking)"
            yield warnings
        yield AppFooter()

    def on_mount(self) -> None:
        for table in self.query(FittedTable):
            table.display = False
        self.query_one("#progress").display = False
        self.query_one("#result").display = False
        with self.database.session() as session:
            latest = {kind.value: latest_import(session, kind.value) for kind in ImportKind}
        kind = self.initial_kind
        if kind is None:
            staff_done = latest[ImportKind.STAFF.value] is not None
            kind = ImportKind.CASELOAD.value if staff_done else ImportKind.STAFF.value
        self.query_one(f"#{kind}", RadioButton).value = True
        self.query_one("#path", Input).focus()
        said = earlier_column_notes(batch for batch in latest.values() if batch is not None)
        if said is not None:
            self._show_result(said, reveal=False)

    # -- the form --------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        pressed = self.query_one("#kind", RadioSet).pressed_button
        return pressed.id if pressed and pressed.id else ImportKind.CASELOAD.value

    def _show_result(self, content: RenderableType, *, error: bool = False,
                     reveal: bool = True) -> None:
        """Show ``content`` under the form; ``reveal``: scroll it into view (on a short
        terminal it is below the form)."""
        result = self.query_one("#result", Static)
        result.display = True
        result.set_class(error, "-error")
        result.update(content)
        if reveal:
            self.call_after_refresh(result.scroll_visible, animate=False)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.query_one("#import-form").disabled = running
        self.refresh_bindings()

    def action_file_box(self) -> None:
        """The focus in the file box, the cursor at the end of what it holds."""
        path = self.query_one("#path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    def _focus_result(self) -> None:
        """The focus on the page that shows what an import did, so that the next key acts (a
        section key, q, escape) instead of being typed into the file box, and the arrows and
        page keys scroll through the result and the rejected rows. Not on the table of
        rejected rows: on a short terminal its cursor would move below the screen, which does
        not follow it. ``f`` goes back to the file box."""
        # Not scrolled: _show_result has revealed the result's counts.
        self.set_focus(self.query_one("#import", VerticalScroll), scroll_visible=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return None if self.running else True
        if action == "file_box":
            # Not while the form is disabled, nor in a text box (where f is typed).
            return not self.running and not isinstance(self.focused, Input)
        return True

    @on(Button.Pressed, "#run")
    @on(Input.Submitted, "#path, #sheet, #mapping")
    def _run_pressed(self) -> None:
        self.action_run()

    def action_run(self) -> None:
        if self.running:
            return
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self._show_result(Text("Choose a file to import first.", style="bold"), error=True)
            self.query_one("#path", Input).focus()
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            self._show_result(Text.assemble(
                (str(path), "bold"), (" is a folder, not a file.", "bold"), "\n",
                "Add the file's name after it; tab completes the names in the folder.",
            ), error=True)
            self.query_one("#path", Input).focus()
            return
        if not path.is_file():
            similar = files_starting(path) if path.name else []
            self._show_result(Text.assemble(
                ("There is no file at ", "bold"), (str(path), "bold"), "\n",
                (f"Did you mean {' or '.join(similar)}? Type the rest of the name (tab "
                 "completes it)." if similar else
                 "Check the path; tab completes folder and file names as you type."),
            ), error=True)
            self.query_one("#path", Input).focus()
            return
        mapping = self._mapping_file()
        if mapping is False:
            return
        self._folder_of_last_file = raw[: len(raw) - len(path.name)]
        self._last_file = path
        sheet = self.query_one("#sheet", Input).value.strip() or None
        strict = self.query_one("#strict", Checkbox).value
        self._start(path, self.kind, sheet, strict, mapping)

    def _mapping_file(self) -> Path | None | bool:
        """The Mapping box's file (None: empty), or False when it cannot be used (said)."""
        box = self.query_one("#mapping", Input)
        raw = box.value.strip()
        if not raw:
            return None
        mapping = Path(raw).expanduser()
        problem = None
        if self.kind == CHOICES:
            problem = ("A mapping file is for a caseload or a staff list: managers' choices "
                       "are read by their own headers. Empty the Mapping box.")
        elif not mapping.is_file():
            problem = (f"There is no mapping file at {mapping}" + (
                " (it is a folder)" if mapping.is_dir() else "")
                + ". Check the path, or empty the Mapping box.")
        if problem is None:
            return mapping
        self._show_result(Text(problem, style="bold"), error=True)
        box.focus()
        return False

    def _start(self, path: Path, kind: str, sheet: str | None, strict: bool,
               mapping: Path | None = None) -> None:
        self._stop.clear()
        self._last_progress = 0
        self._set_running(True)
        progress = self.query_one("#progress", ProgressBar)
        progress.display = True
        progress.update(total=None, progress=0)
        for table in self.query(FittedTable):
            table.display = False
        self._show_result(Text(f"Importing {path.name}…"))
        self.import_worker(path, kind, sheet, strict, mapping)

    # -- the worker ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def import_worker(self, path: Path, kind: str, sheet: str | None, strict: bool,
                      mapping: Path | None = None) -> Any:
        try:
            if kind == CHOICES:
                return run_choices(self.database, self.settings, self.transition.rules, path,
                                   sheet=sheet, strict=strict)
            return run_import(self.database, self.settings, path, kind, sheet=sheet,
                              strict=strict, progress=self._progress,
                              rules=lambda: self.transition.rules, mapping=mapping)
        except InputFileError as error:
            raise (error if sheet is not None else on_another_sheet(error, path)) from None

    def _progress(self, done: int, total: int) -> None:
        """Called by the importer in its thread: stop if asked; report now and then."""
        if self._stop.is_set():
            raise ImportStopped
        if done >= total or done - self._last_progress >= max(1, total // 100):
            self._last_progress = done
            self.post_message(ImportProgress(done, total))

    def on_import_progress(self, message: ImportProgress) -> None:
        self.query_one("#progress", ProgressBar).update(total=message.total,
                                                        progress=message.done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "import" or event.state not in (
            WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED
        ):
            return
        self._set_running(False)
        self.query_one("#progress").display = False
        if event.state == WorkerState.SUCCESS:
            self._finished(event.worker.result)
            self._focus_result()
        else:  # the file could not be imported: the box, to correct the path or the file
            self._failed(event.worker.error)
            self.action_file_box()

    def _finished(self, result: Any) -> None:
        if isinstance(result, ChoicesResult):
            self._choices_finished(result)
            return
        nothing = result.status in ("refused", "rejected")  # the CLI exits 2 for both
        self._show_result(result_summary(result), error=nothing)
        key_label = KEY_LABELS.get(str(result.kind), KEY_LABELS[ImportKind.CASELOAD.value])
        # NHS numbers as the CLI's summary shows them (masked); staff ids as they are.
        masked = result.kind != ImportKind.STAFF
        self._list("#import-rejects", list(result.rejects)[:SHOWN_ROWS], key_label,
                   masked=masked)
        self._list("#import-warnings", as_rejects(row_warnings(result)[:SHOWN_ROWS]), key_label,
                   style="yellow", masked=masked)
        self.transition.data_changed()
        if result.kind == ImportKind.STAFF and result.status != "refused":
            # The usual next step: the caseload, from the same folder; the staff list just
            # imported is not suggested for it.
            self.query_one("#caseload", RadioButton).value = True
            path = self.query_one("#path", Input)
            if isinstance(path, PathInput) and self._last_file is not None:
                path.skip(self._last_file)
            path.value = self._folder_of_last_file
        name = Path(str(result.file)).name
        if result.status == "refused":
            self.notify(f"{name}: nothing imported (strict, rows rejected).",
                        title="Import refused", severity="error")
        elif result.status == "rejected":
            self.notify(f"{name}: nothing imported (every row rejected).",
                        title="Nothing imported", severity="error")
        elif result.rejected:
            self.notify(f"{name}: {plural(result.rejected, 'row')} rejected.",
                        title="Import finished", severity="warning")
        else:
            self.notify(f"{name}: {plural(result.rows, 'row')} imported.", title="Import finished")

    def _list(self, table_id: str, rows: list[Reject], key_label: str, *,
              style: str = "red", masked: bool = False) -> None:
        """Fill one of the tables under the result (shown only when it has rows); ``masked``:
        the keys are NHS numbers, masked as the CLI masks them (:func:`fill_rejects`)."""
        table = self.query_one(table_id, FittedTable)
        table.clear()
        table.set_columns(reject_columns(key_label))
        fill_rejects(table, rows, style=style, masked=masked)
        table.display = table.row_count > 0

    def _choices_finished(self, result: ChoicesResult) -> None:
        self._show_result(choices_summary(result), error=result.strict_refused)
        self._list("#import-rejects", [
            Reject(row.row, row.nhs_number, [(row.column or "", row.message)])
            for row in result.rows if row.outcome == "rejected"][:SHOWN_ROWS],
            KEY_LABELS[ImportKind.CASELOAD.value], masked=True)
        self.transition.data_changed()
        if result.strict_refused:
            self.notify(f"{result.file_name}: nothing recorded (strict, rows rejected).",
                        title="Choices refused", severity="error")
        elif result.rejected:
            self.notify(result.summary(), title="Choices recorded", severity="warning")
        else:
            self.notify(result.summary(), title="Choices recorded")

    def _failed(self, error: BaseException | None) -> None:
        if isinstance(error, ImportStopped) or error is None:
            self._show_result(Text("Import stopped. Nothing from it was saved.", style="bold"),
                              error=True)
        elif isinstance(error, TransitionError):
            message, hint = on_this_screen(error.message, error.hint)
            self._show_result(Text.assemble(
                # Most of the importer's messages say so already: once is enough.
                *(() if "Nothing was imported" in message
                  else (("Nothing was imported. ", "bold"),)),
                message, *(("\n", hint) if hint else ()),
            ), error=True)
        elif (words := database_words(self.database, error)) is not None:
            # A failure the database's words know (busy, a disk or file fault, a lost server).
            self._show_result(Text.assemble(("Nothing was imported. ", "bold"), words),
                              error=True)
        else:
            # The exception's text may quote the file's data, so only its type is shown.
            self._show_result(Text.assemble(
                ("Nothing was imported: ", "bold"),
                f"the import stopped unexpectedly ({type(error).__name__}). The database is "
                "as it was. Try the same file with `transition import` on the command line "
                "(TRANSITION_DEBUG=1 shows the details) and report it.",
            ), error=True)

    # -- leaving ---------------------------------------------------------------------------

    def action_back(self) -> None:
        if not self.running:
            self.dismiss()
            return
        if self._stop.is_set():  # asked already: it stops at its next progress report
            self.notify("The import is stopping; nothing from it will be saved.",
                        title="Stopping")
            return

        def answered(stop: bool | None) -> None:
            if stop:
                self.stop_import()

        self.app.push_screen(
            ConfirmScreen("Stop the import?", detail="Nothing from this import will be saved.",
                          yes="Stop it", no="Keep going"),
            answered,
        )

    def stop_import(self) -> None:
        """Ask the running import to stop at its next progress report (it rolls back)."""
        self._stop.set()
        if self.running:  # the next report can be seconds away (writing a large file)
            self._show_result(Text("Stopping the import… Nothing from it will be saved.",
                                   style="bold"), error=True)
