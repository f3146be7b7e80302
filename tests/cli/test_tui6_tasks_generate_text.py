"""`transition tasks generate` prints its summary as the app's notification says it (one
text, GenerateSummary.describe)."""

from __future__ import annotations

import pytest

from tests.caseloads import caseload_numbers
from tests.conftest import TODAY, RunCli
from transition.config import Settings
from transition.tasks import GenerateSummary


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pathways and bands are built directly (tests/caseloads.py): plan must not re-decide them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def test_tui6_tasks_generate_prints_the_summary(run_cli: RunCli, settings: Settings) -> None:
    caseload_numbers(settings)
    run_cli("plan")
    assert run_cli("plan", "accept").exit_code == 0
    made = run_cli("tasks", "generate")
    assert made.exit_code == 0, made.output
    again = run_cli("tasks", "generate", "--json")
    counts = {name: value for name, value in again.json().items()
              if name in GenerateSummary.__dataclass_fields__}
    summary = GenerateSummary(**counts)
    assert summary.created == 0 and summary.unchanged > 0
    # The first run made every task the second found unchanged.
    first = GenerateSummary(**{**counts, "created": summary.unchanged, "unchanged": 0})
    assert made.stdout.strip() == first.describe(settings.as_of or TODAY)
