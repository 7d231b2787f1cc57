"""Throughput of run_isolated: 10,000 items of a 2 ms CPU-bound function, per start method."""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

# Run as a script from anywhere: `tests` is a package at the repo root, not installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.isolation import run_isolated  # noqa: E402
from tests.isolation_helpers import busy_wait  # noqa: E402

COUNT = 10_000
WORK_SECONDS = 0.002


def main() -> None:
    methods = sys.argv[1:] or multiprocessing.get_all_start_methods()
    workers = len(os.sched_getaffinity(0))
    ideal = COUNT * WORK_SECONDS / workers
    print(f"{COUNT} items x {WORK_SECONDS * 1000:g} ms on {workers} workers; ideal {ideal:.2f} s")
    for method in methods:
        started = time.perf_counter()
        results = run_isolated(busy_wait, range(COUNT), start_method=method)
        elapsed = time.perf_counter() - started
        assert results == list(range(COUNT))
        print(f"{method:>10}: {elapsed:.2f} s, {COUNT / elapsed:,.0f} items/s, {elapsed / ideal:.2f}x ideal")


if __name__ == "__main__":
    main()
