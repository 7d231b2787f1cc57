"""What a run leaves in the outbox: the consolidated workbook, the Word report, feedback for units."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.files import atomic_path


def workbook_name(form_id: str) -> str:
    return f"tong-hop-{form_id}.xlsx"


def report_name(form_id: str) -> str:
    return f"bao-cao-tong-hop-{form_id}.docx"


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
    """Every output of a run, each replaced atomically."""
    from pipeline.outputs.feedback import write_feedback
    from pipeline.outputs.report import write_report
    from pipeline.outputs.workbook import write_workbook

    outbox = result.outbox
    outbox.mkdir(parents=True, exist_ok=True)
    result.workbook = write_replacing(outbox / workbook_name(result.spec.id),
                                      lambda path: write_workbook(result, path), result.notes)
    result.report = write_replacing(outbox / report_name(result.spec.id),
                                    lambda path: write_report(result, path), result.notes)
    result.feedback = write_feedback(result, outbox)
