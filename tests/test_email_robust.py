"""Emails that are awkward but honest: an attachment with a long Vietnamese name, an email moved, deleted or still
being written while it is read, a zip bomb attached beside a good report, too many attachments. Each file still
ends in one state with its reason, and a good report in the email is not lost."""
from __future__ import annotations

import datetime as dt
import io
import os
import unicodedata
import zipfile
from email.message import EmailMessage
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.filenames import NAME_BYTES, fit_name
from pipeline.run import RunOptions, consolidate_inbox
from tests.helpers import by_file, run_json

VIETNAM = dt.timezone(dt.timedelta(hours=7))
SENT = dt.datetime(2023, 12, 8, 9, 30, tzinfo=VIETNAM)  # before the form's deadline
LONG_NAME = ("Báo cáo kết quả hoạt động Công đoàn năm 2023, nhiệm vụ trọng tâm năm 2024 - Công đoàn cơ sở Trường "
             "THPT Hàm Rồng, thành phố Thanh Hóa.xlsx")
E_NAME = "ệ" * 83 + ".xlsx"  # 254 bytes of UTF-8: a valid name on every file system, 3 bytes a letter


def _email(path: Path, attachments: dict[str, bytes]) -> Path:
    message = EmailMessage()
    message["From"], message["To"] = "cdcs@example.vn", "vanphong@example.vn"
    message["Subject"] = "Báo cáo Công đoàn năm 2023"
    message["Date"] = SENT.strftime("%a, %d %b %Y %H:%M:%S %z")
    message.set_content("Kính gửi Văn phòng, đơn vị gửi báo cáo.")
    for name, data in attachments.items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(message))
    os.utime(path, (SENT.timestamp(), SENT.timestamp()))  # saved by the clerk when it came, not a copy under way
    return path


def _report(write_submission, code: str, **overrides) -> bytes:
    """A filled template's bytes, not left in the inbox."""
    path = write_submission(f"tam-{code}.xlsx", code, **overrides)
    data = path.read_bytes()
    path.unlink()
    return data


def _run(spec, tmp_path: Path):
    result = consolidate_inbox(spec, RunOptions(tmp_path / "inbox", tmp_path / "out", progress=False))
    return {r.relative: r for r in result.ledger.records}, result


def test_a_138_character_vietnamese_attachment_name_is_read_and_its_unit_accepted(tmp_path, spec, write_submission):
    assert len(LONG_NAME) == 138
    _email(tmp_path / "inbox" / "thu.eml", {LONG_NAME: _report(write_submission, "CD001")})
    records, result = _run(spec, tmp_path)
    attachment = records[f"thu.eml/{LONG_NAME}"]  # 177 bytes: kept whole
    assert attachment.state == "accepted"
    assert result.ledger.units_json()["accepted"] == ["CD001"]
    assert records["thu.eml"].state == "ignored"
    assert records["thu.eml"].reason == f"Thư điện tử: đã lấy 1 tệp bảng tính đính kèm ({LONG_NAME})."


def test_an_attachment_name_cut_to_its_byte_limit_keeps_its_extension_and_is_measured_in_nfc():
    from pipeline.intake.email import ATTACHMENT_BYTES, safe_name

    # macOS hands names over in NFD (205 bytes here): written and measured in NFC (177), so not cut at all
    assert safe_name(unicodedata.normalize("NFD", LONG_NAME), 1) == LONG_NAME
    cut = safe_name("Báo cáo " + "Trường THPT Hàm Rồng " * 20 + ".xlsx", 1)
    assert cut.startswith("Báo cáo Trường THPT") and cut.endswith(".xlsx") and len(cut.encode()) <= ATTACHMENT_BYTES
    assert len(cut.encode()) > ATTACHMENT_BYTES - 4  # cut where the bytes run out, not at some number of letters
    assert safe_name(E_NAME, 1) == "ệ" * 65 + ".xlsx"  # 195 + 5 bytes, no letter split
    # a letter is never parted from a mark NFC cannot join to it; a name with no extension is cut as it is
    assert fit_name("x" + "e\u0323\u0306" * 80, 20) == "x" + "ẹ\u0306" * 3
    assert fit_name("Công văn số 12. Trường A" * 20, 40).startswith("Công văn số 12. Trường A")


def test_a_name_of_83_e_gets_its_feedback_copy_and_every_written_name_fits(tmp_path, spec, write_submission):
    write_submission(E_NAME, "CD002", cbccvcld_nu=500)  # a faulty file straight in the inbox
    _email(tmp_path / "inbox" / ("ệ" * 80 + ".eml"), {E_NAME: _report(write_submission, "CD001", cbccvcld_nu=500)})
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert code == 1, document  # units' faults, not a failure to write
    assert {f["unit"] for f in document["files"] if f["status"] == "rejected"} == {"CD001", "CD002"}
    copies = sorted((tmp_path / "out" / "phan-hoi").glob("*.xlsx"))
    assert [p.name[:6] for p in copies] == ["CD001-", "CD002-"]
    assert all(len(p.name.encode()) <= 200 for p in copies)
    written = [p for p in (tmp_path / "out").rglob("*")]
    assert written and all(len(p.name.encode()) <= NAME_BYTES for p in written)


def test_feedback_names_stay_within_200_bytes_whatever_is_added_to_tell_them_apart():
    from pipeline.intake.submission import Submission
    from pipeline.ledger import FileRecord
    from pipeline.outputs.feedback import NAME_BYTES as FEEDBACK_BYTES
    from pipeline.outputs.feedback import feedback_names

    def record(relative: str, sha: str) -> FileRecord:
        return FileRecord(relative, Submission(relative, 1, 0.0, sha, unit="CD001"))

    long = "ệ" * 83
    records = [record(f"{long}.xlsx", "01" * 32), record(f"{long.upper()}.xlsx", "02" * 32),
               record(f"{long}.ods", "03" * 32), record(unicodedata.normalize("NFD", f"{long}.xlsx"), "01" * 32),
               record(f"a/{long}/{long}.xls", "04" * 32), record("x." + "đ" * 200, "05" * 32)]
    names = feedback_names(records)
    assert FEEDBACK_BYTES == 200 and all(len(n.encode()) <= FEEDBACK_BYTES and n.endswith(".xlsx") for n in names)
    assert len({unicodedata.normalize("NFC", n).casefold() for n in names}) == len(names)
    assert names[2].endswith(" (ods).xlsx") and names[4].endswith(" (xls).xlsx")


def test_an_email_deleted_between_discovery_and_opening_is_pending(tmp_path, monkeypatch, write_submission):
    import pipeline.run
    from pipeline.intake.scan import discover

    write_submission("cd002.xlsx", "CD002")
    mail = _email(tmp_path / "inbox" / "thu.eml", {"a.xlsx": _report(write_submission, "CD001")})

    def discover_then_delete(inbox):
        found = discover(inbox)
        mail.unlink()  # the clerk moves it away just after the scan
        return found

    monkeypatch.setattr(pipeline.run, "discover", discover_then_delete)
    result = CliRunner().invoke(cli, ["--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out"),
                                      "--json"])
    assert result.exit_code == 1, result.output  # pending: run again; not 4, the disk is fine
    import json

    files = by_file(json.loads(result.stdout))
    assert files["thu.eml"]["status"] == "pending" and files["cd002.xlsx"]["status"] == "accepted"
    assert [p["message"] for p in files["thu.eml"]["problems"]] == [
        "Thư điện tử bị chuyển đi, bị xóa hoặc bị khóa trong lúc đang đọc. Chạy lại sau khi tệp đã chép xong hoặc "
        "đã được đóng lại."]


def test_an_email_its_worker_finds_gone_is_pending(tmp_path, spec, monkeypatch, write_submission):
    import pipeline.intake.mailbox as mailbox

    _email(tmp_path / "inbox" / "thu.eml", {"a.xlsx": _report(write_submission, "CD001")})

    def gone(path: str):
        raise FileNotFoundError(2, "No such file or directory", path)

    monkeypatch.setattr(mailbox, "read_email", gone)  # the workers are forked: they see it too
    records, _ = _run(spec, tmp_path)
    assert records["thu.eml"].state == "pending"
    assert "bị chuyển đi, bị xóa" in records["thu.eml"].reason and "Chạy lại" in records["thu.eml"].reason
    assert list(records) == ["thu.eml"]  # nothing taken from it: read whole next run


def test_an_email_changing_while_it_is_read_is_pending(tmp_path, spec, monkeypatch, write_submission):
    import pipeline.intake.mailbox as mailbox

    mail = _email(tmp_path / "inbox" / "thu.eml", {"a.xlsx": _report(write_submission, "CD001")})
    read = mailbox.read_email

    def still_written(path: str):
        content = read(path)
        with open(mail, "ab") as handle:  # the mail program is still writing it
            handle.write(b"\r\n--- more ---\r\n")
        return content

    monkeypatch.setattr(mailbox, "read_email", still_written)
    records, _ = _run(spec, tmp_path)
    assert records["thu.eml"].state == "pending" and "đang thay đổi" in records["thu.eml"].reason
    assert list(records) == ["thu.eml"]


def test_a_zip_bomb_beside_a_good_report_sets_aside_only_the_bomb(tmp_path, spec, write_submission):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("bao-cao.xlsx", bytes(50 * 1024 * 1024))  # 50 MB of zeros in about 50 KB
    assert len(bomb.getvalue()) < 200 * 1024
    _email(tmp_path / "inbox" / "thu.eml", {"a.xlsx": _report(write_submission, "CD001"), "b.zip": bomb.getvalue()})
    records, result = _run(spec, tmp_path)
    assert records["thu.eml/a.xlsx"].state == "accepted"
    assert result.ledger.units_json()["accepted"] == ["CD001"]
    assert not any(name.startswith("thu.eml/b.zip") for name in records)
    assert records["thu.eml"].reason == ("Thư điện tử: đã lấy 1 tệp bảng tính đính kèm (a.xlsx); bỏ qua tệp nén "
                                         "b.zip: bị nén bất thường, có thể là tệp độc hại.")


def test_a_damaged_zip_beside_a_good_report_sets_aside_only_the_zip(tmp_path, spec, write_submission):
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:  # the workbook's own zip directory hidden
        archive.writestr("c.xlsx", _report(write_submission, "CD002"))
    _email(tmp_path / "inbox" / "thu.eml", {"a.xlsx": _report(write_submission, "CD001"),
                                            "b.zip": good.getvalue()[:-40]})  # cut short: its directory lost
    records, result = _run(spec, tmp_path)
    assert result.ledger.units_json()["accepted"] == ["CD001"]
    assert records["thu.eml"].reason.endswith("; bỏ qua tệp nén b.zip: bị hỏng, không mở được.")


def test_too_many_attachments_keeps_the_first_fifty_and_says_how_many_were_set_aside(tmp_path):
    from pipeline.intake.email import MAX_ATTACHMENTS, read_email
    from pipeline.intake.mailbox import _reason

    mail = _email(tmp_path / "thu.eml", {f"t{i:02d}.xlsx": b"x" for i in range(MAX_ATTACHMENTS + 3)})
    content = read_email(str(mail))
    assert [name for name, _ in content.attachments] == [f"t{i:02d}.xlsx" for i in range(MAX_ATTACHMENTS)]
    assert _reason(content).endswith(f"; bỏ qua 3 tệp đính kèm sau tệp thứ {MAX_ATTACHMENTS} "
                                     "(thư có quá nhiều tệp đính kèm).")
