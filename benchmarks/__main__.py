"""Run the benchmarks: `python -m benchmarks [NAME ...]` (default: all, in order).

Each benchmark is a module `benchmarks/bench_<name>.py` with a `main() -> None` that prints its
timings. Scale data is generated under benchmarks/data/ (ignored by git) and reused.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(here)])
        if info.name.startswith("bench_")
    )


def calibration() -> float:
    """CPU seconds for a fixed pure-Python loop, the lowest of three.

    This machine's CPU speed drifts between sessions and runs (by up to a fifth within a
    session, more between machines), so every run prints this beside its timings: two results
    are comparable only when their calibrations are close.
    """
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for number in range(3_000_000):
            total += number * number % 7
        best = min(best, time.process_time() - started)
    return best


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(available())}")
        return 2
    print(f"calibration: {calibration() * 1000:.0f} ms CPU for the fixed loop; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    for name in names:
        print(f"== {name}", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
