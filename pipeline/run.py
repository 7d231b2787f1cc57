"""One consolidation run: read every file, validate, settle states, merge, write outputs. Also `check`."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cache import ResultCache, content_key, from_row, to_row
from pipeline.catalogue import NOT_OPENED
from pipeline.form import FormSpec
from pipeline.intake.rollup import ROLLUP, duplicate_units
from pipeline.intake.scan import Found, discover
from pipeline.intake.submission import ReadTask, Submission, is_ignored_name, read_submission, vanished
from pipeline.isolation import Failure, run_isolated
from pipeline.ledger import FileRecord, Ledger, settle
from pipeline.problems import problem
from pipeline.roster import RosterUnit
from pipeline.template.layout import layout_for

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation
    from pipeline.narratives.corrections import Changes, Correction
    from pipeline.office_part import OfficePart
    from pipeline.outputs import Outputs
    from pipeline.previous.read import PreviousPeriod
    from pipeline.register import Register, RunInfo

# What the run needs once files are read. Imported in a thread while workers read, off the critical path:
# together they cost about half a second, a tenth of a 1,000-file run.
LATER_IMPORTS = ("pandas", "pandera.pandas", "pipeline.validate", "pipeline.consolidation", "xlsxwriter",
                 "pipeline.outputs.workbook", "pipeline.outputs.report", "pipeline.outputs.feedback")

READ_TIMEOUT = 30.0  # seconds for one file; a template-sized file reads in milliseconds
# A file that cannot be opened and was modified this recently is taken for one still being copied (a slow copy
# from a network share): pending, read again next run, and no "damaged file" feedback to the unit.
COPYING_WINDOW = 60.0  # seconds


class RunRefused(ValueError):
    """A run that would replace good results by mistake (an empty or mistyped inbox, an outbox inside the
    inbox): nothing is read into the outputs or written; the message says why and what to do."""


@dataclass(frozen=True)
class RunOptions:
    inbox: Path
    outbox: Path
    roster: list[RosterUnit] | None = None
    deadline: dt.date | None = None
    period: str | None = None  # for a form with [[periods]]: which one to consolidate (else the commonest)
    previous: PreviousPeriod | None = None  # last period's figures (--previous)
    office_part: OfficePart | None = None  # the office's own texts and figures (--office-part)
    progress: bool = True
    allow_empty: bool = False  # the office means to replace good results by those of an empty inbox
    keep_unchanged: bool = False  # nothing changed since the last run of this form: keep its outputs, read nothing


@dataclass(frozen=True)
class Unchanged:
    """A run that found nothing changed since the last one of its form (no file, mark, option, roster, spec or
    output): that run's outputs stand as they are and nothing was read or written."""

    spec: FormSpec
    last: RunInfo

    @property
    def has_unmerged(self) -> bool:
        return bool(self.last.counts.get("rejected") or self.last.counts.get("pending"))


@dataclass(frozen=True)
class Run:
    """A finished run: its consolidation, the outputs written from it, and what the office should know."""

    consolidation: Consolidation
    outputs: Outputs
    notes: tuple[str, ...] = ()  # everything the summary says under "Lưu ý"
    register_notes: tuple[str, ...] = ()  # trouble with the register (set aside, locked, not written)
    register_written: bool = True

    @property
    def spec(self) -> FormSpec:
        return self.consolidation.spec

    @property
    def ledger(self) -> Ledger:
        return self.consolidation.ledger

    @property
    def has_unmerged(self) -> bool:
        return any(r.state in ("rejected", "pending") for r in self.ledger.records)

    def as_json(self) -> dict:
        done = self.consolidation
        return {
            "form": self.spec.id, "period": self.spec.period, "notes": list(self.register_notes),
            "workbook": str(self.outputs.workbook.path), "report": str(self.outputs.report.path),
            "annex": str(self.outputs.annex.path) if self.outputs.annex else None,
            "files": [r.as_json() for r in self.ledger.records],
            "units": self.ledger.units_json(),
            "totals": done.figures.sums,
            "since_last_run": done.since,
            "previous": done.previous.as_json() if done.previous else None,
            "office_part": done.office_part.as_json() if done.office_part else None,
            "change": {code: moved.as_json() for code, moved in done.changes.items()},
            "themes": {code: [{"label": g.label, "units": g.units,
                               "sentences": [{"unit": unit, "text": text} for unit, _, text in g.sentences]}
                              for g in groups] for code, groups in done.figures.themes.items()},
        }


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
            cache.fresh[submission.sha256] = to_row(submission, standard)
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
    from pipeline.narratives.themes import sentence_keys

    submission = read_submission(task)
    spec = spec_of(task.spec_source)
    if submission.kind == ROLLUP:  # a consolidated workbook: its units, each keyed below
        from pipeline.intake.rollup import read_rollup

        try:
            submission = read_rollup(spec, submission, Path(task.path).read_bytes())
        except Exception as exc:  # a damaged part of the workbook: that file's rejection, as for any reader
            from pipeline.isolation import describe_error

            submission.parts = []
            submission.reject("unreadable", value=describe_error(exc))
    for one in [submission, *submission.parts] if submission.readable else ():
        for narrative in spec.narrative_fields:
            text = one.values.get(narrative.code)
            if isinstance(text, str) and text.strip():
                one.sentences[narrative.code] = sentence_keys(spec, narrative.code, text.strip())
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


def changed_since_read(records: list[FileRecord]) -> None:
    """Files whose size or time moved during the run (a copy still going on): pending, read again next run."""
    for record in records:
        submission = record.submission
        if submission.pending or not submission.sha256 or submission.kind == "email":
            continue
        try:
            now = os.stat(submission.path)
        except OSError as exc:
            record.submission = vanished(submission.path, exc)
            continue
        if now.st_size != submission.size or now.st_mtime != submission.mtime:
            changing = problem("file-changing", what="Tệp thay đổi trong lúc tổng hợp (đang được ghi hoặc sao chép).")
            submission.problems = [changing]


def check_files(spec: FormSpec, files: list[Path], roster: list[RosterUnit] | None = None,
                period: str | None = None) -> list[FileRecord]:
    """The intake of a run, on the given files only; nothing is written (an email's attachments are opened in
    a temporary folder, removed after)."""
    import tempfile

    from pipeline.intake.mailbox import open_emails
    from pipeline.intake.scan import Found

    with tempfile.TemporaryDirectory(prefix="consolidate-check-") as scratch:
        found, _, emails = open_emails([Found(path, path.as_posix()) for path in files], Path(scratch) / "dinh-kem")
        records = sorted(read_files(spec, found) + emails, key=lambda r: r.relative)
    spec = _validated(spec, records, roster, period, None)
    settle(records, roster, spec.deadline)
    return records


def _validated(spec: FormSpec, records: list[FileRecord], roster: list[RosterUnit] | None,
               period: str | None, previous: PreviousPeriod | None) -> FormSpec:
    """Every problem of every file read; returns the form as this run consolidates it (its period)."""
    from pipeline.validate import choose_period, period_problems, previous_problems, validate_submissions

    submissions = [r.submission for r in records if r.submission.kind != ROLLUP]  # its units were checked below
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


def consolidate_inbox(spec: FormSpec, options: RunOptions) -> Run | Unchanged:
    """The whole run: read → settle → consolidate → write. The inbox is only read; outputs go to the outbox,
    each replaced atomically; the register is written last, in one transaction."""
    from pipeline.intake.mailbox import SCRATCH, open_emails
    from pipeline.outputs.lock import outbox_lock
    from pipeline.register import VIETNAM, Register, excluded_by_office, mark_arrivals, since_last_run

    refuse_nested(options.inbox, options.outbox)
    with outbox_lock(options.outbox):
        now = dt.datetime.now(VIETNAM)
        register = Register.open(options.outbox)
        found = discover(options.inbox)
        key = content_key(spec, _thesauri(spec))
        cache = ResultCache(key, lambda shas: register.cached_results(key, shas))
        if options.keep_unchanged:
            fingerprint = _fingerprint(spec, options, found, key, cache.hashed)
            last = next((run for run in reversed(register.history) if run.form == spec.id), None)
            if last is not None and last.fingerprint == fingerprint and _outputs_intact(last):
                return Unchanged(spec, last)
        opened, origins, emails = open_emails([f for f in found if not f.ignored], options.outbox / SCRATCH)
        records = sorted(read_files(spec, [f for f in found if f.ignored] + opened, progress=options.progress,
                                    cache=cache) + emails, key=lambda r: r.relative)
        from pipeline.consolidation import consolidate
        from pipeline.outputs import write_outputs

        mark_arrivals(records, register, origins, now, dt.date(spec.year, 1, 1))
        spec = _validated(spec, records, options.roster, options.period, options.previous)
        last = register.last_run_of(spec.id, spec.period)
        if not options.allow_empty:
            refuse_replacing(options, records, last)
        changed_since_read(records)
        duplicate_units(records)
        excluded_by_office(records, register)
        ledger = settle(records, options.roster, options.deadline or spec.deadline)
        in_force, typed, correction_notes = office_corrections(spec, options.outbox, register)
        consolidation = consolidate(spec, ledger, options.previous, since_last_run(last, records, ledger.units),
                                    in_force, options.office_part)
        opening_notes = tuple(register.notes)
        outputs = write_outputs(consolidation, options.outbox, register.feedback_made(spec.id))
        unsettled = {r.submission.sha256 for r in records if r.submission.pending}  # never cached
        chosen = _options_json(spec, options)
        if options.keep_unchanged:
            chosen["fingerprint"] = fingerprint
        register.record_run(now, chosen, records, ledger.units, outputs.paths, typed,
                            (key, {sha: row for sha, row in cache.fresh.items() if sha not in unsettled}),
                            (spec.id, {w.path.name: w.source for w in outputs.feedback}))
    office_notes = options.office_part.notes if options.office_part else ()
    return Run(consolidation, outputs, (*opening_notes, *correction_notes, *office_notes, *outputs.notes,
                                        *register.notes[len(opening_notes):]),
               tuple(register.notes), register.written)


def _fingerprint(spec: FormSpec, options: RunOptions, found: list[Found], key: str,
                 hashed: dict[str, tuple[int, int, str]]) -> str:
    """Everything a run reads, as one digest: each file of the inbox (path, content, time), the office's marks,
    the options, the roster, last period's file, the tool, the spec and its thesauri (`key`). A file that cannot
    be read now gives a digest no run recorded. Each file's sha256 goes into `hashed` for the reading after."""
    from pipeline.journal import JOURNAL_NAME

    digest = hashlib.sha256(key.encode())
    for entry in found:
        try:
            stat = entry.path.lstat()
            content = ""
            if not (entry.ignored or entry.path.is_symlink()):
                content = hashlib.sha256(entry.path.read_bytes()).hexdigest()
                hashed[str(entry.path)] = (stat.st_size, stat.st_mtime_ns, content)
        except OSError:
            return "unreadable"
        digest.update(f"{entry.relative}\0{content}\0{stat.st_mtime_ns}\0{entry.ignored}\n".encode())
    journal = options.outbox / JOURNAL_NAME
    marks = journal.read_bytes() if journal.is_file() else b""
    previous = Path(options.previous.source).read_bytes() if options.previous else b""
    office = options.office_part.sha256.encode() if options.office_part else b""
    digest.update(marks + b"\0" + previous + b"\0" + office + b"\0" + json.dumps(
        [str(options.inbox), str(options.deadline), options.period, _office_of(spec),
         [list(vars(u).values()) for u in options.roster or []]], ensure_ascii=False).encode())
    return digest.hexdigest()


def _office_of(spec: FormSpec) -> list[str]:
    """Who the outputs speak for (consolidate.toml applied to the spec): a change rewrites them."""
    return [spec.office_code, spec.office, spec.issuer, spec.parent_org, spec.recipient, spec.place, spec.signer,
            spec.send_to]


def _outputs_intact(last: RunInfo) -> bool:
    """Every output the last run wrote is still there as it wrote it (not deleted, not edited: a workbook the
    office typed corrections into must be read)."""
    for path, sha in last.outputs.items():
        try:
            if hashlib.sha256(Path(path).read_bytes()).hexdigest() != sha:
                return False
        except OSError:
            return False
    return bool(last.outputs)


def _thesauri(spec: FormSpec) -> tuple[Path, ...]:
    """The thesaurus files a reading result depends on (points and their group keys)."""
    from pipeline.narratives.themes import form_thesaurus_path, office_thesaurus_path

    return form_thesaurus_path(spec), office_thesaurus_path(spec)


def office_corrections(spec: FormSpec, outbox: Path,
                       register: Register) -> tuple[list[Correction], Changes | None, tuple[str, ...]]:
    """The office's corrections of the grouping in force (the register's, and what the outbox's workbook says
    now, read before it is replaced), the register's update from that workbook, and what could not be read
    (for the summary; a damaged workbook is one such note, never a failed run)."""
    from pipeline.narratives.corrections import changes, merged, read_sheet
    from pipeline.outputs import workbook_name

    path = outbox / workbook_name(spec.id)
    # A workbook left as the last run wrote it holds only what the register holds: not read again (a province's
    # sheet of points takes seconds to read).
    unedited = not path.is_file() or register.wrote_as_is(path)
    read = read_sheet(path, spec) if spec.narrative_fields and not unedited else None
    if read is None:
        return register.corrections_for(spec.id, spec.period), None, ()
    # A workbook of another period of the form keeps its corrections for that period: stored, not applied here.
    ours = read if (read.form, read.period) == (spec.id, spec.period) else None
    in_force = merged(register.corrections_for(spec.id, spec.period), ours)
    update = changes(register.corrections_for(read.form or "", read.period or ""), read)
    return in_force, update, tuple(read.problems)


def refuse_nested(inbox: Path, outbox: Path) -> None:
    """The outbox inside the inbox (or the inbox inside the outbox) would have the tool read its own outputs as
    units' files: refused before anything is read or written."""
    inside, outside = Path(os.path.realpath(inbox)), Path(os.path.realpath(outbox))
    if inside == outside or outside.is_relative_to(inside) or inside.is_relative_to(outside):
        where = ("là cùng một thư mục" if inside == outside else
                 "nằm trong thư mục hộp thư đến" if outside.is_relative_to(inside) else "chứa thư mục hộp thư đến")
        raise RunRefused(f"Thư mục kết quả '{outbox}' {where} '{inbox}': công cụ sẽ đọc chính các tệp kết quả của mình "
                         "như báo cáo của đơn vị. Chọn hai thư mục riêng (mặc định: inbox và outbox).")


def refuse_replacing(options: RunOptions, records: list[FileRecord], last) -> None:
    """An inbox with no file, or none of the files the last run of this form saw while it accepted some, is
    far more often a mistyped --inbox than the office's intent: the last results stay as they are."""
    if last is None or last.info is None:
        return
    accepted = last.info.counts.get("accepted", 0)
    seen_paths = set(last.files)
    seen_contents = {sha for sha, _, _ in last.files.values() if sha}
    present = any(r.relative in seen_paths or (r.submission.sha256 and r.submission.sha256 in seen_contents)
                  for r in records)
    if records and (present or not accepted):
        return
    had = (f"lần tổng hợp trước ({last.at:%H:%M %d/%m/%Y}, thư mục "
           f"'{last.info.inbox or '?'}') đã nhận {accepted} tệp từ {sum(last.info.counts.values())} tệp")
    what = "không có tệp nào" if not records else "không còn tệp nào của lần tổng hợp trước"
    raise RunRefused(f"Hộp thư đến '{options.inbox}' {what}, trong khi {had}. Kết quả cũ trong '{options.outbox}' "
                     "được giữ nguyên, không ghi gì. Kiểm tra lại đường dẫn --inbox; nếu đúng là muốn thay kết quả cũ, "
                     "chạy lại với --allow-empty.")


def _options_json(spec: FormSpec, options: RunOptions) -> dict:
    return {"form": spec.id, "form_period": spec.period,
            "inbox": str(options.inbox), "outbox": str(options.outbox), "deadline": options.deadline,
            "period": options.period, "roster": len(options.roster) if options.roster else None,
            "previous": options.previous.source if options.previous else None,
            "office_part": str(options.office_part.source) if options.office_part else None}
