"""A modal that asks for one choice from a list and a written reason (kept in the audit trail).

Subclasses say what the list holds and what the answer is; the modal only asks. ``up``/``down``
choose, ``enter`` on the list moves to the reason, ``enter`` in the reason or ``ctrl+s`` saves,
``escape`` cancels (dismissing ``None``).

Given ``save``, the modal saves the answer itself before closing: ``save(answer)`` returns None
once it is done (or handled otherwise), or why the domain refused it, which the problem line
shows while the modal stays open with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

Answer = TypeVar("Answer")


class ReasonDialog(ModalScreen[Answer | None], Generic[Answer]):
    """What every modal asking for a written reason shares: ``enter`` in the reason or
    ``ctrl+s`` saves (:meth:`action_save`, a subclass's), the Save and Cancel buttons,
    ``escape`` cancels (dismissing ``None``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceWithReasonScreen(ReasonDialog[Answer]):
    # The problem line and the buttons are docked at the bottom of the dialog, so they are
    # always on screen; the rest (the list, the reason, the lock) scrolls above them when the
    # terminal is too short for it all (80x24), and the focus brings what it moves to into view.
    DEFAULT_CSS = """
    ChoiceWithReasonScreen { align: center middle; }
    ChoiceWithReasonScreen > #dialog {
        width: 84; max-width: 100%; height: auto; max-height: 90%; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    ChoiceWithReasonScreen #body { height: auto; max-height: 1fr; }
    ChoiceWithReasonScreen .choices { height: auto; margin: 1 0; }
    ChoiceWithReasonScreen #dialog-foot { dock: bottom; height: auto; }
    ChoiceWithReasonScreen #problem { color: $text-error; height: auto; }
    ChoiceWithReasonScreen #answers { height: auto; margin-top: 1; align-horizontal: right; }
    ChoiceWithReasonScreen Button { margin-left: 2; }
    ChoiceWithReasonScreen.-short > #dialog { max-height: 100%; padding: 0 1; }
    """

    LIST_ID = "choices"
    SAVE_LABEL = "Save (ctrl+s)"
    REASON_PLACEHOLDER = ""
    REASON_MAX_LENGTH = 1000
    NO_CHOICE = "Choose one first (up/down)."
    NO_REASON = "Say why: it goes into the audit trail."

    def __init__(self, question: str,
                 save: Callable[[Answer], str | None] | None = None) -> None:
        super().__init__()
        self.question = question
        self.save = save

    # -- what a subclass says --------------------------------------------------------------

    def choices(self) -> Iterable[Option]:
        raise NotImplementedError

    def first_highlighted(self) -> int:
        return 0

    def intro(self) -> Iterable[Widget]:
        """Widgets between the question and the list."""
        return ()

    def extra(self) -> Iterable[Widget]:
        """Widgets between the reason and the buttons."""
        return ()

    def answer(self, index: int, reason: str) -> Answer:
        raise NotImplementedError

    # -- the dialog ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            with Vertical(id="dialog-foot"):
                yield Static("", id="problem")
                with Horizontal(id="answers"):
                    yield Button(self.SAVE_LABEL, id="save", variant="warning")
                    yield Button("Cancel (esc)", id="cancel", variant="primary")
            with VerticalScroll(id="body", can_focus=False):
                yield from self.intro()
                yield OptionList(*self.choices(), id=self.LIST_ID, classes="choices")
                yield Label("Why (kept in the audit trail):")
                yield Input(placeholder=self.REASON_PLACEHOLDER,
                            max_length=self.REASON_MAX_LENGTH, id="reason")
                yield from self.extra()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.first_highlighted()
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#reason", Input).focus()

    def action_save(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        reason = self.query_one("#reason", Input).value.strip()
        problem = self.query_one("#problem", Static)
        if highlighted is None:
            problem.update(self.NO_CHOICE)
            return
        if not reason:
            problem.update(self.NO_REASON)
            self.query_one("#reason", Input).focus()
            return
        answer = self.answer(highlighted, reason)
        refused = self.save(answer) if self.save is not None else None
        if refused:
            problem.update(refused)
            return
        self.dismiss(answer)
