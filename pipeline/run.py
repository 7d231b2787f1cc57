"""One consolidation run: read every file, validate, settle states, merge, write outputs. Also `check`."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import sys
import importlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.isolation import Failure, run_isolated
from pipeline.intake.scan import discover
from pipeline.intake.submission import ReadTask, Submission, is_ignored_name, read_submission, vanished
from pipeline.ledger import FileRecord, Ledger, settle
from pipeline.problems import problem
from pipeline.roster import RosterUnit
from pipeline.form import FormSpec
from pipeline.template.layout import layout_for

if TYPE_CHECKING:
    from pipeline.merge import Consolidation
    from pipeline.previous.read import PreviousPeriod

# What the run needs once files are read. Imported in a thread while workers read, off the critical path:
# together they cost about half a second, a tenth of a 1,000-file run.
LATER_IMPORTS = ("pandas", "pandera.pandas", "pipeline.validate", "pipeline.merge", "xlsxwriter",
                 "pipeline.outputs.workbook", "pipeline.outputs.report", "pipeline.outputs.feedback")

READ_TIMEOUT = 30.0  # seconds for one file; a template-sized file reads in milliseconds


@dataclass(frozen=True)
class RunOptions:
    inbox: Path
    outbox: Path
    roster: list[RosterUnit] | None = None
    deadline: dt.date | None = None
    period: str | None = None  # for a form with [[periods]]: which one to consolidate (else the commonest)
    previous: PreviousPeriod | None = None  # last period's figures (--previous)
    quiet: bool = False
    progress: bool = True


@dataclass
class RunResult:
    spec: FormSpec
    ledger: Ledger
    consolidation: Consolidation
    outbox: Path
    previous: PreviousPeriod | None = None
    workbook: Path | None = None
    report: Path | None = None
    feedback: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    since: dict = field(default_factory=lambda: {"previous_run": None, "new_files": [], "removed_files": [],
                                                 "units_changed": []})  # since the last run (register.py)
    register_runs: int = 0

    @property
    def has_unmerged(self) -> bool:
        return any(r.status in ("rejected", "pending") for r in self.ledger.records)

    def as_json(self) -> dict:
        return {
            "form": self.spec.id, "period": self.spec.period,
            "workbook": str(self.workbook) if self.workbook else None,
            "report": str(self.report) if self.report else None,
            "files": [r.as_json() for r in self.ledger.records],
            "units": self.ledger.units_json(),
            "totals": self.consolidation.sums,
            "since_last_run": self.since,
            "previous": self.previous.as_json() if self.previous else None,
            "change": {code: moved.as_json() for code, moved in self.changes.items()},
            "themes": {code: [{"label": g.label, "units": g.units,
                               "sentences": [{"unit": unit, "text": text} for unit, _, text in g.sentences]}
                              for g in groups] for code, groups in self.consolidation.themes.items()},
        }

    @functools.cached_property
    def unit_figures(self) -> dict[str, dict[str, float]]:
        """Each accepted unit's count and money figures (blank ones left out), by unit code."""
        codes = [f.code for f in self.spec.numeric_fields]
        frame = self.consolidation.units
        return {str(unit): {c: v for c, v in zip(codes, values) if v == v}
                for unit, *values in frame[[self.spec.roles.unit_code, *codes]].itertuples(index=False)}

    @functools.cached_property
    def compared(self) -> frozenset[str] | None:
        """The units last period's figures are compared over, or None: the province totals (compare.py)."""
        from pipeline.previous.compare import compared_units

        reporting = {str(code) for code in self.consolidation.units[self.spec.roles.unit_code]}
        return compared_units(self.previous, reporting)

    @functools.cached_property
    def changes(self) -> dict:
        from pipeline.previous.compare import like_for_like_changes, province_changes

        if self.compared is None:
            return province_changes(self.spec, self.previous, self.consolidation.totals)
        return like_for_like_changes(self.spec, self.previous, self.unit_figures, self.compared)


def read_files(spec: FormSpec, paths: list[tuple[Path, str]], progress: bool = False) -> list[FileRecord]:
    """Read every (path, relative name) in worker processes; a reader that crashes or hangs rejects only its file."""
    records: list[FileRecord] = []
    to_read: list[tuple[Path, str]] = []
    for path, relative in paths:
        reason = is_ignored_name(relative) or ("Bỏ qua: liên kết tượng trưng, không phải tệp thật." if path.is_symlink() else None)
        if reason:
            stat = path.lstat()  # a link or a lock file is never opened
            records.append(FileRecord(relative, Submission(str(path), stat.st_size, stat.st_mtime, "",
                                                           outcome="ignored", reason=reason)))
        else:
            to_read.append((path, relative))
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
    standard, codes = _standard(spec)
    for (path, relative), result in zip(to_read, results):
        submission = result if isinstance(result, Submission) else _crashed(path, result)
        if submission.cells is None:  # the form's own cells: one shared map, not ten thousand equal copies
            submission.cells = standard
        if isinstance(submission.values, tuple):  # in the form's order, keyed by the spec's own code strings
            submission.values = dict(zip(codes, submission.values))
        records.append(FileRecord(relative, submission))
    records.sort(key=lambda r: r.relative)
    return records


def read_and_split(task: ReadTask) -> Submission:
    """One file read (intake), and its narratives cut into sentences with their group keys, in the worker."""
    from pipeline.intake.submission import spec_of
    from pipeline.narratives.themes import sentence_keys

    submission = read_submission(task)
    spec = spec_of(task.spec_source)
    if submission.outcome == "read":
        for narrative in spec.narrative_fields:
            text = submission.values.get(narrative.code)
            if isinstance(text, str) and text.strip():
                submission.sentences[narrative.code] = sentence_keys(spec, narrative.code, text.strip())
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
    submission = Submission(str(path), len(data), stat.st_mtime, hashlib.sha256(data).hexdigest(), outcome="rejected")
    code = "reader-timeout" if failure.kind == "timeout" else "reader-crash"
    submission.problems.append(problem(code, value=failure.detail))
    return submission


def check_files(spec: FormSpec, files: list[Path], roster: list[RosterUnit] | None = None,
                period: str | None = None) -> list[FileRecord]:
    """The intake of a run, on the given files only; nothing is written (an email's attachments are opened in
    a temporary folder, removed after)."""
    import tempfile

    from pipeline.intake.mailbox import open_emails
    from pipeline.intake.scan import Found

    with tempfile.TemporaryDirectory(prefix="consolidate-check-") as scratch:
        found, _, emails = open_emails([Found(path, path.as_posix()) for path in files], Path(scratch) / "dinh-kem")
        records = read_files(spec, [(f.path, f.relative) for f in found]) + emails
    spec = _validated(spec, records, roster, period, None)
    settle(records, roster, spec.deadline)
    return records


def _validated(spec: FormSpec, records: list[FileRecord], roster: list[RosterUnit] | None,
               period: str | None, previous: PreviousPeriod | None) -> FormSpec:
    """Every problem of every file read; returns the form as this run consolidates it (its period)."""
    from pipeline.validate import choose_period, period_problems, previous_problems, validate_submissions

    submissions = [r.submission for r in records]
    validate_submissions(spec, submissions, {u.code for u in roster} if roster else None)
    labels = tuple(p.label for p in spec.periods)
    spec = choose_period(spec, submissions, period)
    if previous is not None and previous.form == spec.id and previous.period == spec.period:
        from pipeline.previous.read import PreviousError

        raise PreviousError(f"Tệp {previous.source} là bảng tổng hợp của chính kỳ này ({spec.period}), không phải "
                            "của kỳ trước: hãy chọn bảng tổng hợp kỳ trước cho --previous.")
    period_problems(spec, submissions, labels)
    previous_problems(spec, submissions, previous)
    return spec


def consolidate_inbox(spec: FormSpec, options: RunOptions) -> RunResult:
    """The whole run: the inbox is only read; outputs go to the outbox, each replaced atomically."""
    from pipeline.outputs.lock import outbox_lock

    from pipeline.intake.mailbox import SCRATCH, open_emails
    from pipeline.register import VIETNAM, Register, excluded_by_office, mark_arrivals, since_last_run

    with outbox_lock(options.outbox):
        now = dt.datetime.now(VIETNAM)
        register = Register.open(options.outbox)
        found, origins, emails = open_emails(discover(options.inbox), options.outbox / SCRATCH)
        records = read_files(spec, [(f.path, f.relative) for f in found], progress=options.progress) + emails
        records.sort(key=lambda r: r.relative)
        from pipeline.merge import consolidate
        from pipeline.outputs import write_outputs

        mark_arrivals(records, register, origins, now)
        spec = _validated(spec, records, options.roster, options.period, options.previous)
        excluded_by_office(records, register)
        ledger = settle(records, options.roster, options.deadline or spec.deadline)
        consolidation = consolidate(spec, ledger)
        result = RunResult(spec, ledger, consolidation, options.outbox, options.previous)
        result.since = since_last_run(register, records, ledger.units)
        result.register_runs = register.runs
        if register.lost:
            result.notes.append(register.lost)
        write_outputs(result)
        outputs = [p for p in (result.workbook, result.report) if p] + list(result.feedback)
        lost = register.lost
        register.record_run(now, _options_json(options), records, ledger.units, outputs)
        if register.lost != lost:  # the write itself failed: say so
            result.notes.append(register.lost)
    return result


def _options_json(options: RunOptions) -> dict:
    return {"inbox": str(options.inbox), "outbox": str(options.outbox), "deadline": options.deadline,
            "period": options.period, "roster": len(options.roster) if options.roster else None,
            "previous": options.previous.source if options.previous else None}
