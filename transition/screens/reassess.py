"""Reassessing everyone from the app (``A`` on the at-risk screen and the dashboard), exactly as
``transition assess`` does (:func:`transition.assessment.refresh_assessments`, everyone, as of
the app's today), in a worker thread with a progress bar under the screen.

The stored handover-risk scores hold at the day they were measured: a discharge or a last
contact may cross a window since, so the screens say when the scores are not of today and
which key measures them again. On a large caseload the app asks first (it takes a few seconds
and rewrites everyone's pathway and band, audited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from transition.assessment import AssessmentSummary, refresh_assessments
from transition.errors import TransitionError
from transition.models import Person
from transition.screens.confirm import ConfirmScreen
from transition.widgets.format import count, plural, uk_date

if TYPE_CHECKING:
    from transition.app import TransitionApp

REASSESS_KEY = "A"
"""The key that reassesses everyone, where the scores are shown (at risk, the dashboard)."""

STALE_HINT = f"{REASSESS_KEY} reassesses"
"""What the screens say after 'scores as of 20 Nov 2026, not today: '."""

LONG_REASSESS_PEOPLE = 20_000
"""From this many people on the caseload, the app asks before reassessing (a few seconds)."""

GROUP = "reassess"


def reassess_bindings(prefix: str) -> list[Binding]:
    """``A`` twice: in the footer while the scores are stale or someone is not assessed
    (``reassess``), and out of it otherwise (``reassess(1)``): the key works either way (after a
    change to the rules, say), but the footer at 80 columns only names it when it matters. The
    screen's ``check_action`` enables one or the other (:func:`reassess_enabled`)."""
    return [
        Binding(REASSESS_KEY, "reassess", "Reassess", id=f"{prefix}.reassess"),
        Binding(REASSESS_KEY, "reassess(1)", "Reassess", show=False,
                id=f"{prefix}.reassess_quietly"),
    ]


def reassess_enabled(parameters: tuple[object, ...], stale: bool) -> bool:
    """Whether this of the two ``A`` bindings (:func:`reassess_bindings`) is the one enabled."""
    return stale != bool(parameters and parameters[0])


class ReassessProgress(Horizontal):
    """A reassessment's progress, over the footer while it runs; hidden otherwise. It runs the
    worker, so a reassessment goes on if the manager goes to another screen."""

    DEFAULT_CSS = """
    ReassessProgress {
        height: 1; display: none; background: $panel; padding: 0 1;
    }
    ReassessProgress.-running { display: block; }
    ReassessProgress #reassess-step { width: auto; margin-right: 2; }
    ReassessProgress ProgressBar { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Reassessing everyone…", id="reassess-step")
        yield ProgressBar(total=None, show_eta=False, id="reassess-progress")

    @property
    def transition(self) -> TransitionApp:
        return cast("TransitionApp", self.app)

    # -- starting ----------------------------------------------------------------------------

    def ask(self) -> None:
        """Reassess everyone now, asking first on a large caseload; refused while one runs."""
        if running(self.transition):
            self.notify("A reassessment is already running; the screens refresh when it ends.",
                        title="Reassessing")
            return
        try:
            self.transition.rules  # noqa: B018 - a bad rules file is said now, not in the worker
            with self.transition.database.session() as session:
                people = session.scalar(select(func.count()).select_from(Person)) or 0
        except TransitionError as exc:
            self.notify(f"{exc.message} {exc.hint or ''}".strip(), title="Could not reassess",
                        severity="error")
            return
        except SQLAlchemyError as exc:
            self._failed(self._database_words(exc))
            return
        if people < LONG_REASSESS_PEOPLE:
            self.start()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.start()

        self.app.push_screen(ConfirmScreen(
            f"Reassess all {count(people)} people now?",
            detail=(f"Everyone's pathway and handover risk are decided again as of "
                    f"{uk_date(self.transition.settings.today())}, as transition assess does "
                    "(audited). It takes a few seconds on a caseload this size; the screens "
                    "refresh when it ends."),
            yes="Reassess", no="Not now"), answered)

    def start(self) -> None:
        self.add_class("-running")
        self.query_one("#reassess-progress", ProgressBar).update(total=None, progress=0)
        self._run()

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#reassess-progress", ProgressBar).update(total=total, progress=done)

    @work(thread=True, exclusive=True, group=GROUP)
    def _run(self) -> None:
        app = self.transition
        settings = app.settings
        try:
            with app.database.transaction() as session:
                summary = refresh_assessments(
                    session, app.rules, as_of=settings.today(), actor=settings.actor,
                    progress=lambda done, total: app.call_from_thread(self._progress, done,
                                                                      total))
        except TransitionError as exc:
            app.call_from_thread(self._failed, f"{exc.message} {exc.hint or ''}".strip())
        except SQLAlchemyError as exc:
            app.call_from_thread(self._failed, self._database_words(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not take the manager's app down
            # Textual ends the app on a worker's error; the text may quote data: its type only.
            app.call_from_thread(
                self._failed,
                f"The reassessment stopped unexpectedly ({type(exc).__name__}); nothing was "
                "saved. Run `transition assess` in a terminal with TRANSITION_DEBUG=1 to see "
                "the details, and report it to the team that supports transition.")
        else:
            app.call_from_thread(self._done, summary)

    def _database_words(self, exc: SQLAlchemyError) -> str:
        """The database's own words for a failure they know; otherwise the error's type only
        (the driver's text may quote the statement or a person's data)."""
        known = self.transition.database.known_failure(exc)
        if known is None:
            return f"{type(exc).__name__} on the database. Nothing was saved."
        return f"{known.message} Nothing was saved. {known.hint or ''}".strip()

    # -- ending ------------------------------------------------------------------------------

    def _failed(self, message: str) -> None:
        self.remove_class("-running")
        self.notify(message, title="Could not reassess", severity="error")

    def _done(self, summary: AssessmentSummary) -> None:
        self.remove_class("-running")
        self.notify(summary_words(summary), title="Reassessed")
        if summary.overrides_against_statutory_duty:
            self.notify(
                f"{plural(summary.overrides_against_statutory_duty, 'manager override')} set "
                "signpost or trust for someone who now has section 117 aftercare or a CTO. "
                "Review them on the person screen (o).",
                title="Attention", severity="warning")
        self.transition.data_changed()
        screen = self.screen
        reload = getattr(screen, "reload", None)
        if reload is not None:
            screen.safely(reload)  # type: ignore[attr-defined]
        screen.refresh_bindings()


def summary_words(summary: AssessmentSummary) -> str:
    """'784 people reassessed as of 25 Mar 2027: 2 pathways changed; red 20, amber 151, green
    613.' What ``transition assess`` prints, in one notification."""
    bands = ", ".join(f"{band} {count(number)}" for band, number in summary.bands.items())
    when = f" as of {uk_date(summary.as_of)}" if summary.as_of else ""
    return (f"{plural(summary.people, 'person', 'people')} reassessed{when}: "
            f"{plural(summary.changed_pathways, 'pathway')} changed"
            + (f"; {bands}" if bands else "") + ".")


def running(app: TransitionApp) -> bool:
    """Whether a reassessment is running (from any screen)."""
    return any(worker.group == GROUP and not worker.is_finished for worker in app.workers)
