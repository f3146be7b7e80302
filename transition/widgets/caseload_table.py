"""The caseload as a table that stays quick at 100,000 people.

The table never holds the whole caseload: every search, sort and page is a SQL query (through
the ``fetch`` function it is given, e.g. :func:`transition.people.list_people`) that returns one
window of rows and the total, and the table shows "Showing 1-200 of 100,000". Queries run in a
thread worker, so typing in the search box never waits for the database, one at a time: the
newest request wins (see ``_run``).

Everything about the engine lives in this one widget, so it can change (a virtual scroller, a
different table) without touching the screens that use it. Columns are data
(:class:`CaseloadColumn`): a later stage adds its columns (pathway, risk band) by adding to
:data:`DEFAULT_COLUMNS` or passing its own tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from rich.console import RenderableType
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState

from transition import nhs
from transition.errors import TransitionError
from transition.matching.rules import ROLE_WORDS
from transition.people import Page, PeopleQuery, PersonRow
from transition.widgets.chrome import PAGES
from transition.widgets.fitted_table import FitColumn, FittedTable
from transition.widgets.format import count, uk_date
from transition.widgets.pathway import band_text, pathway_text


@dataclass(frozen=True)
class Window:
    """One window of the caseload as fetched: the page, plus names to show for staff ids."""

    page: Page
    staff_names: Mapping[str, str] = field(default_factory=dict)
    today: date | None = None  # to say which coordinators' allocations have ended


Fetch = Callable[[PeopleQuery], Window]
"""Runs one query (in a worker thread, so it must open its own session)."""


@dataclass(frozen=True)
class CaseloadColumn:
    """A column of the caseload table: its key, heading, how to draw a cell, how to sort."""

    key: str
    label: str
    render: Callable[[PersonRow, Window], RenderableType]
    width: int = 10  # the least width; wider screens give it up to ``most`` (fitted_table)
    sort: str | None = None  # a PeopleQuery sort key; None = the column cannot be sorted
    most: int | None = None
    drop: int = 0  # left out, 1 first, on a screen too narrow for every column (fitted_table)


MISSING_MARK = "⚑"


def _name(row: PersonRow, _window: Window) -> RenderableType:
    name = f"{row.family_name}, {row.given_name}"
    if row.missing:
        return Text.assemble((f"{MISSING_MARK} ", "bold yellow"), (name, "italic"))
    return name


def _coordinator(row: PersonRow, window: Window) -> RenderableType:
    if row.care_coordinator_id is None:
        return Text("none recorded", style="italic red")
    name = window.staff_names.get(row.care_coordinator_id)
    if name is None:
        return Text(f"{row.care_coordinator_id} (unknown)", style="italic yellow")
    if window.today and row.coordinator_ended(window.today):
        # First, so a narrow column still shows it; the person screen gives the date.
        return Text.assemble(("ended ", "bold yellow"), (name, "italic"))
    return name


def _after_transfer(row: PersonRow, window: Window) -> RenderableType:
    """'Callum Walker', 'no key worker + S. Akhtar', 'C. Walker + S. Akhtar', or a dim word:
    'no plan yet'. A role no one holds comes first, and two workers go by initial and family
    name, so that a narrow column cuts neither the warning nor the second worker."""
    state, roles = row.after_transfer()
    if not roles:
        return Text(state, style="dim")
    def holder(role: str, staff_id: str | None) -> Text:
        if staff_id is None:
            return Text(f"no {ROLE_WORDS.get(role, role)}", style="bold red")
        name = window.staff_names.get(staff_id, staff_id)
        return Text(_initial(name) if len(roles) > 1 else name)

    return Text(" + ").join(holder(role, staff_id) for role, staff_id
                            in sorted(roles, key=lambda item: item[1] is not None))


def _initial(name: str) -> str:
    """'Callum Walker' -> 'C. Walker'; a single word (a staff id) as it is."""
    given, _, family = name.partition(" ")
    return f"{given[0]}. {family}" if family else name


DEFAULT_COLUMNS: tuple[CaseloadColumn, ...] = (
    CaseloadColumn("nhs_number", "NHS number", lambda row, _: nhs.format_334(row.nhs_number),
                   width=12, sort="nhs_number"),
    CaseloadColumn("name", "Name", _name, width=16, most=26, sort="family_name"),
    CaseloadColumn("date_of_birth", "Born", lambda row, _: uk_date(row.date_of_birth),
                   width=11, sort="date_of_birth", drop=2),
    CaseloadColumn("team", "Team", lambda row, _: row.team or "—", width=13, most=30,
                   sort="team", drop=3),
    # The team names the place, so a narrow screen leaves the locality out first.
    CaseloadColumn("locality", "Locality", lambda row, _: row.locality or "—", width=8,
                   most=12, sort="locality", drop=1),
    CaseloadColumn("coordinator", "Coordinator", _coordinator, width=13, most=22,
                   sort="care_coordinator_id"),
    CaseloadColumn("after", "After transfer", _after_transfer, width=13, most=40, drop=4),
    CaseloadColumn("pathway", "Pathway", lambda row, _: pathway_text(row.pathway), width=8,
                   sort="pathway"),
    CaseloadColumn("risk", "Risk", lambda row, _: band_text(row.risk_band, row.risk_score),
                   width=10, sort="risk_score"),
)


_SORT_WORDS = {"family_name": "name", "date_of_birth": "date of birth",
               "care_coordinator_id": "care coordinator id", "risk_score": "risk score"}
# Sorted highest first when first chosen: a manager sorts by risk to see who needs the most
# careful handover, not the lowest scores (r, or the heading again, reverses it).
_HIGHEST_FIRST = frozenset({"risk_score"})


class CaseloadTable(Vertical):
    """Search box, table and status line over a caseload that is paged in SQL."""

    DEFAULT_CSS = """
    CaseloadTable { height: 1fr; }
    CaseloadTable > #search { margin: 0 0 1 0; }
    CaseloadTable > DataTable { height: 1fr; }
    CaseloadTable > #status { height: auto; max-height: 3; padding: 0 1; background: $panel; color: $text-muted; }
    CaseloadTable > #status.-error { color: $text-error; }
    """

    BINDINGS = [
        Binding("right_square_bracket", "page(1)", "Next page", key_display="]",
                id="caseload.next_page", group=PAGES),
        Binding("left_square_bracket", "page(-1)", "Prev page", key_display="[",
                id="caseload.previous_page", group=PAGES),
        Binding("right_curly_bracket", "last_page", "Last page", key_display="}", show=False,
                id="caseload.last_page"),
        Binding("left_curly_bracket", "first_page", "First page", key_display="{", show=False,
                id="caseload.first_page"),
        Binding("s", "next_sort", "Sort", id="caseload.sort"),
        # Not in the footer, which at 80 columns has room for the pages, the filters, esc and
        # q but not this: the heading clicked again reverses too, and the help lists it.
        Binding("r", "reverse", "Reverse", id="caseload.reverse", show=False),
        Binding("down", "focus_table", show=False),
    ]

    search_delay: float = 0.25
    """Seconds of quiet typing before a search runs (each key press restarts the wait)."""

    class PersonSelected(Message):
        """The user chose a person (enter on a row)."""

        def __init__(self, person_id: int) -> None:
            super().__init__()
            self.person_id = person_id

    class Loaded(Message):
        """A window has been shown (tests and screens may wait for it)."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        columns: tuple[CaseloadColumn, ...] = DEFAULT_COLUMNS,
        query: PeopleQuery = PeopleQuery(),
        page_size: int = 200,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.fetch = fetch
        self.columns = columns
        self.query = replace(query, offset=0, limit=page_size)
        self.page_size = page_size
        self.window: Window | None = None
        self._search_timer: Timer | None = None
        self._keep_cursor_on: int | None = None
        self._keys_state: tuple[bool, ...] = ()
        self._wanted = self._in_flight = self.query
        self._fetching = False
        # Enter in the search box moves the focus to the table, but not at once: an enter
        # sent straight after it (typed ahead, or by a script) still reaches the box. It was
        # meant for the table: it opens the person under the cursor once that search's list
        # shows (and not if another search replaces it first).
        self._focus_moving = False
        self._open_when_shown: PeopleQuery | None = None

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="Search: name, NHS number, local id or postcode  (/ to jump here)",
            id="search",
        )
        yield FittedTable(self._fit_columns(), id="people", cursor_type="row",
                          zebra_stripes=True)
        yield Static("Loading…", id="status")

    def on_mount(self) -> None:
        self.reload()

    # -- what the table shows --------------------------------------------------------------

    @property
    def table(self) -> FittedTable:
        return self.query_one("#people", FittedTable)

    @property
    def rows(self) -> list[PersonRow]:
        return self.window.page.rows if self.window else []

    @property
    def total(self) -> int:
        return self.window.page.total if self.window else 0

    def _fit_columns(self) -> list[FitColumn]:
        """The columns, the sorted one's heading marked ▲ (or ▼ reversed)."""
        columns = []
        for column in self.columns:
            label = column.label
            if column.sort is not None and column.sort == self.query.sort:
                label += " ▼" if self.query.descending else " ▲"
            columns.append(FitColumn(column.key, label, column.width, most=column.most,
                                     drop=column.drop))
        return columns

    def _show(self, window: Window) -> None:
        table = self.table
        keep = self._keep_cursor_on
        self._keep_cursor_on = None
        self.window = window
        table.clear()
        table.set_columns(self._fit_columns())
        for row in window.page.rows:
            table.add_row(*(column.render(row, window) for column in self.columns),
                          key=str(row.id))
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)), animate=False)
        status = self.query_one("#status", Static)
        status.remove_class("-error")
        status.update(self.describe())
        # Redrawing the footer is not free: only when a key appears, disappears or greys out.
        keys_state = (self.total > self.page_size, self.query.offset == 0,
                      self.query.offset >= self._last_offset(), self.filtered)
        if keys_state != self._keys_state:
            self._keys_state = keys_state
            self.refresh_bindings()
        self.post_message(self.Loaded())
        if self._open_when_shown is not None:
            if self._open_when_shown == self._in_flight:
                self._open_under_cursor()
            self._open_when_shown = None

    def describe(self) -> str:
        """'Showing 1-200 of 784 people · sorted by name · search "smi"'."""
        page = self.window.page if self.window else None
        if page is None:
            return "Loading…"
        parts = []
        if page.total == 0:
            parts.append("No one matches: esc clears the search and filters" if self.filtered
                         else "No people on the caseload yet: press i to import the trust's "
                              "export")
        else:
            first = page.offset + 1
            last = page.offset + len(page.rows)
            parts.append(f"Showing {count(first)}-{count(last)} of {count(page.total)}"
                         f" {'person' if page.total == 1 else 'people'}")
        label = next((c.label for c in self.columns if c.sort == self.query.sort), self.query.sort)
        order = _SORT_WORDS.get(self.query.sort, label.lower())
        if self.query.sort in _HIGHEST_FIRST:
            order += ", highest first" if self.query.descending else ", lowest first"
        elif self.query.descending:
            order += " (reversed)"
        parts.append(f"sorted by {order}")
        if self.query.search:
            parts.append(f'search "{self.query.search}"')
        for name in ("team", "locality", "pathway", "risk_band"):
            value = getattr(self.query, name)
            if value:
                parts.append(f"{name.replace('_', ' ')}: {value}")
        if self.query.team or self.query.locality:  # the caseload screen's key
            parts.append("H: their handover date")
        if self.query.missing_only:
            parts.append("only people not in the latest export")
        if self.query.needs_worker:
            parts.append("only people with no worker in a role they need")
        if any(row.missing for row in page.rows):
            parts.append(f"{MISSING_MARK} not in the latest export")
        return " · ".join(parts)

    # -- running queries -------------------------------------------------------------------

    def reload(self, *, keep_cursor: bool = False) -> None:
        """Fetch the current window again (e.g. after an import changed the data)."""
        if keep_cursor and self.table.row_count:
            row_key = self.table.coordinate_to_cell_key(self.table.cursor_coordinate).row_key
            self._keep_cursor_on = int(row_key.value) if row_key.value else None
        self._run(self.query)

    def set_query(self, **changes: object) -> None:
        """Change search, filters or sort; goes back to the first page."""
        self.query = replace(self.query, offset=0, **changes)  # type: ignore[arg-type]
        self._run(self.query)

    def _run(self, query: PeopleQuery) -> None:
        """Fetch ``query``'s window: at most one query runs at a time, and the newest wins.

        A database query cannot be stopped half-way, so while one runs, later requests (each
        pause in typing) only replace the pending one; when it finishes, the newest request
        runs if it differs. Typing fast never queues up a pile of searches.
        """
        self._wanted = query
        if not self._fetching:
            self._fetching = True
            self._in_flight = query
            self._fetch(query)

    @work(thread=True, group="caseload-fetch", exit_on_error=False)
    def _fetch(self, query: PeopleQuery) -> tuple[PeopleQuery, Window]:
        return query, self.fetch(query)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "caseload-fetch":
            return
        event.stop()
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self._fetching = False
        if self._in_flight != self._wanted:
            self._run(self._wanted)  # something newer was asked for meanwhile
        elif event.state == WorkerState.SUCCESS:
            self._show(event.worker.result[1])
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            message = error.message if isinstance(error, TransitionError) else (
                f"the database query failed ({type(error).__name__})"
            )
            status = self.query_one("#status", Static)
            status.add_class("-error")
            status.update(f"Could not load the caseload: {message}")

    # -- search ----------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if self.search_delay <= 0:
            self.apply_search()
        else:
            self._search_timer = self.set_timer(self.search_delay, self.apply_search)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._focus_moving:  # a second enter, sent before the first moved the focus
            if self._fetching:
                self._open_when_shown = self._wanted
            else:
                self._open_under_cursor()
            return
        self.apply_search()
        self._focus_moving = True
        self.table.focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget is self.query_one("#search", Input):
            self._focus_moving = False  # gone from the box: a later enter there is a new one

    def apply_search(self) -> None:
        """Run the search in the box now (without waiting for the typing pause)."""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        text = self.query_one("#search", Input).value.strip() or None
        if text != self.query.search:
            self.set_query(search=text)

    def focus_search(self) -> None:
        # At once, not after a refresh as focus() does: keys typed straight after "/" (or
        # pasted) go into the box instead of reaching the table's keys (a: at risk, ...).
        self.screen.set_focus(self.query_one("#search", Input))

    def clear(self, **filters: object) -> None:
        """Clear the search and every filter, then apply ``filters`` (e.g. ``team=...``)."""
        self.query_one("#search", Input).value = ""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        cleared: dict[str, object] = {
            "search": None, "team": None, "locality": None, "pathway": None, "risk_band": None,
            "missing_only": False, "needs_worker": False,
        }
        self.set_query(**{**cleared, **filters})

    @property
    def highlighted_row(self) -> PersonRow | None:
        """The person under the cursor, as the table shows them (None: no one shown)."""
        if self.window is None or not self.table.row_count:
            return None
        row_key = self.table.coordinate_to_cell_key(self.table.cursor_coordinate).row_key
        return next((row for row in self.window.page.rows if str(row.id) == row_key.value),
                    None)

    @property
    def filtered(self) -> bool:
        """Whether a search or a filter narrows the caseload."""
        q = self.query
        return bool(q.search or q.team or q.locality or q.pathway or q.risk_band or q.missing_only
                    or q.needs_worker)

    # -- paging and sorting ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Paging keys show only when there is more than one page, greyed at either end."""
        if action in ("page", "first_page", "last_page"):
            if self.total <= self.page_size:
                return False
            forward = action == "last_page" or (action == "page" and parameters[0] == 1)
            at_end = self.query.offset >= self._last_offset() if forward else self.query.offset == 0
            return None if at_end else True
        return True

    def _go_to(self, offset: int) -> None:
        offset = max(0, min(offset, self._last_offset()))
        if offset != self.query.offset:
            self.query = replace(self.query, offset=offset)
            self._run(self.query)

    def _last_offset(self) -> int:
        return max(0, (self.total - 1) // self.page_size * self.page_size)

    def action_page(self, step: int) -> None:
        self._go_to(self.query.offset + step * self.page_size)

    def action_first_page(self) -> None:
        self._go_to(0)

    def action_last_page(self) -> None:
        self._go_to(self._last_offset())

    def sort_by(self, key: str) -> None:
        """Sort by a column's sort key; the same key again reverses the order."""
        if key == self.query.sort:
            self.set_query(descending=not self.query.descending)
        else:
            self.set_query(sort=key, descending=key in _HIGHEST_FIRST)

    def action_next_sort(self) -> None:
        keys = [column.sort for column in self.columns if column.sort is not None]
        position = keys.index(self.query.sort) if self.query.sort in keys else -1
        key = keys[(position + 1) % len(keys)]
        self.set_query(sort=key, descending=key in _HIGHEST_FIRST)

    def action_reverse(self) -> None:
        self.set_query(descending=not self.query.descending)

    def action_focus_table(self) -> None:
        self.table.focus()

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = next((c for c in self.columns if c.key == event.column_key.value), None)
        if column is not None and column.sort is not None:
            self.sort_by(column.sort)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self._fetching:
            # The rows on screen are from before the newest search or filter (enter pressed
            # again straight after the search's): opening the row under the cursor would open
            # someone from the old list.
            self.notify("The list is still loading: press enter again once it shows.")
            return
        if event.row_key.value is not None:
            self.post_message(self.PersonSelected(int(event.row_key.value)))

    def _open_under_cursor(self) -> None:
        table = self.table
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if row_key.value is not None:
                self.post_message(self.PersonSelected(int(row_key.value)))
