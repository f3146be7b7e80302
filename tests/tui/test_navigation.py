"""Keys move between sections and screens; the palette finds every screen by name."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from tests.factories import make_staff, nhs_number
from tests.tui.conftest import drive, notifications, settle, text_of
from transition.app import DESTINATIONS
from transition.models import Person
from transition.screens.caseload import CaseloadScreen
from transition.screens.confirm import ConfirmScreen
from transition.screens.dashboard import DashboardScreen
from transition.screens.imports import ImportScreen
from transition.screens.palette import PeopleProvider, ScreensProvider
from transition.screens.person import PersonScreen
from transition.screens.rejects import RejectsScreen
from transition.screens.welcome import WelcomeScreen
from transition.widgets.caseload_table import CaseloadTable
from transition.widgets.chrome import PALETTE_KEY_MIN_WIDTH, NavBar, nav_markup, nav_width


def test_empty_database_opens_on_the_welcome(tui_database, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        assert app.current_mode == "welcome"
        assert isinstance(app.screen, WelcomeScreen)
        text = text_of(app.screen.query_one("#instructions"))
        for words in ("transition import staff FILE", "transition import caseload FILE",
                      "make demo", "transition demo", "press i"):
            assert words in text
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)

    drive(app, scenario)


def test_keys_move_between_sections_and_back(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        assert app.current_mode == "dashboard" and isinstance(app.screen, DashboardScreen)
        await pilot.press("c")
        await settle(pilot)
        assert app.current_mode == "caseload" and isinstance(app.screen, CaseloadScreen)
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("i")  # pressing it again does not stack another import screen
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
        assert isinstance(app.screen, CaseloadScreen)
        await pilot.press("d")
        assert app.current_mode == "dashboard"
        await pilot.press("q")
        assert app._exit

    drive(app, scenario)


def test_dashboard_counts_and_keys(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        card = text_of(screen.query_one("#caseload-card"))
        assert "24 people on the caseload" in card
        assert "2 not in latest export" in card
        assert "3 no coordinator in export" in card
        assert "1 Apr 2027" in text_of(screen.query_one("#programme-card"))
        assert "76 days to go" in text_of(screen.query_one("#programme-card"))
        imports = text_of(screen.query_one("#imports-card"))
        assert "trust_caseload.csv" in imports and "2 rejected" in imports
        teams = screen.query_one("#by-team", DataTable)
        assert teams.row_count == 3
        assert [str(teams.get_row_at(i)[0]) for i in range(3)] == [
            "East Recovery Team", "North CMHT", "South CMHT"
        ]

        await pilot.press("r")
        assert isinstance(app.screen, RejectsScreen)
        table = app.screen.query_one("#rejects-table", DataTable)
        assert table.row_count == 3  # two rows rejected, one of them for two reasons
        assert [str(cell) for cell in table.get_row_at(1)][1:] == [
            "14", "(blank)", "nhs_number", "NHS number is missing"
        ]
        await pilot.press("escape")

        await pilot.press("m")
        await settle(pilot)
        assert app.current_mode == "caseload"
        caseload = app.screen.query_one(CaseloadTable)
        assert caseload.query.missing_only and caseload.total == 2
        assert {row.family_name for row in caseload.rows} == {"Fairclough", "Rashid"}

    drive(app, scenario)


def test_the_programme_card_shows_the_councils_amhp_cover(populated, app_on) -> None:
    # The fixed caseload's staff list names no AMHPs: the card says nothing of them.
    app = app_on(populated)

    async def without(pilot: Pilot[Any]) -> None:
        assert "AMHPs" not in text_of(app.screen.query_one("#programme-card"))

    drive(app, without)
    with populated.transaction() as session:
        make_staff(session, "AMHP1", role="amhp", fte=1.0)
        make_staff(session, "AMHP2", role="amhp", fte=0.5, leaving_date=date(2027, 3, 1))
        make_staff(session, "AMHP3", role="amhp", employer="trust", fte=0.8)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        # The council's own 1 FTE on the transfer date, of 2.3 FTE on the rota today: short.
        assert "AMHPs    1 of 2.3 FTE" in text_of(app.screen.query_one("#programme-card"))

    drive(app, scenario)


def test_enter_on_a_team_shows_that_team(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        teams = app.screen.query_one("#by-team", DataTable)
        teams.focus()
        teams.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "caseload"
        caseload = app.screen.query_one(CaseloadTable)
        assert caseload.query.team == "North CMHT"
        assert caseload.total == 8 and {row.team for row in caseload.rows} == {"North CMHT"}
        assert "team: North CMHT" in caseload.describe()
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert caseload.query.team is None and caseload.total == 24

    drive(app, scenario)


def test_enter_opens_a_person_and_escape_goes_back(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        caseload = app.screen.query_one(CaseloadTable)
        assert caseload.table.has_focus
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == caseload.rows[1].id
        assert "Baines, Bilal" in text_of(app.screen.query_one("#banner"))
        await pilot.press("escape")
        assert isinstance(app.screen, CaseloadScreen)
        assert caseload.table.cursor_row == 1  # where the manager left it

    drive(app, scenario)


def test_slash_from_anywhere_searches_the_caseload(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("slash")
        await settle(pilot)
        assert app.current_mode == "caseload"
        caseload = app.screen.query_one(CaseloadTable)
        assert app.focused is caseload.query_one("#search")
        await pilot.press(*"ash", "enter")
        await settle(pilot)
        assert {row.family_name for row in caseload.rows} == {"Ashworth", "Rashid"}

    drive(app, scenario)


def test_a_slash_typed_in_a_text_box_is_typed_not_a_search(populated, app_on) -> None:
    # A path typed into the import screen's file box starts with "/": it stayed there only
    # for other characters (Textual does not know the key "slash" is the character "/").
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        path = app.screen.query_one("#path", Input)
        assert app.focused is path
        await pilot.press(*"/tmp/trust.csv")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen) and path.value == "/tmp/trust.csv"
        # Away from a text box, "/" still searches the caseload.
        await pilot.press("escape")
        await settle(pilot)
        app.screen.set_focus(None)
        await pilot.press("slash")
        await settle(pilot)
        assert app.current_mode == "caseload"

    drive(app, scenario)


def burst(app: Any, keys: str) -> None:
    """Keys as a fast typist or a script sends them: all arrive before any is handled (Pilot's
    ``press`` waits for each key to be handled, which hides a key routed too early)."""
    named = {"/": ("slash", "/"), "\n": ("enter", "\r")}
    for key in keys:
        app.post_message(events.Key(*named.get(key, (key, key))))


@pytest.mark.parametrize("keys", ["c/ash", "/ash"])
def test_keys_typed_in_a_burst_reach_the_screen_they_open(populated, app_on, keys: str) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        burst(app, keys)
        await settle(pilot)
        assert app.current_mode == "caseload"
        caseload = app.screen.query_one(CaseloadTable)
        assert caseload.query_one("#search", Input).value == "ash"
        assert app.focused is caseload.query_one("#search")

    drive(app, scenario)


def test_enter_on_a_list_still_loading_opens_no_one(populated, app_on) -> None:
    app = app_on(populated)
    release = threading.Event()

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        caseload = screen.query_one(CaseloadTable)
        baines = person_named(populated, "Baines")
        assert caseload.rows[0].id != baines  # the cursor's row is someone else
        slow_down(caseload, release)
        await pilot.press("slash", *"baines", "enter")  # search; the focus moves to the table
        await pilot.pause()
        assert app.focused is caseload.table
        await pilot.press("enter")  # on the old list's first row, while the search loads
        await pilot.pause()
        assert app.screen is screen  # no one opened
        assert any("still loading" in message for message in notifications(app))
        release.set()
        await settle(pilot)
        assert [row.id for row in caseload.rows] == [baines]
        await pilot.press("enter")  # loaded: now it opens the person found
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == baines

    try:
        drive(app, scenario)
    finally:
        release.set()


@pytest.mark.parametrize("slow", [False, True], ids=["quick", "slow search"])
def test_enter_sent_straight_after_the_search_enter_opens_the_person_found(
    populated, app_on, slow: bool
) -> None:
    # The second enter reaches the search box before the first has moved the focus to the
    # table: it was meant for the table, so it opens the person the search finds (once the
    # search's list shows), not no one, and not the old list's first row.
    app = app_on(populated)
    release = threading.Event()

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        caseload = app.screen.query_one(CaseloadTable)
        baines = person_named(populated, "Baines")
        assert caseload.rows[0].id != baines
        if slow:
            slow_down(caseload, release)
        burst(app, "/baines\n\n")
        await pilot.pause()
        if slow:
            assert isinstance(app.screen, CaseloadScreen)  # nothing opened from the old list
            release.set()
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == baines

    try:
        drive(app, scenario)
    finally:
        release.set()


def test_enter_in_the_search_box_later_searches_and_opens_no_one(populated, app_on) -> None:
    # Back in the box by a key of its own, enter is a search again (nothing to open yet).
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("slash", *"baines", "enter")
        await settle(pilot)
        caseload = app.screen.query_one(CaseloadTable)
        assert app.focused is caseload.table
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        assert app.focused is caseload.table

    drive(app, scenario)


def slow_down(caseload: CaseloadTable, release: threading.Event) -> None:
    """The caseload's queries wait for ``release``: the database is slow to answer."""
    fetch = caseload.fetch

    def slow(query: Any) -> Any:
        release.wait(timeout=10)
        return fetch(query)

    caseload.fetch = slow  # type: ignore[method-assign]


def person_named(database: Any, family_name: str) -> int:
    with database.session() as session:
        return session.scalars(select(Person.id).where(Person.family_name == family_name)).one()


def test_a_burst_of_section_keys_ends_on_the_last(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        burst(app, "cwpd" + "t")
        await settle(pilot)
        assert app.current_mode == "tasks"
        burst(app, "cb")  # the caseload, then its own key: only red, amber, ... people
        await settle(pilot)
        assert app.current_mode == "caseload"
        assert app.screen.query_one(CaseloadTable).query.risk_band is not None

    drive(app, scenario)


def test_section_keys_wait_while_a_dialog_is_open(populated, app_on) -> None:
    app = app_on(populated)
    answers: list[bool | None] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        app.push_screen(ConfirmScreen("Go ahead?"), answers.append)
        await settle(pilot)
        await pilot.press("c", "slash", "w")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.current_mode == "dashboard"
        await pilot.press("n", "c")
        await settle(pilot)
        assert answers == [False] and app.current_mode == "caseload"

    drive(app, scenario)


def test_palette_finds_every_screen_by_name(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        provider = ScreensProvider(app.screen)
        for destination in DESTINATIONS:
            hits = [hit async for hit in provider.search(destination.title)]
            best = max(hits, key=lambda hit: hit.score)
            assert best.text == destination.title
            best.command()
            await settle(pilot)
            if destination.mode:
                assert app.current_mode == destination.name
            else:
                assert type(app.screen).__name__ == destination.screen.__name__
                app.screen.dismiss()
                await settle(pilot)
        discovered = [hit.text async for hit in provider.discover()]
        assert discovered == [destination.title for destination in DESTINATIONS]

    drive(app, scenario)


def test_palette_typed_name_opens_the_screen(populated, app_on) -> None:
    """End to end through the real palette: ctrl+p, type, enter."""
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+p")
        await pilot.press(*"caseload")
        for _ in range(50):  # the palette searches in the background; wait for a result
            await pilot.pause(0.02)
            if app.screen.query("CommandList Option"):
                break
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "caseload"

    drive(app, scenario)


def test_palette_finds_people_by_name_or_nhs_number(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        provider = PeopleProvider(app.screen)
        assert [hit async for hit in provider.search("as")] == []  # too short to search
        hits = [hit async for hit in provider.search("Ashworth")]
        assert len(hits) == 1 and "999 000 0018" in hits[0].text
        hits = [hit async for hit in provider.search(nhs_number(1))]
        assert len(hits) == 1 and hits[0].text.startswith("Baines, Bilal")
        hits[0].command()
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)

    drive(app, scenario)


def test_quit_during_an_import_asks_first(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("i")
        importing = app.screen
        assert isinstance(importing, ImportScreen)
        importing.running = True  # as while its worker runs
        await pilot.press("ctrl+q")  # (q would type into the file box)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is importing and not app._exit
        await pilot.press("ctrl+q")
        await pilot.press("y")
        assert importing._stop.is_set() and app._exit

    drive(app, scenario)


def test_a_database_failure_is_a_message_not_a_crash(populated, app_on, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    from transition.screens import dashboard

    app = app_on(populated)

    def broken(session, today):
        raise OperationalError("SELECT secret FROM person", {}, Exception("disk I/O error"))

    async def scenario(pilot: Pilot[Any]) -> None:
        monkeypatch.setattr(dashboard, "overview", broken)
        app.data_changed()
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, DashboardScreen)
        messages = [notification.message for notification in app._notifications]
        # A disk fault is said in the words every command uses (the driver's first line).
        assert any("could not be used: disk I/O error" in message for message in messages)
        assert not any("secret" in message for message in messages)

    drive(app, scenario)


def test_dashboard_opens_at_the_top_on_a_short_terminal(populated, app_on) -> None:
    """The cards at the top stay in view: focusing the (still empty) locality table used to
    scroll the dashboard down to it, hiding the caseload, programme and imports cards."""
    async def scenario(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, DashboardScreen)
        assert pilot.app.focused is screen.query_one("#by-locality")
        assert screen.query_one("#dashboard").scroll_y == 0

    drive(app_on(populated), scenario, size=(120, 20))


def test_dashboard_cards_stack_on_a_narrow_terminal(populated, app_on) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        cards = pilot.app.screen.query_one("#cards")
        assert cards.has_class("-narrow")
        imports = pilot.app.screen.query_one("#imports-card")
        assert imports.size.width > 60  # its own row, not squeezed beside the other two
        assert "trust_caseload.csv" in text_of(imports)

    drive(app_on(populated), scenario, size=(80, 24))


@pytest.mark.parametrize("width", [120, 80])
def test_every_section_shows_its_keys_and_quit(populated, app_on, width: int) -> None:
    """The sections' keys are in the bar under the header (the current one marked), so every
    screen's footer keeps room for its own keys and ``q`` Quit: at 120 columns beside the
    palette's key, at 80 without it (ctrl+p still opens the palette)."""
    app = app_on(populated)
    palette_shown = width >= PALETTE_KEY_MIN_WIDTH

    async def scenario(pilot: Pilot[Any]) -> None:
        for destination in DESTINATIONS:
            if destination.key is None:
                continue
            await pilot.press(destination.key)
            await settle(pilot)
            nav = app.screen.query_one(NavBar)
            shown = str(nav.render())
            for other in DESTINATIONS:
                if other.key is not None:
                    assert f"{other.key} {other.title}" in shown
            assert nav.size.height == 1
            if destination.key == "i":  # its path box has the focus, so q is typed, not Quit
                await pilot.press("escape")
                continue
            keys = [key for key in app.screen.query(FooterKey) if key.display]
            described = [key.description for key in keys]
            quit_key = next((key for key in keys if key.description == "Quit"), None)
            assert quit_key is not None, (destination.name, described)
            palette = [key for key in keys if key.has_class("-command-palette")]
            assert bool(palette) == palette_shown, (destination.name, described)
            room = width - (len(" ^p palette") if palette_shown else 0)
            assert quit_key.region.right <= room, (destination.name, described)
            for key in keys:  # none cut off at the right edge
                assert key.region.right <= width, (destination.name, key.description)

    drive(app, scenario, size=(width, 40))


def test_the_bar_of_sections_narrows_its_spacing_to_fit() -> None:
    places = [place for place in DESTINATIONS if place.key is not None]
    assert nav_width(places, gap=1) <= 80 < nav_width(places, gap=2)
    assert nav_width(places, gap=3) <= 120
    markup = nav_markup(places, CaseloadScreen, gap=1)
    assert "[reverse][b]c[/b] Caseload[/reverse]" in markup
    assert "[@click=app.go('dashboard')][b]d[/b] Dashboard[/]" in markup
