"""Nothing lost, whatever the clerk, the mail or the disk does: an empty or mistyped inbox, an outbox inside the
inbox, two forms in one folder, a typed table, odd entries in the inbox, a copy still under way, a damaged
register, and the command line's contracts (one JSON document for every exit, Ctrl-C, Vietnamese usage errors)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_BUSY, EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_WRITE, cli, run_command
from tests.helpers import by_file, codes, run_json
from tests.test_register import _email

WORKBOOK = "tong-hop-bao-cao-cd-2023.xlsx"
REPORT = "bao-cao-tong-hop-bao-cao-cd-2023.docx"
AN_HOUR_AGO = time.time() - 3600


def _settled(path: Path) -> Path:
    """A file that was saved a while ago (not one still being copied)."""
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    return path


def _snapshot(outbox: Path) -> dict[str, bytes]:
    return {p.relative_to(outbox).as_posix(): p.read_bytes() for p in outbox.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture()
def good_run(tmp_path, write_submission):
    """An outbox whose last run accepted two units and wrote a feedback copy for a third."""
    write_submission("CD001.xlsx", "CD001")
    write_submission("CD002.xlsx", "CD002")
    write_submission("CD003.xlsx", "CD003", cbccvcld_nu=99999)
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert code == EXIT_PROBLEMS and len(document["units"]["accepted"] + document["units"]["late"]) == 2
    assert list((tmp_path / "out" / "phan-hoi").glob("*.xlsx"))
    return tmp_path


# ------------------------------------------------------------------ 1. an empty or mistyped inbox
def test_an_empty_inbox_after_a_good_run_replaces_nothing_and_exits_2(good_run):
    before = _snapshot(good_run / "out")
    (good_run / "empty").mkdir()
    result = _invoke("--inbox", str(good_run / "empty"), "--outbox", str(good_run / "out"))
    assert result.exit_code == EXIT_USAGE
    assert "empty" in result.stderr and "không có tệp nào" in result.stderr and "đã nhận 2" in result.stderr
    assert "--allow-empty" in result.stderr
    assert _snapshot(good_run / "out") == before


def test_an_inbox_with_none_of_the_last_runs_files_is_refused_unless_allowed(good_run, spec, template_bytes):
    from tests.filling import fill_template, good_values

    other = good_run / "other"
    other.mkdir()
    fill_template(template_bytes, good_values(spec, "CD009"), other / "CD009.xlsx")
    before = _snapshot(good_run / "out")
    result = _invoke("--inbox", str(other), "--outbox", str(good_run / "out"), "--json")
    assert result.exit_code == EXIT_USAGE
    error = json.loads(result.stdout)["error"]
    assert error["exit"] == EXIT_USAGE and "không còn tệp nào của lần tổng hợp trước" in error["message"]
    assert _snapshot(good_run / "out") == before
    code, document = run_json(other, good_run / "out", "--allow-empty")
    assert code == EXIT_OK and document["units"]["accepted"] + document["units"]["late"] == ["CD009"]


def test_an_empty_inbox_of_a_new_outbox_still_runs(tmp_path):
    (tmp_path / "inbox").mkdir()
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert code == EXIT_OK and document["files"] == []


# ------------------------------------------------------------------ 2. the outbox inside the inbox
@pytest.mark.parametrize("outbox", ["inbox", "inbox/out", "."])
def test_an_outbox_inside_the_inbox_or_around_it_is_refused(tmp_path, write_submission, outbox):
    write_submission("CD001.xlsx")
    result = _invoke("--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / outbox))
    assert result.exit_code == EXIT_USAGE and "Chọn hai thư mục riêng" in result.stderr
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == ["CD001.xlsx"]


# ------------------------------------------------------------------ 3. two forms in one folder
def test_two_forms_in_one_folder_never_touch_each_others_outputs(good_run):
    inbox, out = good_run / "inbox", good_run / "out"
    before = _snapshot(out)
    code, document = run_json(inbox, out, "--form", "1-hdcd")
    assert document["since_last_run"]["previous_run"] is None  # no earlier run of this form
    after = _snapshot(out)
    for name, data in before.items():
        if name != "so-tiep-nhan.sqlite":
            assert after[name] == data, name  # the 2023 report's outputs and feedback are as they were
    assert any(name.startswith("phan-hoi-1-hdcd/") for name in after)
    code, document = run_json(inbox, out)
    since = document["since_last_run"]
    assert since["new_files"] == [] and since["units_changed"] == []  # compared with the last 2023 run


# ------------------------------------------------------------------ 4. a table the office typed
def test_the_previous_period_table_is_never_written_over(tmp_path):
    table = tmp_path / "so-lieu-2022.csv"
    table.write_text("Mã trường,Giá trị\ncbccvcld_tong,8155\n", encoding="utf-8")
    result = _invoke("fields", "--previous-table", str(table))
    assert result.exit_code == EXIT_USAGE and "so-lieu-2022.csv" in result.stderr
    assert table.read_text(encoding="utf-8") == "Mã trường,Giá trị\ncbccvcld_tong,8155\n"


# ------------------------------------------------------------------ 6. an implausible email date
@pytest.mark.parametrize("date", ["Fri, 31 Dec 9999 23:00:00 -1200", "Mon, 01 Jan 1900 08:00:00 +0700",
                                  "Wed, 01 Dec 2100 08:00:00 +0700"])
def test_an_implausible_email_date_is_not_trusted_and_is_named(tmp_path, write_submission, date):
    report = write_submission("CD001.xlsx")
    inbox = tmp_path / "mail"
    inbox.mkdir()
    mail = _email(inbox / "thu.eml", {"CD001.xlsx": report.read_bytes()}, dt.datetime(2023, 12, 1, tzinfo=dt.UTC))
    mail.write_bytes(re.sub(rb"(?m)^Date: .*$", f"Date: {date}".encode(), mail.read_bytes(), count=1))
    assert f"Date: {date}".encode() in mail.read_bytes()
    _settled(mail)
    code, document = run_json(inbox, tmp_path / "out")
    entry = by_file(document)["thu.eml/CD001.xlsx"]
    assert code == EXIT_OK and entry["status"] == "accepted"
    assert "email-date-implausible" in codes(entry)
    assert dt.datetime.fromisoformat(entry["received"]).year == dt.datetime.fromtimestamp(AN_HOUR_AGO).year


# ------------------------------------------------------------------ 8, 9. odd entries in the inbox
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_in_the_inbox_is_ignored_not_opened(tmp_path, write_submission):
    write_submission("CD001.xlsx")
    os.mkfifo(tmp_path / "inbox" / "x.xlsx")
    os.mkfifo(tmp_path / "inbox" / "y.eml")
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")  # would hang forever if it were opened
    files = by_file(document)
    for name in ("x.xlsx", "y.eml"):
        assert files[name]["status"] == "ignored" and "không phải tệp thường" in files[name]["reason"]
    assert files["CD001.xlsx"]["status"] == "accepted" and code == EXIT_OK


def test_an_inbox_a_thousand_folders_deep_is_reported_not_fatal(tmp_path, write_submission):
    write_submission("CD001.xlsx")
    levels = [tmp_path / "inbox" / "d"]
    for _ in range(989):  # one by one: pathlib's own mkdir(parents=True) would recurse
        levels.append(levels[-1] / "d")
    for level in levels:
        level.mkdir()
    (levels[-1] / "sau.xlsx").write_bytes(b"x")
    try:
        code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    finally:
        (levels[-1] / "sau.xlsx").unlink()
        for level in reversed(levels):  # likewise shutil.rmtree, which pytest's clean-up uses
            level.rmdir()
    [folder] = [f for f in document["files"] if f["status"] == "ignored"]
    assert "quá sâu" in folder["reason"] and folder["file"].count("/") == 40
    assert document["units"]["accepted"] + document["units"]["late"] == ["CD001"]


# ------------------------------------------------------------------ 10. a file still being copied
def test_a_file_cut_short_and_just_modified_is_pending_and_gets_no_feedback(tmp_path, write_submission):
    whole = write_submission("CD001.xlsx").read_bytes()
    (tmp_path / "inbox" / "CD001.xlsx").write_bytes(whole[: len(whole) // 2])  # a copy half done
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    entry = by_file(document)["CD001.xlsx"]
    assert entry["status"] == "pending" and codes(entry) == {"file-changing"} and entry["reason"]
    assert code == EXIT_PROBLEMS and not list((tmp_path / "out" / "phan-hoi").glob("*.xlsx"))
    _settled(tmp_path / "inbox" / "CD001.xlsx")  # an hour later it is still cut short: it is damaged
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert by_file(document)["CD001.xlsx"]["status"] == "rejected"


def test_a_file_that_grows_during_the_run_is_pending(tmp_path, write_submission, monkeypatch):
    from pipeline import run

    path = _settled(write_submission("CD001.xlsx"))
    reading = run.read_files

    def then_appended(*args, **kwargs):
        records = reading(*args, **kwargs)
        with open(path, "ab") as handle:
            handle.write(b"\0" * 100)
        return records

    monkeypatch.setattr(run, "read_files", then_appended)
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert by_file(document)["CD001.xlsx"]["status"] == "pending" and code == EXIT_PROBLEMS


# ------------------------------------------------------------------ 11. the office's marks
def _mark(outbox: Path, *args: str):
    return _invoke("--outbox", str(outbox), "mark", *args)


def test_marks_survive_a_damaged_register_through_the_journal(good_run):
    out = good_run / "out"
    marked = _mark(out, str(good_run / "inbox" / "CD002.xlsx"), "--exclude", "Gửi nhầm bản nháp")
    assert marked.exit_code == EXIT_OK, marked.output
    journal = (out / "danh-dau.csv").read_text(encoding="utf-8-sig")
    assert "Gửi nhầm bản nháp" in journal and "CD002.xlsx" in journal
    (out / "so-tiep-nhan.sqlite").write_bytes(b"this is not a database" * 100)
    code, document = run_json(good_run / "inbox", out)
    assert "excluded" in codes(by_file(document)["CD002.xlsx"])
    assert any("Đã lấy lại 1 đánh dấu" in note for note in document["notes"])
    assert any("hong" in note for note in document["notes"])


def test_a_mark_given_while_the_register_is_damaged_is_kept_and_said(good_run):
    out = good_run / "out"
    (out / "so-tiep-nhan.sqlite").write_bytes(b"not a database" * 100)
    marked = _mark(out, str(good_run / "inbox" / "CD002.xlsx"), "--exclude", "Bản nháp")
    assert marked.exit_code == EXIT_USAGE and "so-tiep-nhan.sqlite" in marked.stderr
    assert "danh-dau.csv" in marked.stderr
    assert (out / "so-tiep-nhan.sqlite").read_bytes().startswith(b"not a database")  # not set aside silently
    code, document = run_json(good_run / "inbox", out)
    assert "excluded" in codes(by_file(document)["CD002.xlsx"])


def test_a_register_with_a_date_typed_by_hand_is_read(good_run):
    out = good_run / "out"
    assert _mark(out, str(good_run / "inbox" / "CD001.xlsx"), "--received", "05/12/2023").exit_code == EXIT_OK
    (out / "danh-dau.csv").unlink()  # the register's own copy is what is read now
    with sqlite3.connect(out / "so-tiep-nhan.sqlite") as db:
        db.execute("UPDATE marks SET received = '08/12/2023'")
    db.close()
    code, document = run_json(good_run / "inbox", out)
    assert document["files"][0]["received"].startswith("2023-12-08")
    assert _mark(out, str(good_run / "inbox" / "CD001.xlsx"), "--clear").exit_code == EXIT_OK


def test_a_register_locked_by_another_program_is_exit_3_for_a_mark_and_exit_4_for_a_run(good_run, monkeypatch):
    from pipeline import register

    out = good_run / "out"
    monkeypatch.setattr(register, "BUSY_TIMEOUT", 0.1)
    holder = sqlite3.connect(out / "so-tiep-nhan.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        marked = _mark(out, str(good_run / "inbox" / "CD002.xlsx"), "--exclude", "Bản nháp")
        assert marked.exit_code == EXIT_BUSY and "so-tiep-nhan.sqlite" in marked.stderr
        result = _invoke("--inbox", str(good_run / "inbox"), "--outbox", str(out), "--json")
        document = json.loads(result.stdout)
        assert result.exit_code == EXIT_WRITE and any("đang bị một chương trình khác mở" in n for n in document["notes"])
        assert "excluded" in codes(by_file(document)["CD002.xlsx"])  # the mark, from the journal
    finally:
        holder.rollback()
        holder.close()


# ------------------------------------------------------------------ 12, 13. the command line's contracts
def test_every_exit_code_prints_exactly_one_json_document(tmp_path, capsys):
    code = run_command(["--json", "--inbox", str(tmp_path / "khong-co"), "--outbox", str(tmp_path / "o")])
    document = json.loads(capsys.readouterr().out)
    assert code == EXIT_USAGE and document == {"error": {"exit": EXIT_USAGE, "message": document["error"]["message"]}}
    code = run_command(["--json", "--inbx", "x"])
    captured = capsys.readouterr()
    assert code == EXIT_USAGE and json.loads(captured.out)["error"]["exit"] == EXIT_USAGE
    assert "Không có tùy chọn '--inbx'. Có phải ý bạn là '--inbox'?" in captured.err


def test_ignored_and_pending_files_carry_their_reason_in_json(tmp_path, write_submission):
    write_submission("CD001.xlsx")
    (tmp_path / "inbox" / "ghi-chu.pdf").write_bytes(b"%PDF-1.4\n")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert files["ghi-chu.pdf"]["reason"] and "reason" not in files["CD001.xlsx"]
    assert document["notes"] == []


def test_ctrl_c_exits_130_saying_the_last_outputs_are_intact(tmp_path, write_submission, monkeypatch, capsys):
    from pipeline import run

    write_submission("CD001.xlsx")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "consolidate_inbox", interrupted)
    code = run_command(["--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert code == EXIT_INTERRUPTED and "Ctrl-C" in captured.err and "Aborted" not in captured.err


def test_usage_errors_speak_vietnamese():
    result = _invoke("--inbx", "x")
    assert result.exit_code == EXIT_USAGE
    assert "Không có tùy chọn '--inbx'. Có phải ý bạn là '--inbox'?" in result.output
    assert "Cách dùng:" in result.output and "Error" not in result.output


@pytest.mark.parametrize("typed", ["11/12/2023", "11-12-2023", "11.12.2023", "2023-12-11", "11/12/23"])
def test_the_deadline_is_read_as_staff_type_it(typed):
    from pipeline.vietnamese import parse_vn_date

    assert parse_vn_date(typed) == dt.date(2023, 12, 11)


def test_help_and_version_go_to_stdout(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for argument, expected in (("--help", "Cách dùng:"), ("--version", "consolidate ")):
        done = subprocess.run([sys.executable, "-m", "pipeline", argument], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=120)
        assert done.returncode == 0 and expected in done.stdout and done.stderr == "", argument


# ------------------------------------------------------------------ 14. outputs others can open
def test_outputs_have_the_usual_permissions(tmp_path, write_submission):
    write_submission("CD001.xlsx")
    write_submission("CD003.xlsx", "CD003", cbccvcld_nu=99999)
    mask = os.umask(0o022)
    try:
        run_json(tmp_path / "inbox", tmp_path / "out")
    finally:
        os.umask(mask)
    written = [tmp_path / "out" / WORKBOOK, tmp_path / "out" / REPORT,
               *(tmp_path / "out" / "phan-hoi").glob("*.xlsx")]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name


def test_an_output_that_cannot_be_written_is_named_not_its_temporary_file(tmp_path, write_submission, monkeypatch):
    import errno

    from pipeline import files

    write_submission("CD001.xlsx")
    real_replace = os.replace

    def disk_full(source, target):
        if str(target).endswith(REPORT):
            raise OSError(errno.ENOSPC, "No space left on device", str(source))
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", disk_full)
    result = _invoke("--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out"), "--json")
    message = json.loads(result.stdout)["error"]["message"]
    assert result.exit_code == EXIT_WRITE and REPORT in message and f".{Path(REPORT).stem}-" not in message
