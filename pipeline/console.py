"""What a finished run says on one screen: counts by state, reporting rate, commonest problems, outputs, next steps."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.catalogue import label
from pipeline.intake.rollup import ROLLUP
from pipeline.ledger import STATE_LABELS, STATES, FileRecord
from pipeline.outputs import FEEDBACK_DIR, chase_list_name, feedback_folder
from pipeline.vietnamese import vn_percent

if TYPE_CHECKING:
    from pipeline.run import Run


def summary(result: Run) -> str:
    ledger = result.ledger
    lines = [line for line in (_since(result),) if line]
    lines.append(f"Tổng hợp {result.spec.short_title}: {len(ledger.records)} tệp trong hộp thư đến.")
    lines.append("  " + " · ".join(f"{STATE_LABELS[s]}: {ledger.counts.get(s, 0)}" for s in STATES))
    units = ledger.units
    sent = sum(u.state in ("on_time", "late") for u in units)
    lines.append(f"Đơn vị: {sent}/{len(units)} đã được nhận ({vn_percent(sent, len(units))}) · "
                 f"đúng hạn {sum(u.state == 'on_time' for u in units)} · muộn {sum(u.state == 'late' for u in units)} · "
                 f"có lỗi {sum(u.state == 'rejected' for u in units)} · chưa nộp {sum(u.state == 'missing' for u in units)}"
                 + ("" if ledger.roster_given else " (không có danh sách đơn vị: chỉ tính các đơn vị đã gửi)"))
    rolled = ledger.rollups
    if rolled:
        lines.append(f"  trong đó {len(rolled)} bảng tổng hợp của công đoàn cấp trên cơ sở, gồm {sum(len(r.parts) for r in rolled)} "
                     f"CĐCS; tổng cộng {result.consolidation.figures.unit_count}/{ledger.expected} CĐCS có số liệu")
    common = Counter(code for r in ledger.records if r.state != "superseded"
                     for code in {p.code for p in r.problems}).most_common(5)
    if common:
        lines.append("Vấn đề gặp nhiều nhất (số tệp): " + "; ".join(f"{label(c)} ({n})" for c, n in common))
    lines.extend(_corrections(result))
    lines.append("Kết quả:")
    outputs = result.outputs
    lines.append(f"  Bảng tổng hợp: {outputs.workbook.path}")
    office = result.consolidation.office_part
    lines.append(f"  Dự thảo báo cáo: {outputs.report.path}" + (
        f" (phần văn phòng từ {office.source}: {len(office.texts)} mục, {len(office.figures)} số liệu)" if office
        else " (chưa có phần văn phòng: tạo bằng consolidate template --office-part)"))
    if outputs.annex:
        lines.append(f"  Phụ lục thuyết minh của các đơn vị: {outputs.annex.path}")
    folder, chase = feedback_folder(result.spec.id), chase_list_name(result.spec.id)
    if outputs.feedback:
        lines.append(f"  Phản hồi cho {len(outputs.feedback)} tệp có vấn đề: {outputs.feedback[0].path.parent}/")
    if outputs.mails:
        lines.append(f"  Thư phản hồi soạn sẵn cho {len(outputs.mails)} đơn vị (mở bằng Outlook hoặc Thunderbird, đọc lại "
                     f"rồi gửi): {outputs.mails[0].path.parent}/")
    lines.extend(f"Lưu ý: {note}" for note in result.notes)
    steps = ["mở bảng tổng hợp"]  # only what there is to do
    if outputs.feedback:
        steps.append(f"gửi tệp trong thư mục {folder} cho các đơn vị có lỗi")
    if result.ledger.units_in("missing") or result.ledger.units_in("late"):
        steps.append(f"nhắc các đơn vị chưa nộp (danh sách kèm email trong {chase})")
    lines.append(f"Việc tiếp theo: {'; '.join(steps)}.")
    return "\n".join(lines)


def _corrections(result: Run) -> list[str]:
    """The office's corrections of the grouping: how many were applied, and those whose point is gone."""
    done = result.consolidation
    if not done.corrections:
        return []
    lines = [f"Đã áp dụng {done.corrections_applied} chỉnh sửa phân nhóm của văn phòng (trang Phân nhóm câu)."]
    missing = done.corrections_missing
    if missing:
        shown = "; ".join(f"{c.unit} ({c.field}): “{_short(c.text)}”" for c in missing[:5])
        lines.append(f"  {len(missing)} chỉnh sửa không còn áp dụng được vì ý không còn trong báo cáo của đơn vị: "
                     f"{shown}{' …' if len(missing) > 5 else ''} (xem cuối trang Phân nhóm câu).")
    return lines


def _short(text: str, words: int = 8) -> str:
    cut = text.split()
    return " ".join(cut[:words]) + ("…" if len(cut) > words else "")


def unchanged(result) -> str:
    """Nothing changed since the last run of the form: its outputs stand; what they are and where."""
    last = result.last
    when = last.at.strftime("lúc %H:%M ngày %d/%m/%Y")
    counts = " · ".join(f"{STATE_LABELS[s]}: {last.counts.get(s, 0)}" for s in STATES)
    lines = [f"Không có gì thay đổi từ lần tổng hợp trước ({when}): các tệp trong hộp thư đến, đánh dấu của văn phòng, "
             "danh sách đơn vị, tùy chọn và mẫu biểu đều như cũ, nên kết quả được giữ nguyên, không đọc lại, không ghi lại.",
             f"Tổng hợp {result.spec.short_title}: {sum(last.counts.values())} tệp trong hộp thư đến.", f"  {counts}",
             "Kết quả:"]
    lines += [f"  {path}" for path in last.outputs if not Path(path).parent.name.startswith(FEEDBACK_DIR)]
    copies = sum(Path(path).parent.name.startswith(FEEDBACK_DIR) for path in last.outputs)
    if copies:
        lines.append(f"  Phản hồi cho {copies} tệp có vấn đề (như lần trước).")
    return "\n".join(lines)


def _since(result) -> str:
    """"Từ lần chạy trước (lúc 09:12 ngày 05/12/2023): 5 tệp mới; CD012 nay đã nhận; CD031 vẫn còn lỗi"."""
    since = result.consolidation.since
    if not since.get("previous_run"):
        return ""
    import datetime as dt

    when = dt.datetime.fromisoformat(since["previous_run"]).strftime("lúc %H:%M ngày %d/%m/%Y")
    parts = [f"{len(since['new_files'])} tệp mới hoặc đã sửa"] if since["new_files"] else []
    if since["removed_files"]:
        parts.append(f"{len(since['removed_files'])} tệp không còn")
    words = {"on_time": "nay đã nhận", "late": "nay đã nhận (muộn)", "rejected": "nay có lỗi", "missing": "nay chưa có tệp"}
    parts += [f"{c['unit']} {words[c['to']]}" for c in since["units_changed"][:8]]
    still = [u.unit.code for u in result.ledger.units if u.state == "rejected"
             and u.unit.code not in {c["unit"] for c in since["units_changed"]}]
    if still:
        parts.append(f"{', '.join(still[:5])}{' …' if len(still) > 5 else ''} vẫn còn lỗi")
    return f"Từ lần chạy trước ({when}): " + ("; ".join(parts) if parts else "các tệp trong hộp thư đến không đổi") + "."


def describe_checked(records: list[FileRecord]) -> str:
    """`consolidate check`: each file, its state and every problem, errors first."""
    lines = []
    for record in records:
        errors = sum(p.is_error for p in record.problems)
        verdict = ("BỎ QUA" if record.state == "ignored" else "CÓ LỖI" if errors or record.state == "rejected"
                   else "ĐANG CHÉP DỞ" if record.state == "pending" else "HỢP LỆ")
        rollup = record.submission.rollup if record.submission.kind == ROLLUP else None
        about = (f" (bảng tổng hợp của {record.unit}: {len(record.submission.parts)} CĐCS)" if rollup and record.unit
                 else f" ({record.unit})" if record.unit else "")
        lines.append(f"{record.relative}: {verdict}{about}")
        if record.submission.reason:
            lines.append(f"  {record.submission.reason}")
        for problem in sorted(record.problems, key=lambda p: not p.is_error):
            lines.append(f"  [{'Lỗi' if problem.is_error else 'Cảnh báo'}] {problem.message}")
    return "\n".join(lines)
