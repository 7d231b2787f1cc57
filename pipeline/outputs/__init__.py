"""What a run leaves in the outbox: the consolidated workbook, the Word report and its annex, feedback for units."""
from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.files import atomic_path
from pipeline.form import DEFAULT_FORM

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation

FEEDBACK_DIR = "phan-hoi"
CHASE_LIST = "don-vi-chua-nop-hoac-muon"


PARALLEL_FROM = 200  # files; below this a second process costs more than it saves
# Accepted units; above this the outputs are written one after another. A forked writer shares the parent's
# pages only until either touches them, and writing the workbook touches every text (reference counts): at
# 10,000 units the two processes held 1.9 GB where one holds 0.95 GB, for 10 % less time.
SEQUENTIAL_FROM = 3000


def workbook_name(form_id: str) -> str:
    return f"tong-hop-{form_id}.xlsx"


def report_name(form_id: str) -> str:
    return f"bao-cao-tong-hop-{form_id}.docx"


def annex_name(form_id: str) -> str:
    """The units' texts, section by section: a document of its own beside the report, never inside it."""
    return f"phu-luc-thuyet-minh-{form_id}.docx"


def feedback_folder(form_id: str) -> str:
    """The folder of a form's feedback copies: each form its own, so that two forms consolidated in one outbox
    never replace or clear each other's (the default form keeps the plain name staff know)."""
    return FEEDBACK_DIR if form_id == DEFAULT_FORM else f"{FEEDBACK_DIR}-{form_id}"


def chase_list_name(form_id: str) -> str:
    return f"{CHASE_LIST}.xlsx" if form_id == DEFAULT_FORM else f"{CHASE_LIST}-{form_id}.xlsx"


@dataclass(frozen=True)
class Written:
    """What a writer wrote: the file, and what the office should know about it (a text cut, a new name)."""

    path: Path
    notes: tuple[str, ...] = ()
    source: str = ""  # what it was made from (a feedback copy: its file and problems), to skip it when unchanged


@dataclass(frozen=True)
class Outputs:
    """Every output of a run, as written."""

    workbook: Written
    report: Written
    feedback: tuple[Written, ...]  # the feedback copies
    chase: Written  # the list of units to chase
    annex: Written | None = None  # the units' texts (phu-luc-thuyet-minh-<form>.docx); None: a form without any
    mails: tuple[Written, ...] = ()  # the draft feedback mails, thu-phan-hoi/<unit code>.eml (outputs/mail.py)

    @property
    def paths(self) -> list[Path]:
        return [self.workbook.path, self.report.path, *(w.path for w in self.feedback), self.chase.path,
                *([self.annex.path] if self.annex else []), *(w.path for w in self.mails)]

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(note for written in (self.workbook, self.report, *self.feedback, self.chase,
                                          *([self.annex] if self.annex else []), *self.mails)
                     for note in written.notes)


def write_replacing(target: Path, write: Callable[[Path], Written]) -> Written:
    """Write through `write(temporary_path)` and rename into place; a target held open (Excel on Windows)
    cannot be replaced, so the output goes to a timestamped name and the run says so."""
    try:
        with atomic_path(target) as temporary:
            written = write(temporary)
        return Written(target, written.notes)
    except PermissionError:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        fallback = target.with_name(f"{target.stem}-{stamp}{target.suffix}")
        with atomic_path(fallback) as temporary:
            written = write(temporary)
        return Written(fallback, (*written.notes, f"Tệp {target.name} đang được mở nên không ghi đè được; kết quả "
                                                  f"mới ghi vào {fallback.name}."))


def write_outputs(consolidation: Consolidation, outbox: Path, made: dict[str, str] | None = None) -> Outputs:
    """Every output of a run, each replaced atomically; the consolidation is only read.

    The workbook is written here while a forked process writes the Word report and the feedback: both
    cores work, and a province's outputs take the time of the longest one, not of all together (up to
    SEQUENTIAL_FROM units; beyond, memory comes first). `made`: what each feedback copy of the last run was
    made from (Written.source, by file name): a copy whose file and problems are the same is not rewritten.
    """
    from pipeline.outputs.workbook import write_workbook

    outbox.mkdir(parents=True, exist_ok=True)
    workbook = outbox / workbook_name(consolidation.spec.id)
    if (len(consolidation.ledger.records) < PARALLEL_FROM or consolidation.figures.unit_count > SEQUENTIAL_FROM
            or "fork" not in multiprocessing.get_all_start_methods()):
        written = write_replacing(workbook, lambda path: write_workbook(consolidation, path))
        return _outputs(written, _write_rest(consolidation, outbox, made, spread=True))
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    gc.freeze()  # the collector would otherwise touch, and so copy, every object the child shares
    child = context.Process(target=_write_rest_in_child, args=(consolidation, outbox, made, sending),
                            name="consolidate-outputs")
    child.start()
    sending.close()
    try:
        written = write_replacing(workbook, lambda path: write_workbook(consolidation, path))
        outcome = receiving.recv() if receiving.poll(None) else None
    except EOFError:
        outcome = None
    finally:
        child.join()
        receiving.close()
        gc.unfreeze()
    if outcome is None:
        raise RuntimeError(f"tiến trình ghi báo cáo Word và phản hồi dừng bất thường (mã {child.exitcode})")
    if isinstance(outcome, BaseException):
        raise outcome
    return _outputs(written, outcome)


def _outputs(workbook: Written, rest: tuple) -> Outputs:
    """Outputs from the workbook and what _write_rest wrote (the annex and the mails last, by name)."""
    *others, annex, mails = rest
    return Outputs(workbook, *others, annex=annex, mails=mails)


def _write_rest(consolidation: Consolidation, outbox: Path, made: dict[str, str] | None,
                spread: bool = False) -> tuple[Written, tuple[Written, ...], Written, Written | None,
                                               tuple[Written, ...]]:
    """The Word report, the feedback copies, the chase list, the annex of the units' texts (None for a form
    without narratives) and the feedback mails (which attach the copies, so come after them). With `spread`,
    nothing else is being written: the copies may use every core."""
    from pipeline.outputs.annex import annex_fields, write_annex
    from pipeline.outputs.feedback import write_feedback
    from pipeline.outputs.mail import write_mails
    from pipeline.outputs.report import write_report

    spec = consolidation.spec
    report = write_replacing(outbox / report_name(spec.id), lambda path: write_report(consolidation, path))
    annex = (write_replacing(outbox / annex_name(spec.id), lambda path: write_annex(consolidation, path))
             if annex_fields(spec) else None)
    copies, chase = write_feedback(consolidation, outbox, spread, made)
    return report, copies, chase, annex, write_mails(consolidation, outbox)


def _write_rest_in_child(consolidation: Consolidation, outbox: Path, made: dict[str, str] | None, sending) -> None:
    try:
        sending.send(_write_rest(consolidation, outbox, made))
    except BaseException as exc:  # carried to the parent, which reports it as any other failure
        sending.send(exc if _picklable(exc) else RuntimeError(f"{type(exc).__name__}: {exc}"))
    finally:
        sending.close()


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.dumps(exc)
        return True
    except Exception:
        return False
