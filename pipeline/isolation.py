"""Apply a function to many items in worker processes so an item that crashes, hangs or raises fails alone."""
from __future__ import annotations

import faulthandler
import math
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Literal, TypeVar

from pipeline.streams import silence_process

T = TypeVar("T")
R = TypeVar("R")

# A worker that cannot even start (e.g. func's module fails to import under spawn) is a bug, not a bad item.
STARTUP_TIMEOUT = 60.0
_DETAIL_LIMIT = 300
_UNSET = object()


@dataclass(frozen=True)
class Failure:
    """Why one item has no result: its worker died, it ran past the timeout, or func raised."""

    kind: Literal["crash", "timeout", "exception"]
    detail: str


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    deadline: float
    ready: bool = False
    eof: bool = False
    batch: list[int] = field(default_factory=list)
    done: int = 0


def run_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    timeout: float = 20.0,
    batch_size: int = 32,
    on_done: Callable[[int], None] | None = None,
    start_method: str | None = None,
) -> list[R | Failure]:
    """Return func(item) for each item, in order, or a Failure for the items that crashed, hung or raised.

    func must be a picklable top-level function. `timeout` is per item. `on_done(n)` is called in this
    process each time n more items are settled. `start_method` defaults to 'fork' where it exists.
    """
    if len(items) == 0:
        return []
    pool = _Pool(func, items, workers=workers, timeout=timeout, batch_size=batch_size, start_method=start_method)
    try:
        while pool.remaining:
            settled = pool.step()
            if settled and on_done is not None:
                on_done(settled)
    finally:
        pool.close()
    return pool.results


class _Pool:
    """The workers of one run_isolated call, the batches not yet handed out, and the results so far."""

    def __init__(self, func: Callable[[Any], Any], items: Sequence[Any], *, workers: int | None, timeout: float,
                 batch_size: int, start_method: str | None) -> None:
        count = len(items)
        self.func = func
        self.items = items
        self.timeout = timeout
        self.context = multiprocessing.get_context(start_method or _default_start_method())
        self.size = max(1, min(workers or _cpu_count(), count))
        # Small enough batches that the last ones spread over all workers instead of leaving one to finish alone.
        chunk = max(1, min(batch_size, math.ceil(count / (self.size * 4))))
        self.pending: deque[list[int]] = deque(
            list(range(start, min(start + chunk, count))) for start in range(0, count, chunk))
        self.results: list[Any] = [_UNSET] * count
        self.remaining = count
        self.live: list[_Worker] = []

    def step(self) -> int:
        """Start workers and hand out batches, wait for news or a deadline, take it in: how many items settled."""
        self._start_workers()
        now = time.monotonic()
        self._hand_out(now)
        self._wait(now)
        return self._collect()

    def _start_workers(self) -> None:
        idle = sum(1 for worker in self.live if not worker.batch)
        while len(self.live) < self.size and idle < len(self.pending):
            self.live.append(_start(self.context, self.func))
            idle += 1

    def _hand_out(self, now: float) -> None:
        for worker in self.live:
            if worker.ready and not worker.batch and self.pending:
                worker.batch, worker.done = self.pending.popleft(), 0
                worker.deadline = now + self.timeout
                try:
                    worker.conn.send([self.items[index] for index in worker.batch])
                except OSError:
                    worker.eof = True  # it died while idle: its sentinel will requeue the batch

    def _wait(self, now: float) -> None:
        """Until a worker sends something or dies, or the nearest deadline passes."""
        live = self.live
        waiting = [worker for worker in live if worker.batch or not worker.ready]
        wake = min(worker.deadline for worker in waiting) - now if waiting else None
        objects = [worker.conn for worker in live if not worker.eof] + [worker.process.sentinel for worker in live]
        wait(objects, max(0.0, wake) if wake is not None else None)

    def _collect(self) -> int:
        """Take in every worker's results; retire the dead and those past their deadline."""
        settled = 0
        for worker in list(self.live):
            settled += self._receive(worker)
            if worker.process.exitcode is not None:
                settled += self._retire(worker, "crash", _exit_detail(worker.process.exitcode))
            elif (worker.batch or not worker.ready) and time.monotonic() >= worker.deadline:
                waited = f"{self.timeout:g} s" if worker.ready else f"{STARTUP_TIMEOUT:g} s of starting"
                settled += self._retire(worker, "timeout", f"no result after {waited}")
        return settled

    def _settle(self, index: int, value: Any) -> None:
        self.results[index] = value
        self.remaining -= 1

    def _receive(self, worker: _Worker) -> int:
        """Read whatever the worker has sent; return how many items it settled."""
        settled = 0
        try:
            while not worker.eof and worker.conn.poll():
                message = worker.conn.recv()
                worker.deadline = time.monotonic() + self.timeout
                if message is None:
                    worker.ready = True
                    continue
                ok, value = message
                self._settle(worker.batch[worker.done], value if ok else Failure("exception", value))
                settled += 1
                worker.done += 1
                if worker.done == len(worker.batch):
                    worker.batch, worker.done = [], 0
        except (EOFError, OSError):
            # The worker is gone (maybe mid-message); its sentinel tells the rest.
            worker.eof = True
        return settled

    def _retire(self, worker: _Worker, kind: Literal["crash", "timeout"], detail: str) -> int:
        """Drop a dead or killed worker; fail the item it was on and requeue the ones it never started."""
        self.live.remove(worker)
        _reap(worker.process)
        # Results it sent before dying still count; only then is the item it was on known.
        settled = self._receive(worker)
        _close(worker.conn)
        if not worker.ready:
            raise RuntimeError(f"a worker process failed to start ({detail})")
        if not worker.batch:
            return settled
        culprit, rest = worker.batch[worker.done], worker.batch[worker.done + 1:]
        if rest:
            self.pending.appendleft(rest)
        if kind == "crash" and len(worker.batch) > 1:
            # Run it again alone: a death is only pinned on an item that dies with nothing else in its batch.
            self.pending.appendleft([culprit])
            return settled
        self._settle(culprit, Failure(kind, detail))
        return settled + 1

    def close(self) -> None:
        """Tell idle workers to stop, give them a moment, and make sure every worker is dead and reaped
        (also when interrupted: no orphan outlives the call)."""
        for worker in self.live:
            if worker.ready and not worker.batch:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        for worker in self.live:
            if worker.ready and not worker.batch:
                worker.process.join(1.0)
            _reap(worker.process)
            _close(worker.conn)


# The parent's ends of the workers' pipes. A forked worker inherits them all; it closes them first,
# or a worker would keep its siblings' pipes open and none would see EOF when the parent is killed.
_PARENT_ENDS: set[Connection] = set()


def _start(context: Any, func: Callable[[Any], Any]) -> _Worker:
    parent_end, child_end = context.Pipe()
    process = context.Process(target=_work, args=(func, child_end), daemon=True, name="isolated-worker")
    _PARENT_ENDS.add(parent_end)
    process.start()
    # Only the worker may hold its end, so its death reads as EOF here.
    child_end.close()
    return _Worker(process=process, conn=parent_end, deadline=time.monotonic() + STARTUP_TIMEOUT)


def _close(conn: Connection) -> None:
    _PARENT_ENDS.discard(conn)
    conn.close()


def _reap(process: BaseProcess) -> None:
    """Make sure the process is dead and waited for: terminate, then kill if it ignores that."""
    if process.exitcode is None:
        process.terminate()
        process.join(0.5)
    if process.exitcode is None:
        process.kill()
        process.join(5.0)
    if process.exitcode is not None:
        process.close()


def _prepare_worker() -> None:
    """A new worker's setup: Ctrl-C, output, crash dumps and its siblings' pipes are not its business."""
    # Ctrl-C is the parent's to handle; it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Readers write to stdout and stderr (xlrd dumps defined names there): none of it is the command's output.
    silence_process()
    # A crash becomes a Failure in the parent; a fork-inherited traceback dump per crash would only flood stderr.
    faulthandler.disable()
    try:
        import resource

        # Thousands of hostile files may crash us; don't leave a core dump per crash.
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    for inherited in list(_PARENT_ENDS):
        inherited.close()
    _PARENT_ENDS.clear()


def _work(func: Callable[[Any], Any], conn: Connection) -> None:
    """Worker loop: run batches sent by the parent and stream back one result per item."""
    _prepare_worker()
    parent = os.getppid()
    conn.send(None)
    while True:
        try:
            # Wake now and then: a parent killed outright is noticed even if a pipe stayed open somewhere.
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
            batch = conn.recv()
        except EOFError:
            return
        if batch is None:
            return
        for item in batch:
            try:
                message = (True, func(item))
            except Exception as exc:
                message = (False, describe_error(exc))
            try:
                conn.send(message)
            except OSError:
                return
            except Exception as exc:  # the result itself would not pickle
                conn.send((False, "unpicklable result: " + describe_error(exc)))


def describe_error(exc: BaseException) -> str:
    """An exception as one short line for whoever maintains the tool (never shown to a clerk as the message)."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 1] + "…"


def _exit_detail(code: int) -> str:
    if code < 0:
        try:
            return f"exit code {code} ({signal.Signals(-code).name})"
        except ValueError:
            pass
    return f"exit code {code}"


def _default_start_method() -> str:
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
