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


class ExplanationBox(VerticalScroll):
    """Explanatory text kept to a few lines (its ``max-height``), scrolling within them; reached
    with tab only when it does not all show (a box with nothing to scroll would be a dead stop
    between the keys)."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0


class DialogBody(VerticalScroll):
    """The part of a dialog that scrolls. When it gets shorter (a refusal's lines on the
    problem line under it, a smaller terminal), what has the focus in it is kept in view:
    the reason just typed stays readable above the refusal."""

    def on_resize(self) -> None:
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            self.call_after_refresh(self.scroll_to_widget, focused, animate=False)


class ChoiceWithReasonScreen(ReasonDialog[Answer]):
    # The problem line and the buttons are docked at the bottom of the dialog, so they are
    # always on screen. What explains the choice (``intro``: why no worker fits, what the
    # rules decided) is fixed under the question, so it stays in view too: it once scrolled
    # with the list and, at 80x24, went off the top as soon as the list had the focus. The
    # rest (the list, the reason, the lock) scrolls between the two when the terminal is too
    # short for it all, and the focus brings what it moves to into view.
    DEFAULT_CSS = """
    ChoiceWithReasonScreen { align: center middle; }
    ChoiceWithReasonScreen > #dialog {
        width: 84; max-width: 100%; height: auto; max-height: 90%; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    ChoiceWithReasonScreen #dialog-head { dock: top; height: auto; }
    ChoiceWithReasonScreen #intro { height: auto; }
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
        """Widgets between the question and the list, which stay in view (they do not scroll
        with the list): keep them to a few lines, long text in an :class:`ExplanationBox`."""
        return ()

    def extra(self) -> Iterable[Widget]:
        """Widgets between the reason and the buttons."""
        return ()

    def answer(self, index: int, reason: str) -> Answer:
        raise NotImplementedError

    # -- the dialog ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            with Vertical(id="dialog-head"):
                yield Static(self.question, id="question")
                intro = list(self.intro())
                if intro:
                    with Vertical(id="intro"):
                        yield from intro
            with Vertical(id="dialog-foot"):
                yield Static("", id="problem")
                with Horizontal(id="answers"):
                    yield Button(self.SAVE_LABEL, id="save", variant="warning")
                    yield Button("Cancel (esc)", id="cancel", variant="primary")
            with DialogBody(id="body", can_focus=False):
                yield OptionList(*self.choices(), id=self.LIST_ID, classes="choices")
                yield Label("Why (kept in the audit trail):")
                yield Input(placeholder=self.REASON_PLACEHOLDER,
                            max_length=self.REASON_MAX_LENGTH, id="reason")
                yield from self.extra()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.first_highlighted()
        # Not centred in the scrolling part (Textual's focus would scroll the list's top
        # edge away): it is first there, and the body keeps it in view (DialogBody).
        options.focus(scroll_visible=False)

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
