"""The code passes ruff's checks as pyproject.toml configures them, so that a finding is seen
when it is made, not sessions later."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        assert not os.environ.get("CI"), "CI installs the test extras, ruff with them"
        pytest.skip("ruff is not installed (it comes with the test extras: pip install -e '.[test]')")
    result = subprocess.run(
        [ruff, "check", "--no-cache", "--output-format", "concise", "transition", "tests",
         "benchmarks"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
