"""The letters section: who needs which handover letters, each previewed as it will read.

The table lists every letter due from the accepted allocation (``letters.letters_needed``):
due, written, out of date (with why), not possible (with why: someone must act) or skipped for a
settled reason (the person said no to their carer being told; braille or BSL, which the team
makes; a letter task a manager marked not needed: nothing to do, as ``letters generate`` exits 0
for them). The preview beside it renders
the highlighted letter (``letters.preview_letter``) without writing anything. ``g`` writes the
highlighted person's letters, ``G`` everyone's, in a worker with a progress bar, exactly as
``transition letters generate`` does (recorded, audited, letter tasks marked done). ``o`` chooses
the format every letter is written in, as ``--format`` does (or, as by default, the format each
person's need calls for). A letter that prints a council detail since corrected (the crisis
line) is out of date, with why.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from transition import nhs
from transition.config import settings_file_shown
from transition.errors import TransitionError
from transition.letter_templates import LetterTemplates
from transition.letters import (
    FORMATS,
    GenerationResult,
    LetterNeed,
    LetterPreview,
    check_council_details,
    generate_letters,
    letters_needed,
    preview_letter,
)
from transition.screens.base import DataScreen, database_words
from transition.screens.confirm import ConfirmScreen
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.format import count, plural, words

ROWS_SHOWN = 2000
TO_WRITE = ("due", "out_of_date")
# "skipped": not written, someone must act (``letters generate`` exits 1); "settled": skipped
# for a settled reason (carer consent no; braille or BSL, which the team makes; its task marked
# not needed by a manager), nothing to do.
STATUS_LABELS = {"due": ("Due", "bold"), "written": ("Written", "green"),
                 "out_of_date": ("Out of date", "bold yellow"), "skipped": ("Cannot send", "red"),
                 "settled": ("Skipped", "yellow")}
# How the summary above the table counts the two kinds of letter not written.
SUMMARY_WORDS = {"skipped": "cannot send: needs action", "settled": "skipped: nothing to do"}
KIND_LABELS = {"person": "Person", "gp": "GP", "carer": "Carer", "signpost": "Signpost"}
LETTER_TO = {"person": "the person", "gp": "the GP practice", "carer": "the carer",
             "signpost": "the person (signposting)"}
# Each format a run can write every letter in, and what it is for (``--format``).
FORMAT_CHOICES = {
    "pdf": "PDF: to print and post",
    "docx": "Word (DOCX): to edit, or for a screen reader",
    "html": "HTML: to send by email, or for a screen reader",
    "md": "plain text: to record as audio",
}
AS_EACH_NEEDS = "as-needed"  # the option for no --format: each person's need decides


@dataclass(frozen=True)
class Needs:
    """What the worker read: every letter due, for the table."""

    needs: list[LetterNeed]
    refusal: TransitionError | None = None  # why no letter may be written (example council)


class FormatScreen(ModalScreen[str | None]):
    """Which format to write letters in: every letter in one (``--format``), or each in the
    format its person's need calls for (the default). Dismisses the format, ``AS_EACH_NEEDS``,
    or None when cancelled."""

    CSS_PATH = "letters.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str | None, default_format: str) -> None:
        super().__init__()
        self.current = current
        self.default_format = default_format

    def compose(self) -> ComposeResult:
        with Vertical(id="format-dialog"):
            yield Static("Write letters as", id="format-title")
            options = [Option(f"As each person needs ({self.default_format.upper()}; HTML "
                              "for email, text for audio)", id=AS_EACH_NEEDS)]
            options += [Option(f"Every letter as {words}", id=fmt)
                        for fmt, words in FORMAT_CHOICES.items() if fmt in FORMATS]
            yield OptionList(*options, id="format-choices")
            yield Static("enter choose · escape cancel", id="format-hint")

    def on_mount(self) -> None:
        choices = self.query_one("#format-choices", OptionList)
        choices.highlighted = choices.get_option_index(self.current or AS_EACH_NEEDS)
        choices.focus()

    @on(OptionList.OptionSelected, "#format-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def format_words(fmt: str | None) -> str:
    """The chosen format as the summary line says it."""
    return "each as its person needs" if fmt is None else f"all as {fmt.upper()}"


class LettersStopped(Exception):
    """Raised in the writing thread when the manager stops the run (it rolls back)."""


class GenerateProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


def shown_status(need: LetterNeed) -> str:
    """The status the screen shows: a settled skip apart from one someone must act on."""
    return "settled" if need.status == "skipped" and need.settled else need.status


def status_text(need: LetterNeed) -> Text:
    status = shown_status(need)
    label, style = STATUS_LABELS.get(status, (words(status), ""))
    return Text(label, style=style)


def preview_header(preview: LetterPreview, need: LetterNeed | None = None) -> RenderableType:
    line = Text.assemble((f"Letter to {LETTER_TO.get(preview.kind, preview.kind)}", "bold"),
                         f" · {preview.format.upper()}")
    if preview.style != "standard":
        line.append(f" · {words(preview.style).lower()}")
    if preview.template:
        line.append(f" · {preview.template}", style="dim")
    parts: list[RenderableType] = [line]
    if need is not None and need.status == "out_of_date":
        parts.append(Text(f"Out of date: {need.reason}. Writing it again (g) supersedes the "
                          "letter sent.", style="bold yellow"))
    elif need is not None and need.status == "due" and need.reason:
        parts.append(Text(f"Due: {need.reason}.", style="bold"))
    elif need is not None and need.status == "written" and need.format != preview.format:
        # Written in another format than this one (MD on file, PDF here): writing adds a copy.
        parts.append(Text(f"Written as {need.format.upper()} and still right: writing again "
                          f"adds a {preview.format.upper()} copy.", style="green"))
    elif need is not None and need.status == "written":
        parts.append(Text("Written and still right: writing again changes nothing.",
                          style="green"))
    if preview.skip_reason and need is not None and need.settled:
        parts.append(Text(f"Skipped, nothing to do: {preview.skip_reason}.", style="yellow"))
    elif preview.skip_reason:
        parts.append(Text(f"Will not be written: {preview.skip_reason}.", style="bold red"))
    if preview.note:
        parts.append(Text(f"Note: {preview.note}.", style="yellow"))
    if preview.example_council:
        parts.append(Text(f"Example details: {preview.example_council}.", style="bold yellow"))
    return Group(*parts)


def preview_body(preview: LetterPreview) -> RenderableType:
    if preview.text is None:
        return Text("Nothing to show: this letter cannot be filled in for this person.",
                    style="dim")
    return Markdown(preview.text)


def run_summary(result: GenerationResult) -> Text:
    text = Text.assemble(("Last run: ", "bold"),
                         (f"{plural(len(result.written), 'letter')} written", "bold green"))
    if result.unchanged:
        text.append(f" · {count(len(result.unchanged))} unchanged (not written again)")
    if result.not_written:
        text.append(f" · {count(len(result.not_written))} not written: needs action",
                    style="bold red")
    if settled := len(result.skipped) - len(result.not_written):
        text.append(f" · {count(settled)} skipped: nothing to do (the person's answer, a "
                    "format the team makes, or a task marked not needed)", style="yellow")
    if result.superseded:
        text.append(f" · {count(result.superseded)} older versions superseded")
    if reworded := result.reworded:
        text.append(f" · {count(len(reworded))} of them reworded: they say the same about the "
                    "person as the letter they replace (a new template or council details); if "
                    "that was posted, decide whether these need posting", style="yellow")
    if result.tasks_done:
        text.append(f" · {plural(result.tasks_done, 'letter task')} marked done")
    if result.tasks_blocked:
        text.append(f" · {plural(len(result.tasks_blocked), 'letter task')} left blocked "
                    "(the letter is written; the block and its reason are kept)", style="yellow")
    for warning in result.template_warnings:
        text.append(f"\nWarning: {warning.message}", style="bold yellow")
    text.append(f"\nFolder: {result.out_dir}", style="dim")
    return text


class LettersScreen(DataScreen):
    """Who needs which letters, a preview of each, and writing them."""

    CSS_PATH = "letters.tcss"
    TITLE = "Letters"
    AUTO_FOCUS = "#letters-table"

    BINDINGS = [
        Binding("g", "generate_person", "Write their letters", id="letters.generate"),
        Binding("G", "generate_all", "Write all", id="letters.generate_all"),
        Binding("f", "filter", "To write", id="letters.filter"),
        Binding("o", "choose_format", "Format", id="letters.format"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.needs: list[LetterNeed] = []
        self.to_write_only = False
        # The format every letter is written in (--format), or None: each as its person needs.
        self.fmt: str | None = None
        self.running = False
        self.last_run: GenerationResult | None = None
        self.refusal: TransitionError | None = None
        self._templates: LetterTemplates | None = None
        self._stop = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with Horizontal(id="letters"):
            with Vertical(id="letters-left"):
                yield Static(id="letters-summary")
                table: DataTable[RenderableType] = DataTable(
                    id="letters-table", cursor_type="row", zebra_stripes=True)
                yield table
                yield ProgressBar(id="letters-progress", show_eta=False)
                yield Static(id="letters-run")
            with VerticalScroll(id="letter-preview"):
                yield Static(id="preview-header")
                yield Static(id="preview-body")
        yield AppFooter()

    def on_resize(self, event: events.Resize) -> None:
        # Side by side the preview needs about 110 columns; narrower, it goes under the table.
        self.query_one("#letters").set_class(event.size.width < 110, "-narrow")

    def on_mount(self) -> None:
        table = self.query_one("#letters-table", DataTable)
        for key, label, width in (("name", "Person", 20), ("nhs", "NHS number", 12),
                                  ("kind", "Letter", 8), ("status", "Status", 11),
                                  ("format", "Format", 6)):
            table.add_column(label, key=key, width=width)
        self.query_one("#letters-progress").display = False
        self.query_one("#letter-preview").border_title = "Preview"
        self.query_one("#letters-run").display = False

    @property
    def templates(self) -> LetterTemplates:
        if self._templates is None:
            self._templates = LetterTemplates(self.settings.letter_templates_dir)
        return self._templates

    # -- who needs which letters -----------------------------------------------------------

    def reload(self) -> None:
        self.query_one("#letters-summary", Static).update(
            Text("Reading who needs which letters…", style="dim"))
        self.load_needs()

    @work(thread=True, exclusive=True, group="letters-load", exit_on_error=False)
    def load_needs(self) -> Needs:
        with self.database.session() as session:
            try:
                self.check_council(session)
            except TransitionError as refused:
                refusal: TransitionError | None = refused
            else:
                refusal = None
            return Needs(letters_needed(session, fmt=self.fmt,
                                        default_format=self.settings.letter_format,
                                        templates=self.templates,
                                        council=self.settings.council,
                                        as_of=self.today()), refusal)

    def check_council(self, session: Session) -> None:
        """Raise if letters would carry the invented example council details (not the demo)."""
        check_council_details(session, self.settings.council,
                              settings_file=settings_file_shown(self.settings))

    def _show_needs(self, needs: list[LetterNeed], keep: str | None = None) -> None:
        self.needs = needs
        table = self.query_one("#letters-table", DataTable)
        keep = keep or self.current_key()
        table.clear()
        shown = [need for need in needs if not self.to_write_only or need.status in TO_WRITE]
        for need in shown[:ROWS_SHOWN]:
            table.add_row(need.name, nhs.format_334(need.nhs_number),
                          KIND_LABELS.get(need.kind, need.kind), status_text(need),
                          need.format, key=f"{need.person_id}:{need.kind}")
        self._summary(len(shown))
        if keep is not None and table.row_count:
            # The row may be gone: the "to write" filter hides written letters.
            table.move_cursor(row=table.get_row_index(keep) if keep in table.rows else 0)
        self._preview_current()
        self.refresh_bindings()

    def _summary(self, shown: int) -> None:
        counts = {status: sum(1 for need in self.needs if shown_status(need) == status)
                  for status in STATUS_LABELS}
        people = len({need.person_id for need in self.needs})
        if not self.needs:
            self.query_one("#letters-summary", Static).update(Text(
                "No one needs a letter yet: letters follow an accepted plan that gives people "
                "a new worker, and the signpost pathway.", style="dim"))
            return
        line = Text.assemble((f"{plural(len(self.needs), 'letter')} for "
                              + plural(people, "person", "people"), "bold"), ": ")
        parts = []
        for status, (label, style) in STATUS_LABELS.items():
            if counts[status]:
                said = SUMMARY_WORDS.get(status, label.lower())
                parts.append(Text(f"{count(counts[status])} {said}", style=style))
        line.append_text(Text(" · ").join(parts))
        if self.fmt is not None:
            line.append(f" · {format_words(self.fmt)}", style="bold")
        if shown > ROWS_SHOWN:
            line.append(f"\nShowing the first {count(ROWS_SHOWN)} of {count(shown)}.",
                        style="dim")
        elif self.to_write_only:
            line.append(" · showing those to write", style="dim")
        self.query_one("#letters-summary", Static).update(line)

    def current_key(self) -> str | None:
        table = self.query_one("#letters-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def current_need(self) -> LetterNeed | None:
        key = self.current_key()
        if key is None:
            return None
        person_id, kind = key.split(":")
        return next((need for need in self.needs
                     if need.person_id == int(person_id) and need.kind == kind), None)

    def action_filter(self) -> None:
        self.to_write_only = not self.to_write_only
        self._show_needs(self.needs)

    def action_choose_format(self) -> None:
        if self.running:
            return

        def chosen(answer: str | None) -> None:
            if answer is None:
                return
            fmt = None if answer == AS_EACH_NEEDS else answer
            if fmt != self.fmt:
                self.fmt = fmt
                self.notify(f"Letters will be written {format_words(fmt)}.", title="Letters")
                self.reload()

        self.app.push_screen(FormatScreen(self.fmt, self.settings.letter_format), chosen)

    @on(DataTable.RowSelected, "#letters-table")
    def _open_person(self) -> None:
        need = self.current_need()
        if need is not None:
            self.transition.open_person(need.person_id)

    # -- the preview -----------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#letters-table")
    def _preview_current(self) -> None:
        need = self.current_need()
        header = self.query_one("#preview-header", Static)
        body = self.query_one("#preview-body", Static)
        if need is None:
            header.update("")
            body.update(Text("Choose a letter to see it as it will read.", style="dim"))
            return
        self.query_one("#letter-preview").border_title = f"Preview: {need.name}"
        header.update(Text("Filling in the letter…", style="dim"))
        self.load_preview(need.person_id, need.kind)

    @work(thread=True, exclusive=True, group="letters-preview", exit_on_error=False)
    def load_preview(self, person_id: int, kind: str) -> LetterPreview | None:
        with self.database.session() as session:
            preview = preview_letter(session, person_id, kind, council=self.settings.council,
                                     as_of=self.today(), fmt=self.fmt,
                                     default_format=self.settings.letter_format,
                                     templates=self.templates)
        return None if get_current_worker().is_cancelled else preview

    def _show_preview(self, preview: LetterPreview) -> None:
        need = self.current_need()
        if need is None or (need.person_id, need.kind) != (preview.person_id, preview.kind):
            return  # the cursor has moved on since
        self.query_one("#preview-header", Static).update(preview_header(preview, need))
        self.query_one("#preview-body", Static).update(preview_body(preview))
        self.query_one("#letter-preview").scroll_home(animate=False)

    # -- writing letters -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_format":
            return None if self.running else True
        if action in ("generate_person", "generate_all"):
            if self.running:
                return None  # shown greyed while letters are being written
            if action == "generate_person":
                return self.current_need() is not None
            return any(need.status in TO_WRITE for need in self.needs)
        return True

    def action_generate_person(self) -> None:
        need = self.current_need()
        if need is not None and not self.running and not self._refused():
            self._start([need.person_id], f"Writing {need.name}'s letters…")

    def action_generate_all(self) -> None:
        if self.running or self._refused():
            return
        due = [need for need in self.needs if need.status in TO_WRITE]
        people = len({need.person_id for need in due})

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(None, f"Writing {plural(len(due), 'letter')}…")

        self.app.push_screen(ConfirmScreen(
            f"Write {plural(len(due), 'letter')} for {plural(people, 'person', 'people')}?",
            detail=f"Into {self.out_dir()}, {format_words(self.fmt)}. Letters already written "
                   "and unchanged are not "
                   "written again; each letter is recorded and its task marked done, "
                   "unless someone has marked the task blocked (it stays blocked).",
            yes="Write them", no="Not now",
        ), answered)

    def _refused(self) -> bool:
        """Say so, before anything is asked or written, when letters may not be written here."""
        if self.refusal is None:
            return False
        self._failed("Nothing was written", self.refusal)
        return True

    def out_dir(self) -> Path:
        return (self.settings.resolved_output_dir / "letters").expanduser().resolve()

    def _start(self, person_ids: list[int] | None, what: str) -> None:
        self._stop.clear()
        self.running = True
        self.refresh_bindings()
        progress = self.query_one("#letters-progress", ProgressBar)
        progress.update(total=None, progress=0)
        progress.display = True
        run = self.query_one("#letters-run", Static)
        run.display = True
        run.update(Text(what, style="bold"))
        self.write_letters(person_ids)

    @work(thread=True, exclusive=True, group="letters-generate", exit_on_error=False)
    def write_letters(self, person_ids: list[int] | None) -> GenerationResult:
        result: GenerationResult | None = None
        try:
            with self.database.transaction() as session:
                self.check_council(session)
                result = generate_letters(
                    session, council=self.settings.council, out_dir=self.out_dir(),
                    as_of=self.today(), actor=self.settings.actor, person_ids=person_ids,
                    fmt=self.fmt, default_format=self.settings.letter_format,
                    templates_dir=self.settings.letter_templates_dir,
                    progress=self._progress,
                )
        except BaseException:
            if result is not None:  # written, but the records could not be committed
                result.remove_written_files()
            raise
        return result

    def _progress(self, done: int, total: int) -> None:
        """Called in the writing thread after each letter: stop if asked, else report."""
        if self._stop.is_set():
            raise LettersStopped
        self.post_message(GenerateProgress(done, total))

    def stop_writing(self) -> None:
        """Stop the run at its next letter: the files it wrote are removed, nothing recorded."""
        self._stop.set()

    def on_generate_progress(self, message: GenerateProgress) -> None:
        self.query_one("#letters-progress", ProgressBar).update(total=message.total,
                                                                progress=message.done)

    def on_worker_state_changed(self, event: Worker[Any].StateChanged) -> None:
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        group = event.worker.group
        if group == "letters-load" and event.state == WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, Needs)
            self.refusal = result.refusal
            self._show_needs(result.needs)
        elif group == "letters-preview" and event.state == WorkerState.SUCCESS:
            if event.worker.result is not None:
                self._show_preview(event.worker.result)
        elif group == "letters-generate":
            self.running = False
            self.query_one("#letters-progress").display = False
            if event.state == WorkerState.SUCCESS:
                self._written(event.worker.result)
            else:
                self._failed("Nothing was written", event.worker.error)
            self.refresh_bindings()
            return
        if event.state == WorkerState.ERROR:
            self._failed("Could not read the letters", event.worker.error)

    def _written(self, result: GenerationResult) -> None:
        self.last_run = result
        self.query_one("#letters-run", Static).update(run_summary(result))
        # Only letters someone must act on warn; settled skips are said, as the CLI says them.
        severity = "warning" if result.not_written else "information"
        message = f"{plural(len(result.written), 'letter')} written"
        if not_written := result.not_written:
            first = not_written[0]
            message += (f"; {count(len(not_written))} could not be "
                        f"(e.g. {KIND_LABELS.get(first.kind, first.kind)}: {first.reason})")
        if settled := [outcome for outcome in result.skipped if outcome.settled]:
            message += f"; {count(len(settled))} skipped: nothing to do"
        self.notify(message, title="Letters", severity=severity)
        self.transition.data_changed()
        self._shown_version = self.transition.data_version
        self.reload()

    def _failed(self, what: str, error: BaseException | None) -> None:
        if isinstance(error, LettersStopped):
            detail = "stopped; the letters of this run were removed and nothing was recorded."
        elif isinstance(error, TransitionError):
            detail = f"{error.message} {error.hint or ''}".strip()
        elif isinstance(error, SQLAlchemyError):  # its words only if the database's know them
            detail = (database_words(self.database, error)
                      or f"{type(error).__name__} on {self.database.describe()}.")
        else:  # the text may quote a person's data, so only the kind of failure is shown
            detail = (f"stopped unexpectedly ({type(error).__name__}); try `transition letters "
                      "generate` on the command line (TRANSITION_DEBUG=1 shows details).")
        run = self.query_one("#letters-run", Static)
        run.display = True
        run.update(Text.assemble((f"{what}: ", "bold red"), detail))
        self.notify(detail, title=what, severity="error")
