"""The read stage: every file of the inbox read in worker processes (intake/), a crash or a hang rejecting only
its file; results a file's content already has in the register taken from there (cache.py); narratives cut into
sentences with their group keys where the file is read; a roll-up's units read and keyed likewise."""
from __future__ import annotations

import functools
import hashlib
import importlib
import os
import sys
import threading
import time
from pathlib import Path

import click

from pipeline.cache import ResultCache, from_row
from pipeline.catalogue import NOT_OPENED
from pipeline.form import FormSpec
from pipeline.intake.rollup import ROLLUP
from pipeline.intake.scan import Found
from pipeline.intake.submission import ReadTask, Submission, is_ignored_name, read_submission, vanished
from pipeline.isolation import Failure, run_isolated
from pipeline.ledger import FileRecord
from pipeline.problems import problem
from pipeline.template.layout import layout_for

# What the run needs once files are read. Imported in a thread while workers read, off the critical path:
# together they cost about half a second, a tenth of a 1,000-file run.
LATER_IMPORTS = ("pandas", "pandera.pandas", "pipeline.validate", "pipeline.consolidation", "xlsxwriter",
                 "pipeline.outputs.workbook", "pipeline.outputs.report", "pipeline.outputs.feedback")

READ_TIMEOUT = 30.0  # seconds for one file; a template-sized file reads in milliseconds
# A file that cannot be opened and was modified this recently is taken for one still being copied (a slow copy
# from a network share): pending, read again next run, and no "damaged file" feedback to the unit.
COPYING_WINDOW = 60.0  # seconds


def read_files(spec: FormSpec, found: list[Found], progress: bool = False,
               cache: ResultCache | None = None) -> list[FileRecord]:
    """Read every file found in worker processes; a reader that crashes or hangs rejects only its file. With a
    cache, a file whose content was read before (same tool, spec and thesauri) is taken from it unread, and the
    results read now are put in `cache.fresh`."""
    records: list[FileRecord] = []
    to_read: list[tuple[Path, str]] = []
    for entry in found:
        path, relative = entry.path, entry.relative
        reason = entry.ignored or is_ignored_name(relative) or (
            "Bỏ qua: liên kết tượng trưng, không phải tệp thật." if path.is_symlink() else None)
        if reason:
            try:
                stat = path.lstat()  # a link, a pipe or a lock file is never opened
                size, mtime = stat.st_size, stat.st_mtime
            except OSError:
                size, mtime = 0, 0.0
            records.append(FileRecord(relative, Submission(str(path), size, mtime, "", read=False, aside=reason)))
        else:
            to_read.append((path, relative))
    standard, codes = _standard(spec)
    if cache is not None:
        known, to_read = _from_cache(to_read, cache, standard)
        records.extend(known)
    tasks = [ReadTask(str(path), spec.source) for path, _ in to_read]
    warm = _Warmup()
    try:
        if progress and len(tasks) > 20:
            with click.progressbar(length=len(tasks), label="Đang đọc các tệp", file=sys.stderr) as bar:
                results = run_isolated(read_and_split, tasks, timeout=READ_TIMEOUT, on_done=warm.then(bar.update))
        else:
            results = run_isolated(read_and_split, tasks, timeout=READ_TIMEOUT, on_done=warm.then(None))
    finally:
        warm.join()
    for (path, relative), result in zip(to_read, results):
        submission = result if isinstance(result, Submission) else _crashed(path, result)
        _still_copying(submission)
        if submission.cells is None:  # the form's own cells: one shared map, not ten thousand equal copies
            submission.cells = standard
        if isinstance(submission.values, tuple):  # in the form's order, keyed by the spec's own code strings
            submission.values = dict(zip(codes, submission.values))
        # never a copy under way; a roll-up is read each time (a few per run, and its units are no row of the cache)
        if cache is not None and submission.sha256 and not submission.pending and submission.kind != ROLLUP:
            cache.keep(submission, standard)
        records.append(FileRecord(relative, submission))
    return records


def _from_cache(to_read: list[tuple[Path, str]], cache: ResultCache,
                standard: dict) -> tuple[list[FileRecord], list[tuple[Path, str]]]:
    """(records of files whose content the cache holds, the files still to read). Each file is hashed here, in
    the parent (its bytes only: a few milliseconds); one that changes meanwhile is left to the readers."""
    hashed: list[tuple[Path, str, os.stat_result, str]] = []
    unread: list[tuple[Path, str]] = []
    for path, relative in to_read:
        try:
            before = path.stat()
            seen = cache.hashed.get(str(path))
            if seen is not None and seen[:2] == (before.st_size, before.st_mtime_ns):
                digest, after = seen[2], before  # hashed moments ago, unchanged since
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                after = path.stat()
        except OSError:
            unread.append((path, relative))
            continue
        if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
            unread.append((path, relative))
        else:
            hashed.append((path, relative, before, digest))
    rows = cache.lookup([digest for *_, digest in hashed]) if hashed else {}
    known = []
    for path, relative, stat, digest in hashed:
        if digest in rows:
            known.append(FileRecord(relative, from_row(rows[digest], str(path), stat.st_size, stat.st_mtime, digest,
                                                       standard)))
        else:
            unread.append((path, relative))
    cache.hits = len(known)
    return known, unread


def read_and_split(task: ReadTask) -> Submission:
    """One file read (intake), and its narratives cut into sentences with their group keys, in the worker."""
    from pipeline.intake.submission import spec_of
    from pipeline.narratives.themes import sentence_keys, thesaurus_for

    submission = read_submission(task)
    spec = spec_of(task.spec_source)
    if submission.kind == ROLLUP:  # a consolidated workbook: its units, each keyed below
        from pipeline.intake.rollup import read_rollup

        try:
            submission = read_rollup(spec, submission, Path(task.path).read_bytes())
        except Exception as exc:  # a damaged part of the workbook: that file's rejection, as for any reader
            from pipeline.isolation import describe_error

            submission.parts = []
            submission.reject("rollup-damaged", value=describe_error(exc), what="một phần của tệp không đọc được")
    thesaurus = thesaurus_for(spec) if submission.readable else None  # one look for the office's file a file
    for one in [submission, *submission.parts] if submission.readable else ():
        for narrative in spec.narrative_fields:
            text = one.values.get(narrative.code)
            if isinstance(text, str) and text.strip():
                one.sentences[narrative.code] = sentence_keys(spec, narrative.code, text.strip(), thesaurus)
    return _packed(spec, submission)


@functools.lru_cache(maxsize=8)
def _standard(spec: FormSpec) -> tuple[dict[str, tuple[str, str]], tuple[str, ...]]:
    addresses = layout_for(spec).addresses
    return {f.code: addresses[f.code] for f in spec.fields}, tuple(f.code for f in spec.fields)


def _packed(spec: FormSpec, submission: Submission) -> Submission:
    """The submission as a worker sends it: what the parent knows from the spec is left out (read_files puts it
    back). Sixty field codes and a cell map a file, received and dropped, would leave the parent's memory
    riddled with holes: a tenth more of it at 10,000 files."""
    standard, codes = _standard(spec)
    if submission.cells == standard:
        submission.cells = None
    if submission.values.keys() == set(codes):
        submission.values = tuple(submission.values[code] for code in codes)
    return submission

class _Warmup:
    """Starts the later imports once the first results arrive: by then every worker is forked, so the
    thread never runs while the pool starts (a fork copies no thread, only the locks it might hold)."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None

    def then(self, callback):
        def on_done(count: int) -> None:
            if self.thread is None:
                self.thread = threading.Thread(target=_import_later, name="imports", daemon=True)
                self.thread.start()
            if callback is not None:
                callback(count)
        return on_done

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


def _import_later() -> None:
    for name in LATER_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:  # the main thread imports it again and reports any real error itself
            return


def _crashed(path: Path, failure: Failure) -> Submission:
    try:
        data = path.read_bytes()
        stat = path.stat()
    except OSError as exc:
        return vanished(str(path), exc)
    submission = Submission(str(path), len(data), stat.st_mtime, hashlib.sha256(data).hexdigest(), read=False)
    code = "reader-timeout" if failure.kind == "timeout" else "reader-crash"
    submission.problems.append(problem(code, value=failure.detail))
    return submission


def _still_copying(submission: Submission) -> None:
    """A file that failed to open and was modified within the last minute: pending, not rejected."""
    age = time.time() - submission.mtime
    if (not submission.read and not submission.aside and -COPYING_WINDOW < age < COPYING_WINDOW
            and any(p.code in NOT_OPENED for p in submission.problems)):
        changing = problem("file-changing", what="Tệp vừa được sửa hoặc chép chưa đầy một phút và chưa mở được: có "
                                                 "thể đang chép dở.")
        submission.problems = [changing]
