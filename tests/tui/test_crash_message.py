"""An error nothing handled ends the app with the CLI's message, never a traceback whose
local variables quote people's data (Textual's own report shows them)."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot

from tests.tui.conftest import settle
from transition.db import Database


class _Fault(Exception):
    pass


def _keep_report(app: Any) -> list[Any]:
    """What the app prints on its way out (Textual prints and clears it as it exits)."""
    kept: list[Any] = []

    def keep() -> None:
        kept.extend(app._exit_renderables)
        app._exit_renderables.clear()

    app._print_error_renderables = keep
    return kept


def _text(renderables: list[Any]) -> str:
    console = Console(width=100, file=io.StringIO(), force_terminal=False)
    for renderable in renderables:
        console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("debug", [False, True])
def test_a_crash_names_the_error_type_only(tui_database: Database, app_on: Any,
                                           monkeypatch: pytest.MonkeyPatch, debug: bool) -> None:
    if debug:
        monkeypatch.setenv("TRANSITION_DEBUG", "1")
    else:
        monkeypatch.delenv("TRANSITION_DEBUG", raising=False)
    app = app_on(tui_database)
    kept = _keep_report(app)

    async def scenario(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        name, nhs_number = "Brenda Johnson", "9990148686"  # invented, as a screen's locals

        def fail() -> None:
            raise _Fault(f"row for {name} {nhs_number}")

        app.call_later(fail)
        await settle(pilot)

    with pytest.raises(_Fault):  # the pilot raises it again for the test, as Textual does

        async def run() -> None:
            async with app.run_test(size=(100, 30)) as pilot:
                await scenario(pilot)

        asyncio.run(run())
    report = _text(kept)
    if debug:  # Textual's full report, locals and all, for the team that supports it
        assert "Traceback" in report and "9990148686" in report
    else:
        assert "transition stopped unexpectedly (_Fault)" in report
        assert "9990148686" not in report and "Brenda" not in report
        assert "Traceback" not in report
