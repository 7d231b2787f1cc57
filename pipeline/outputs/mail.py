"""Feedback mail ready to send: one draft .eml per unit with problems whose roster row has an email.

Each draft (outbox/thu-phan-hoi/<unit code>.eml) is addressed to the unit, says in Vietnamese what to fix (one
line per kind of problem, the cells named) and carries the unit's feedback copy from phan-hoi/. `X-Unsent: 1`
makes Outlook open it as a message ready to send; Thunderbird opens it with "Edit as new message".
"""
from __future__ import annotations

import re
import unicodedata
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.form import DEFAULT_FORM
from pipeline.outputs import Written, feedback_folder, write_replacing
from pipeline.outputs.feedback import LIST_SHEET, feedback_names, feedback_records, folded, only_set_aside

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation
    from pipeline.form import FormSpec
    from pipeline.ledger import FileRecord
    from pipeline.roster import RosterUnit

MAIL_DIR = "thu-phan-hoi"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# RFC 5322 lines end in CRLF; Outlook and Thunderbird read either, other tools expect this one. The body and the
# attachment are encoded in lines of 76; headers are written unfolded (up to RFC 5322's 998): Python 3.11 folds a
# long Vietnamese subject between encoded words and so loses the space there ("hoạt độngCông đoàn").
EML_POLICY = default.clone(linesep="\r\n")
WRITING_POLICY = EML_POLICY.clone(max_line_length=998)
_ADDRESS = re.compile(r"[^\s@<>,;:\"()\[\]]+@[^\s@<>,;:\"()\[\]]+\.[^\s@<>,;:\"()\[\]]+")
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
# What the catalogue tells a unit that must start again from the template: the mail then says where it is.
_TEMPLATE_WORDS = ("mẫu gốc", "mẫu mới", "mẫu báo cáo gốc")

SUBJECT_FIX = "cần sửa và gửi lại"
SUBJECT_ACCEPTED = "đã nhận, có điểm cần xem lại"
SUBJECT_SET_ASIDE = "văn phòng để riêng tệp"


def mail_folder(form_id: str) -> str:
    """The folder of a form's drafts, beside its feedback copies and kept apart the same way (feedback_folder)."""
    return MAIL_DIR if form_id == DEFAULT_FORM else f"{MAIL_DIR}-{form_id}"


def mail_name(code: str) -> str:
    return f"{_FORBIDDEN.sub('_', unicodedata.normalize('NFC', code)).strip(' .') or 'khong-ro-ma'}.eml"


def addresses(text: str) -> list[str]:
    """The addresses of a roster's Email cell ("a@x.vn; b@x.vn"), each once; nothing that is no address."""
    return list(dict.fromkeys(_ADDRESS.findall(text or "")))


def write_mails(consolidation: Consolidation, outbox: Path) -> tuple[Written, ...]:
    """One draft per unit with problems and an email, its feedback copy attached (write_feedback wrote them);
    a draft this form left for a unit that no longer has problems, or no email, is removed."""
    spec = consolidation.spec
    copies = outbox / feedback_folder(spec.id)
    records = feedback_records(consolidation)
    copy_of = {id(r): copies / name for r, name in zip(records, feedback_names(records))}
    folder = outbox / mail_folder(spec.id)
    written: list[Written] = []
    used: set[str] = set()
    for status in consolidation.ledger.units:
        record, unit = status.record, status.unit
        if record is None or id(record) not in copy_of or not addresses(unit.email):
            continue
        name = mail_name(unit.code)
        if name.casefold() in used:  # two codes that read alike on Windows: the second keeps its own
            name = f"{name[:-4]}-{len(used) + 1}.eml"
        used.add(name.casefold())
        data = draft(spec, unit, record, copy_of[id(record)]).as_bytes(policy=WRITING_POLICY)
        folder.mkdir(parents=True, exist_ok=True)
        written.append(write_replacing(folder / name, lambda path, data=data: _write(path, data)))
    if folder.is_dir():
        keep = {w.path.name for w in written}
        for stale in folder.glob("*.eml"):
            if stale.name not in keep:  # a unit that fixed its file gets no mail about last run's problems
                stale.unlink(missing_ok=True)
    return tuple(written)


def _write(path: Path, data: bytes) -> Written:
    path.write_bytes(data)
    return Written(path)


def draft(spec: FormSpec, unit: RosterUnit, record: FileRecord, copy: Path) -> EmailMessage:
    """The draft to `unit` about `record`: To, Subject, X-Unsent, the body, and the feedback copy attached."""
    message = EmailMessage(policy=EML_POLICY)
    sender = addresses(spec.send_to)
    if sender:
        message["From"] = sender[0]
    message["To"] = [_address(unit.name, a) for a in addresses(unit.email)]
    message["Subject"] = subject(spec, record)
    message["X-Unsent"] = "1"
    message.set_content(body(spec, unit, record, copy.name if copy.is_file() else ""), cte="quoted-printable")
    if copy.is_file():
        message.add_attachment(copy.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=copy.name)
    return message


def _address(name: str, address: str) -> Address | str:
    """The unit's name shown beside its address; the address alone where the name cannot be a display name."""
    try:
        return Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError, TypeError):
        return address


def subject(spec: FormSpec, record: FileRecord) -> str:
    if not record.has_errors:
        outcome = SUBJECT_ACCEPTED
    elif only_set_aside(record.problems):
        outcome = SUBJECT_SET_ASIDE
    else:
        outcome = SUBJECT_FIX
    return f"Phản hồi về {spec.short_title}: {outcome}"


def body(spec: FormSpec, unit: RosterUnit, record: FileRecord, attached: str) -> str:
    """The plain text of the draft, in Vietnamese: what was received, what to do, one line per kind of problem."""
    office = spec.send_to or spec.office
    file = f"tệp “{record.relative}”"
    if not record.has_errors:
        opening = (f"{office} đã nhận {file} của đơn vị và đã đưa vào tổng hợp {spec.short_title}; đơn vị không "
                   "cần gửi lại. Các điểm dưới đây chỉ để đơn vị xem lại; nếu số liệu đúng thì không cần sửa.")
    elif only_set_aside(record.problems):
        opening = (f"{office} đã nhận {file} của đơn vị nhưng đã để riêng, chưa đưa vào tổng hợp "
                   f"{spec.short_title} (lý do dưới đây). Xin liên hệ văn phòng nếu cần gửi lại.")
    else:
        opening = (f"{office} đã nhận {file} của đơn vị nhưng tệp có lỗi nên chưa được đưa vào tổng hợp "
                   f"{spec.short_title}. Đề nghị đơn vị sửa các điểm dưới đây trong tệp gốc của đơn vị rồi gửi lại.")
    lines = [f"Kính gửi: {unit.name or unit.code},", "", opening]
    folds = folded(record.problems)
    for is_error, heading in ((True, "Lỗi cần sửa:"), (False, "Cần xem lại (không bắt buộc sửa):")):
        chosen = [f for f in folds if f.is_error == is_error]
        if chosen:
            lines += ["", heading, *(f"- {f.line}" for f in chosen)]
    if any(word in p.message for p in record.problems for word in _TEMPLATE_WORDS):
        lines += ["", template_hint(spec)]
    if attached:
        marked = ("; các ô có vấn đề được tô màu (đỏ: lỗi, vàng: cần xem lại) và có ghi chú"
                  if any(p.cell for p in record.problems) else "")
        lines += ["", f"Tệp đính kèm “{attached}” ghi các điểm trên ở trang “{LIST_SHEET}”{marked}."]
    lines += ["", "Trân trọng,", office]
    return "\n".join(lines) + "\n"


def template_hint(spec: FormSpec) -> str:
    """Where a unit told to copy its figures into the template finds it."""
    where = spec.send_to or spec.office
    sent_with = f" kèm {spec.document}" if spec.document else " kèm hướng dẫn"
    return f"Mẫu gốc: xin liên hệ {where} hoặc dùng tệp mẫu văn phòng đã gửi{sent_with}."
