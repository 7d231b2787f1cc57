"""Tests for run_isolated: order, and that a crashing, hanging or raising item fails alone."""
from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from pipeline.isolation import Failure, run_isolated
from tests import isolation_helpers as helpers

ITEMS = list(range(20))


def run(func, items=ITEMS, **kwargs):
    counts: list[int] = []
    results = run_isolated(func, items, on_done=counts.append, **kwargs)
    assert sum(counts) == len(items)
    assert multiprocessing.active_children() == []
    return results


def assert_only_bad_failed(results, items, kind: str) -> Failure:
    failure = None
    for item, result in zip(items, results, strict=True):
        if item == helpers.BAD:
            assert isinstance(result, Failure) and result.kind == kind, result
            failure = result
        else:
            assert result == item * item
    assert failure is not None
    return failure


def test_results_keep_the_order_of_items():
    assert run(helpers.square) == [item * item for item in ITEMS]


def test_no_items_gives_no_results():
    assert run_isolated(helpers.square, []) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_a_single_item_is_still_run(workers):
    assert run(helpers.square, [3], workers=workers) == [9]


def test_abort_fails_only_that_item():
    failure = assert_only_bad_failed(run(helpers.abort_on_bad), ITEMS, "crash")
    assert "-6" in failure.detail


def test_os_exit_fails_only_that_item():
    failure = assert_only_bad_failed(run(helpers.exit_on_bad), ITEMS, "crash")
    assert "exit code 3" in failure.detail


def test_segfault_fails_only_that_item():
    failure = assert_only_bad_failed(run(helpers.segfault_on_bad), ITEMS, "crash")
    assert "-11" in failure.detail


def test_innocent_items_of_a_crashed_batch_get_their_results():
    # One worker, one batch holding everything: the crash lands mid-batch.
    assert_only_bad_failed(run(helpers.abort_on_bad, workers=1, batch_size=100), ITEMS, "crash")


def test_several_crashing_items_each_fail():
    items = [helpers.BAD, 1, 2, helpers.BAD, 3, helpers.BAD]
    results = run(helpers.abort_on_bad, items, workers=2, batch_size=3)
    kinds = [result.kind if isinstance(result, Failure) else result for result in results]
    assert kinds == ["crash", 1, 4, "crash", 9, "crash"]


def test_exception_fails_only_that_item():
    failure = assert_only_bad_failed(run(helpers.raise_on_bad), ITEMS, "exception")
    assert failure.detail == "ValueError: bad item 7"


def test_unpicklable_result_fails_only_that_item():
    failure = assert_only_bad_failed(run(helpers.unpicklable_on_bad), ITEMS, "exception")
    assert failure.detail.startswith("unpicklable result")


def test_hung_item_is_killed_after_the_timeout():
    started = time.monotonic()
    failure = assert_only_bad_failed(run(helpers.hang_on_bad, timeout=1.0), ITEMS, "timeout")
    assert time.monotonic() - started < 5.0
    assert "1 s" in failure.detail


def test_spawn_start_method_isolates_too():
    items = list(range(10))
    results = run(helpers.abort_on_bad, items, start_method="spawn")
    assert_only_bad_failed(results, items, "crash")


def test_on_done_exception_stops_the_run_and_its_workers():
    def explode(_count: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_isolated(helpers.hang_on_bad, ITEMS, timeout=30.0, on_done=explode)
    assert multiprocessing.active_children() == []


def test_workers_exit_when_the_parent_is_killed(tmp_path):
    """Forked workers must not keep each other's pipes open: killed parent, no orphans left behind."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import time\n"
        "from pipeline.isolation import run_isolated\n"
        "from tests.isolation_helpers import square\n"
        "if __name__ == '__main__':\n"
        "    while True:\n"
        "        run_isolated(square, list(range(10_000)), workers=3)\n",
        encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    parent = subprocess.Popen([sys.executable, str(script)], cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    children: set[int] = set()
    deadline = time.monotonic() + 20
    while len(children) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
        children = {int(p) for p in Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()}
    assert len(children) >= 3
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and
                                              "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
                                              for pid in children):
        time.sleep(0.1)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == []
