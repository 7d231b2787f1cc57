"""One consolidation run: read every file, validate, settle states, merge, write outputs. Also `check`."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cache import ResultCache, content_key
from pipeline.form import FormSpec
from pipeline.intake.rollup import ROLLUP, duplicate_units, unknown_offices
from pipeline.intake.scan import Found, discover
from pipeline.intake.submission import vanished
from pipeline.ledger import FileRecord, Ledger, settle
from pipeline.problems import problem
from pipeline.reading import read_files
from pipeline.roster import RosterUnit

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation
    from pipeline.narratives.corrections import Changes, Correction
    from pipeline.office_part import OfficePart
    from pipeline.outputs import Outputs
    from pipeline.previous.read import PreviousPeriod
    from pipeline.register import Register, RunInfo

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
    every = [r.submission for r in records]  # a roll-up is of one period too: it counts, and is set aside if other
    spec = choose_period(spec, every, period)
    if previous is not None and previous.form == spec.id and previous.period == spec.period:
        from pipeline.previous.read import PreviousError

        raise PreviousError(f"Tệp {previous.source} là bảng tổng hợp của chính kỳ này ({spec.period}), không phải "
                            "của kỳ trước: hãy chọn bảng tổng hợp kỳ trước cho --previous.")
    period_problems(spec, every, labels)
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
        excluded_by_office(records, register)
        duplicate_units(records)  # after the office's marks: a file it set aside holds no unit
        unknown_offices(records, {u.code for u in options.roster} if options.roster else None)
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
                            (key, cache.rows(unsettled)),
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
