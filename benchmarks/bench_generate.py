"""Generator speed: the synthetic files at the demo scale and at the benchmark scale.

Target: 100,000 people and 5,000 staff (CSV) in a few seconds, so every other benchmark can
make its data on first use.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from transition.generator import generate

RUNS = (
    ("784 people, messy, with the workbook (the sample)", {"messy": True, "xlsx": True}),
    ("20,000 people (2,832 staff), CSV", {"people": 20_000}),
    ("100,000 people, 5,000 staff, CSV", {"people": 100_000, "staff": 5_000}),
    ("20,000 people, with the workbook", {"people": 20_000, "xlsx": True}),
)


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall time, and the CPU time this process got)")
    with tempfile.TemporaryDirectory() as folder:
        for number, (label, options) in enumerate(RUNS):
            out = Path(folder) / str(number)
            started, cpu = time.perf_counter(), time.process_time()
            result = generate(out, **options)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = sum(path.stat().st_size for path in result.paths) / 1_048_576
            print(f"{label:<52} {seconds:6.2f} s wall {cpu:6.2f} s CPU  "
                  f"({result.localities} localities, {size:.1f} MB)", flush=True)


if __name__ == "__main__":
    main()
