"""The console's streams: the command's own results alone on stdout, everything else on stderr, both UTF-8."""
from __future__ import annotations

import io
import os
import sys
from typing import TextIO

_results: TextIO | None = None


def use_utf8() -> None:
    """Vietnamese on any console: a redirected stdout on Windows would otherwise use the code page (cp1252,
    cp1258) and fail on the first letter with a diacritic, whatever PYTHONIOENCODING says."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8", errors="replace")


def reserve_stdout() -> None:
    """From now on only `results()` reaches the real stdout. File descriptor 1 becomes a copy of stderr, so
    whatever a library prints (with print(), from C, or in a child process) cannot break a `--json` document
    or show a clerk a reader's debugging dump. Called once, by the console script."""
    global _results
    if _results is not None:
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    _results = open(saved, "w", encoding="utf-8", errors="replace", closefd=True)
    sys.stdout = sys.stderr


def results() -> TextIO:
    """Where the command writes what it means to print: the reserved stdout, or sys.stdout in tests."""
    return _results if _results is not None else sys.stdout


def silence_process() -> None:
    """Point this process's file descriptors 1 and 2 at the null device: for worker processes, whose
    libraries' chatter (xlrd dumps names to stdout) must reach neither the results nor the clerk."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    for stream in (sys.stdout, sys.stderr):  # text a forked child inherited in a buffer goes nowhere
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
