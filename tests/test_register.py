"""The register across runs: when each report really arrived, emails dropped whole, the office's marks, what
changed since the last run, and a register that is damaged or missing never stopping a run."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.helpers import by_file, codes, run_json, saved_earlier

VIETNAM = dt.timezone(dt.timedelta(hours=7))
DEADLINE = dt.datetime(2023, 12, 11, 12, 0, tzinfo=VIETNAM)


def _stamp(path: Path, moment: dt.datetime) -> Path:
    os.utime(path, (moment.timestamp(), moment.timestamp()))
    return path


def _email(path: Path, attachments: dict[str, bytes], date: dt.datetime, sender="cdcs@example.vn") -> Path:
    message = EmailMessage()
    message["From"], message["To"] = sender, "vanphong@example.vn"
    message["Subject"] = "Báo cáo Công đoàn năm 2023"
    message["Date"] = date.strftime("%a, %d %b %Y %H:%M:%S %z")
    message.set_content("Kính gửi Văn phòng, đơn vị gửi báo cáo.")
    for name, data in attachments.items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    path.write_bytes(bytes(message))
    return path


def test_saved_late_but_emailed_on_time_is_on_time(tmp_path, write_submission):
    report = write_submission("nhap.xlsx", "CD001").read_bytes()
    inbox = tmp_path / "inbox"
    (inbox / "nhap.xlsx").unlink()
    mail = _email(inbox / "thu-cd001.eml", {"Báo cáo Công đoàn năm 2023 – Trường A.xlsx": report},
                  DEADLINE - dt.timedelta(days=2))
    _stamp(mail, DEADLINE + dt.timedelta(days=3))  # the clerk saved the email after the deadline
    _, document = run_json(inbox, tmp_path / "out")
    files = by_file(document)
    name = "thu-cd001.eml/Báo cáo Công đoàn năm 2023 – Trường A.xlsx"  # the RFC 2231 name, read back whole
    assert files[name]["status"] == "accepted" and files[name]["email"]["file"] == "thu-cd001.eml"
    assert files[name]["email"]["subject"] == "Báo cáo Công đoàn năm 2023"
    assert dt.datetime.fromisoformat(files[name]["received"]) == DEADLINE - dt.timedelta(days=2)
    assert document["units"]["accepted"] == ["CD001"] and document["units"]["late"] == []
    assert files["thu-cd001.eml"]["status"] == "ignored"


def test_a_zip_attachment_is_opened_into_its_spreadsheets(tmp_path, write_submission):
    import io
    import zipfile

    report = write_submission("nhap.xlsx", "CD002").read_bytes()
    (tmp_path / "inbox" / "nhap.xlsx").unlink()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bao cao/../Báo cáo CD002.xlsx", report)
        archive.writestr("ghi-chu.txt", "xem tệp đính kèm")
    _email(tmp_path / "inbox" / "thu.eml", {"bao-cao.zip": buffer.getvalue()}, DEADLINE - dt.timedelta(days=1))
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert files["thu.eml/bao-cao.zip/Báo cáo CD002.xlsx"]["status"] == "accepted"
    assert document["units"]["accepted"] == ["CD002"]


def test_a_mark_on_a_file_in_a_zip_attachment_is_not_taken_for_a_top_level_namesake(tmp_path, write_submission):
    import hashlib
    import io
    import sqlite3
    import zipfile

    inner = write_submission("x.xlsx", "CD002").read_bytes()
    outer = write_submission("x.xlsx", "CD003").read_bytes()
    (tmp_path / "inbox" / "x.xlsx").unlink()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x.xlsx", inner)
    email = _email(tmp_path / "inbox" / "thu.eml", {"x.xlsx": outer, "a.zip": buffer.getvalue()},
                   DEADLINE - dt.timedelta(days=1))
    outbox = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--outbox", str(outbox), "mark", f"{email}/a.zip/x.xlsx", "--exclude", "nháp"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(outbox / "so-tiep-nhan.sqlite") as db:
        marked = {row[0] for row in db.execute("SELECT sha256 FROM marks")}
    assert marked == {hashlib.sha256(inner).hexdigest()}


def test_a_recopied_old_file_keeps_its_first_time(tmp_path, write_submission):
    path = _stamp(write_submission("a.xlsx", "CD001"), DEADLINE - dt.timedelta(days=5))
    run_json(tmp_path / "inbox", tmp_path / "out")
    copy = tmp_path / "inbox" / "ban-sao.xlsx"
    shutil.copyfile(path, copy)
    path.unlink()
    _stamp(copy, DEADLINE + dt.timedelta(days=4))  # copied again after the deadline: same content
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert document["units"]["accepted"] == ["CD001"] and document["units"]["late"] == []
    assert dt.datetime.fromisoformat(by_file(document)["ban-sao.xlsx"]["received"]) == DEADLINE - dt.timedelta(days=5)


def test_changes_since_the_last_run_and_versions(tmp_path, write_submission):
    _stamp(write_submission("a.xlsx", "CD001", cbccvcld_nu=999), DEADLINE - dt.timedelta(days=6))  # an error
    _, first = run_json(tmp_path / "inbox", tmp_path / "out")
    assert first["since_last_run"]["previous_run"] is None and first["units"]["rejected"] == ["CD001"]
    _stamp(write_submission("a-sua.xlsx", "CD001"), DEADLINE - dt.timedelta(days=2))
    _stamp(write_submission("b.xlsx", "CD002"), DEADLINE - dt.timedelta(days=1))
    result = CliRunner().invoke(cli, ["--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out")])
    assert result.output.splitlines()[0].startswith("Từ lần chạy trước (lúc ")
    assert "CD001 nay đã nhận" in result.output.splitlines()[0]
    _, third = run_json(tmp_path / "inbox", tmp_path / "out")
    since = third["since_last_run"]
    assert since["previous_run"] and since["new_files"] == [] and since["units_changed"] == []
    book = openpyxl.load_workbook(tmp_path / "out" / "tong-hop-bao-cao-cd-2023.xlsx", read_only=True)
    rows = {r[0]: r for r in book["Sổ tiếp nhận"].iter_rows(values_only=True) if r and str(r[0]).endswith(".xlsx")}
    assert rows["a.xlsx"][7] == "1/2" and rows["a-sua.xlsx"][7] == "2/2"
    changes = [r[0] for r in book["Thay đổi"].iter_rows(values_only=True) if r and r[0]]
    assert any(" NGÀY " in str(text) for text in changes)
    assert any(str(text).startswith("Không có thay đổi nào") for text in changes)


def test_the_offices_marks(tmp_path, write_submission):
    path = _stamp(write_submission("a.xlsx", "CD001"), DEADLINE + dt.timedelta(days=3))
    _stamp(write_submission("b.xlsx", "CD002"), DEADLINE - dt.timedelta(days=3))
    outbox = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["--outbox", str(outbox), "mark", str(path), "--received", "09/12/2023"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--outbox", str(outbox), "mark", str(tmp_path / "inbox" / "b.xlsx"),
                                 "--exclude", "Gửi nhầm bản nháp"])
    assert result.exit_code == 0, result.output
    _, document = run_json(tmp_path / "inbox", outbox)
    files = by_file(document)
    assert document["units"]["accepted"] == ["CD001"]  # a paper copy came first: on time
    assert files["b.xlsx"]["status"] == "rejected" and "excluded" in codes(files["b.xlsx"])
    assert any("Gửi nhầm bản nháp" in p["message"] for p in files["b.xlsx"]["problems"])
    assert runner.invoke(cli, ["--outbox", str(outbox), "mark", str(tmp_path / "inbox" / "b.xlsx"), "--clear"]).exit_code == 0
    _, again = run_json(tmp_path / "inbox", outbox)
    assert by_file(again)["b.xlsx"]["status"] == "accepted"
    missing = runner.invoke(cli, ["--outbox", str(outbox), "mark", "inbox/khong-co.xlsx", "--clear"])
    assert missing.exit_code == 2 and "Không tìm thấy tệp" in missing.output


def test_an_emailed_report_also_saved_by_hand_after_the_deadline_is_on_time(tmp_path, write_submission):
    saved = _stamp(write_submission("CD001.xlsx", "CD001"), DEADLINE + dt.timedelta(days=2))
    _email(tmp_path / "inbox" / "thu.eml", {"CD001.xlsx": saved.read_bytes()}, DEADLINE - dt.timedelta(days=1))
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert document["units"]["accepted"] == ["CD001"] and document["units"]["late"] == []
    assert files["CD001.xlsx"]["received"] == files["thu.eml/CD001.xlsx"]["received"]
    assert dt.datetime.fromisoformat(files["CD001.xlsx"]["received"]) == DEADLINE - dt.timedelta(days=1)


def test_a_later_file_the_office_sets_aside_does_not_displace_the_good_one(tmp_path, write_submission):
    _stamp(write_submission("a.xlsx", "CD001"), DEADLINE - dt.timedelta(days=3))
    draft = _stamp(write_submission("a-nhap.xlsx", "CD001", tuyen_truyen_luot=7), DEADLINE - dt.timedelta(days=1))
    outbox = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--outbox", str(outbox), "mark", str(draft), "--exclude", "Bản nháp gửi nhầm"])
    assert result.exit_code == 0, result.output
    _, document = run_json(tmp_path / "inbox", outbox)
    files = by_file(document)
    assert files["a.xlsx"]["status"] == "accepted" and document["units"]["accepted"] == ["CD001"]
    assert files["a-nhap.xlsx"]["status"] == "rejected" and "excluded" in codes(files["a-nhap.xlsx"])
    book = openpyxl.load_workbook(outbox / "tong-hop-bao-cao-cd-2023.xlsx", read_only=True)
    rows = {r[0]: r for r in book["Sổ tiếp nhận"].iter_rows(values_only=True) if r and str(r[0]).endswith(".xlsx")}
    assert rows["a.xlsx"][7] == "1/2" and rows["a-nhap.xlsx"][7] == "2/2"
    assert rows["a-nhap.xlsx"][12] == "để riêng: Bản nháp gửi nhầm" and not rows["a.xlsx"][12]


def test_a_corrupt_register_is_set_aside_and_rebuilt(tmp_path, write_submission):
    write_submission("a.xlsx", "CD001")
    outbox = tmp_path / "out"
    outbox.mkdir()
    (outbox / "so-tiep-nhan.sqlite").write_bytes(b"not a database at all" * 100)
    result = CliRunner().invoke(cli, ["--inbox", str(tmp_path / "inbox"), "--outbox", str(outbox)])
    assert result.exit_code == 0, result.output
    assert "Sổ tiếp nhận bị hỏng" in result.output
    assert [p.name for p in outbox.glob("so-tiep-nhan.hong-*.sqlite")]
    _, document = run_json(tmp_path / "inbox", outbox)  # and the rebuilt one works from the next run on
    assert document["since_last_run"]["previous_run"] is not None


def test_emails_without_spreadsheets_or_hostile_ones_are_set_aside_with_a_reason(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    when = DEADLINE - dt.timedelta(days=1)
    _email(inbox / "chi-chu.eml", {}, when)
    _email(inbox / "anh.eml", {"anh-bao-cao.jpg": b"\xff\xd8\xff"}, when)
    _email(inbox / "duong-dan.eml", {"../../ngoai/../x.xlsx": b"PK\x03\x04 not really"}, when)
    _email(inbox / "qua-nhieu.eml", {f"t{i}.txt": b"x" for i in range(60)}, when)
    (inbox / "hong.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    saved_earlier(inbox)
    _, document = run_json(inbox, tmp_path / "out")
    files = by_file(document)
    assert "thư không có tệp bảng tính đính kèm" in _reason(tmp_path, "chi-chu.eml")
    assert "anh-bao-cao.jpg" in _reason(tmp_path, "anh.eml")
    assert files["duong-dan.eml/x.xlsx"]["status"] == "rejected"  # read as a file of its own, inside the outbox
    # nothing written outside the outbox's attachment folder, at any depth
    assert not (tmp_path / "ngoai").exists()
    assert [p for p in tmp_path.rglob("x.xlsx") if ".dinh-kem" not in p.parts] == []
    assert files["qua-nhieu.eml"]["status"] == "ignored" and "quá nhiều" in _reason(tmp_path, "qua-nhieu.eml")
    assert files["hong.msg"]["status"] == "ignored"


def test_real_outlook_messages_are_read_or_set_aside(tmp_path):
    from tests.requirements import shared

    folder = shared("realfiles", "email")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for message in sorted(folder.glob("*.msg")):
        os.link(message, inbox / message.name) if message.stat().st_dev == tmp_path.stat().st_dev else shutil.copy(
            message, inbox / message.name)
    _, document = run_json(inbox, tmp_path / "out")
    messages = [f for f in document["files"] if f["file"].endswith(".msg")]
    assert len(messages) == 41 and all(f["status"] == "ignored" for f in messages)
    book = openpyxl.load_workbook(tmp_path / "out" / "tong-hop-bao-cao-cd-2023.xlsx", read_only=True)
    reasons = {r[0]: r[9] for r in book["Sổ tiếp nhận"].iter_rows(values_only=True) if r and str(r[0]).endswith(".msg")}
    # each says why, in words a clerk reads
    assert len(reasons) == 41 and all(str(reason).startswith("Bỏ qua: thư") for reason in reasons.values()), reasons


def _reason(tmp_path: Path, name: str) -> str:
    book = openpyxl.load_workbook(tmp_path / "out" / "tong-hop-bao-cao-cd-2023.xlsx", read_only=True)
    return next(r[9] for r in book["Sổ tiếp nhận"].iter_rows(values_only=True) if r and r[0] == name)


def test_a_register_schema_cut_short_leaves_no_half_made_tables(tmp_path, monkeypatch):
    import sqlite3

    import pytest

    from pipeline import register

    monkeypatch.setattr(register, "_SCHEMA", register._SCHEMA + "CREATE TABLE files (again);")
    path = tmp_path / "so.sqlite"
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.Error):
        register._ensure_schema(db)
    db.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is POSIX only")
def test_the_registers_times_are_vietnams_on_a_machine_set_to_another_zone(tmp_path, write_submission,
                                                                            monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        _stamp(write_submission("a.xlsx", "CD001"), DEADLINE)  # 12:00 in Vietnam, 05:00 UTC
        run_json(tmp_path / "inbox", tmp_path / "out")
    finally:
        monkeypatch.undo()
        time.tzset()
    sheet = openpyxl.load_workbook(tmp_path / "out" / "tong-hop-bao-cao-cd-2023.xlsx")["Sổ tiếp nhận"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "Tệp")
    row = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "a.xlsx")
    assert row[header.index("Thời điểm sửa")] == "12:00 11/12/2023"
    assert row[header.index("Thời điểm nhận")] == "12:00 11/12/2023"
