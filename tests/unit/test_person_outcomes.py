"""The person screen's Care Act panel: what the export said about unmet outcomes, counted as
the pathway decision counts them."""

from __future__ import annotations

from types import SimpleNamespace

from rich.console import Console

from transition.widgets.person_record import care_act


def shown(outcomes: list[str] | None) -> str:
    view = SimpleNamespace(person=SimpleNamespace(care_act_outcomes=outcomes,
                                                  significant_impact=True))
    console = Console(width=100, color_system=None)
    with console.capture() as capture:
        console.print(care_act(view))  # type: ignore[arg-type]
    return " ".join(capture.get().split())


def test_outcomes_not_among_the_ten_are_shown_apart_and_not_counted() -> None:
    said = shown(["nutrition", "n/a"])
    assert "1 outcome unmet" in said and "Managing and maintaining nutrition" in said
    assert "N/a: not one of the ten outcomes, not counted" in said
    assert "0 outcomes unmet" in shown(["tbc"]) and "Assessed: no outcome" not in shown(["tbc"])
    assert "Assessed: no outcome unmet" in shown([])
    assert "Not yet assessed" in shown(None)
