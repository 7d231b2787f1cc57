"""What a run leaves in the outbox: the consolidated workbook, the Word report, feedback for units."""
from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import pickle
from pathlib import Path

from pipeline.files import atomic_path
from pipeline.form import DEFAULT_FORM

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


def feedback_folder(form_id: str) -> str:
    """The folder of a form's feedback copies: each form its own, so that two forms consolidated in one outbox
    never replace or clear each other's (the default form keeps the plain name staff know)."""
    return FEEDBACK_DIR if form_id == DEFAULT_FORM else f"{FEEDBACK_DIR}-{form_id}"


def chase_list_name(form_id: str) -> str:
    return f"{CHASE_LIST}.xlsx" if form_id == DEFAULT_FORM else f"{CHASE_LIST}-{form_id}.xlsx"


def write_replacing(target: Path, write, notes: list[str]) -> Path:
    """Write through `write(temporary_path)` and rename into place; a target held open (Excel on Windows)
    cannot be replaced, so the output goes to a timestamped name and the run says so."""
    try:
        with atomic_path(target) as temporary:
            write(temporary)
        return target
    except PermissionError:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        fallback = target.with_name(f"{target.stem}-{stamp}{target.suffix}")
        with atomic_path(fallback) as temporary:
            write(temporary)
        notes.append(f"Tệp {target.name} đang được mở nên không ghi đè được; kết quả mới ghi vào {fallback.name}.")
        return fallback


def write_outputs(result) -> None:
    """Every output of a run, each replaced atomically.

    The workbook is written here while a forked process writes the Word report and the feedback: both
    cores work, and a province's outputs take the time of the longest one, not of all together (up to
    SEQUENTIAL_FROM units; beyond, memory comes first).
    """
    from pipeline.outputs.workbook import write_workbook

    outbox = result.outbox
    outbox.mkdir(parents=True, exist_ok=True)
    if (len(result.ledger.records) < PARALLEL_FROM or result.consolidation.unit_count > SEQUENTIAL_FROM
            or "fork" not in multiprocessing.get_all_start_methods()):
        result.workbook = write_replacing(outbox / workbook_name(result.spec.id),
                                          lambda path: write_workbook(result, path), result.notes)
        _absorb(result, _write_rest(result, spread=True))
        return
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    gc.freeze()  # the collector would otherwise touch, and so copy, every object the child shares
    child = context.Process(target=_write_rest_in_child, args=(result, sending), name="consolidate-outputs")
    child.start()
    sending.close()
    try:
        result.workbook = write_replacing(outbox / workbook_name(result.spec.id),
                                          lambda path: write_workbook(result, path), result.notes)
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
    _absorb(result, outcome)


def _write_rest(result, spread: bool = False) -> tuple[Path, list[Path], list[str]]:
    """The Word report, the feedback copies and the chase list: (report path, feedback paths, notes). With
    `spread`, nothing else is being written: the copies may use every core."""
    from pipeline.outputs.feedback import write_feedback
    from pipeline.outputs.report import write_report

    notes: list[str] = []
    report = write_replacing(result.outbox / report_name(result.spec.id),
                             lambda path: write_report(result, path), notes)
    return report, write_feedback(result, result.outbox, spread), notes


def _write_rest_in_child(result, sending) -> None:
    try:
        sending.send(_write_rest(result))
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


def _absorb(result, outcome: tuple[Path, list[Path], list[str]]) -> None:
    result.report, result.feedback, notes = outcome
    result.notes.extend(notes)
