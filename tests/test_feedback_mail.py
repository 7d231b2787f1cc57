"""Feedback mail ready to send: outbox/thu-phan-hoi/<unit code>.eml, one draft per unit with problems and an email."""
from __future__ import annotations

import email
from email.policy import default
from pathlib import Path

import openpyxl
import pytest

from pipeline.outputs import Outputs, Written
from pipeline.outputs.feedback import ACCEPTED_NOTE, LIST_SHEET
from pipeline.outputs.mail import XLSX_TYPE, addresses, mail_folder
from tests.helpers import by_file, codes, run_json

LEGACY_FIELDS = 22  # text cells typed in TCVN3: every narrative, the chair and the preparer
ROSTER = ("Mã CĐCS,Tên CĐCS,Khối,Email,Điện thoại\n"
          "CD001,Trường A,Giáo dục,a@x.vn,01\n"
          "CD002,Bệnh viện B,Y tế,b@x.vn; b2@x.vn,02\n"
          "CD003,Trường C,Giáo dục,,03\n"
          "CD004,Sở D,Hành chính,d@x.vn,04\n"
          "CD005,Trường E,Giáo dục,e@x.vn,05\n")


def _legacy(spec) -> dict:
    from pipeline.intake.legacy_encoding import encode_legacy
    from tests.filling import good_values

    values = good_values(spec, "CD002")
    codes_ = [f.code for f in spec.narrative_fields] + ["chu_tich", "nguoi_lap"]
    texts = {code: values[code] for code in codes_}
    texts["chu_tich"], texts["nguoi_lap"] = "Nguyễn Văn Đức, Chủ tịch Công đoàn", "Lê Thị Hường, Văn phòng"
    return {code: encode_legacy(text, "tcvn3") for code, text in texts.items()}


@pytest.fixture()
def mailed(tmp_path, spec, write_submission):
    """CD001 with an error, CD002 with TCVN3 text only (warnings), CD003 with an error but no email, CD004
    clean, CD005 a home-made table; the roster gives every unit but CD003 an email."""
    write_submission("CD001.xlsx", "CD001", cbccvcld_nu=500)
    write_submission("CD002.xlsx", "CD002", **_legacy(spec))
    write_submission("CD003.xlsx", "CD003", cbccvcld_nu=500)
    write_submission("CD004.xlsx", "CD004")
    other = openpyxl.Workbook()
    other.active.append(["Tổng số CBCCVCLĐ", 120])
    other.save(tmp_path / "inbox" / "Bao cao CD005.xlsx")
    roster = tmp_path / "ds.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "out"
    _, document = run_json(tmp_path / "inbox", out, "--roster", str(roster))
    return {"out": out, "document": document, "roster": roster, "inbox": tmp_path / "inbox",
            "write": write_submission}


def _mail(out: Path, code: str) -> email.message.EmailMessage:
    raw = (out / "thu-phan-hoi" / f"{code}.eml").read_bytes()
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and max(map(len, lines)) <= 998  # CRLF, RFC 5322's line limit
    return email.message_from_bytes(raw, policy=default)


def _attachments(message) -> list:
    return list(message.iter_attachments())


def test_a_unit_with_errors_gets_a_draft_with_its_feedback_attached(mailed):
    out = mailed["out"]
    assert by_file(mailed["document"])["CD001.xlsx"]["status"] == "rejected"
    message = _mail(out, "CD001")
    assert [a.addr_spec for a in message["To"].addresses] == ["a@x.vn"]
    assert message["To"].addresses[0].display_name == "Trường A"
    assert message["Subject"] == "Phản hồi về Báo cáo hoạt động Công đoàn năm 2023: cần sửa và gửi lại"
    assert message["X-Unsent"] == "1" and message["Date"] is None
    assert message["From"].addresses[0].addr_spec == "vanphong@cdvcthanhhoa.vn"  # the spec's send_to
    [attached] = _attachments(message)
    copy = out / "phan-hoi" / "CD001-CD001.xlsx"
    assert attached.get_content_type() == "/".join(XLSX_TYPE)
    assert attached.get_filename() == copy.name and attached.get_content() == copy.read_bytes()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Kính gửi: Trường A,")
    assert "Đề nghị đơn vị sửa các điểm dưới đây trong tệp gốc của đơn vị rồi gửi lại." in text
    assert "Lỗi cần sửa:" in text and "Trang \"Số liệu\", ô D" in text  # the cell at fault is named
    assert "không cần gửi lại" not in text and "Mẫu gốc" not in text


def test_a_warnings_only_unit_is_told_its_file_was_accepted(mailed):
    out = mailed["out"]
    entry = by_file(mailed["document"])["CD002.xlsx"]
    assert entry["status"] == "accepted" and codes(entry) == {"legacy-encoding"}
    message = _mail(out, "CD002")
    assert [a.addr_spec for a in message["To"].addresses] == ["b@x.vn", "b2@x.vn"]
    assert message["Subject"] == "Phản hồi về Báo cáo hoạt động Công đoàn năm 2023: đã nhận, có điểm cần xem lại"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "đã đưa vào tổng hợp" in text and "đơn vị không cần gửi lại" in text
    assert "rồi gửi lại" not in text and "Lỗi cần sửa" not in text and "Cần xem lại (không bắt buộc sửa):" in text
    assert len(_attachments(message)) == 1

    sheet = openpyxl.load_workbook(out / "phan-hoi" / "CD002-CD002.xlsx")[LIST_SHEET]
    assert sheet["A2"].value.startswith(ACCEPTED_NOTE) and "gửi lại" not in sheet["A2"].value.replace(
        "không cần gửi lại", "")


def test_repeated_warnings_of_one_kind_are_one_line_naming_the_cells(mailed):
    out = mailed["out"]
    entry = by_file(mailed["document"])["CD002.xlsx"]
    assert sum(p["code"] == "legacy-encoding" for p in entry["problems"]) == LEGACY_FIELDS
    text = _mail(out, "CD002").get_body(preferencelist=("plain",)).get_content()
    listed = [line for line in text.splitlines() if line.startswith("- ")]
    per_sheet = {p["sheet"] for p in entry["problems"]}
    assert len(listed) == len(per_sheet)  # one line per sheet holding them, not one per cell
    cells = [p["cell"] for p in entry["problems"]]
    assert all(cell in text for cell in cells)
    assert any(f"{sum(p['sheet'] == 'Thuyết minh' for p in entry['problems'])} ô" in line for line in listed)
    assert all("bảng mã cũ TCVN3" in line for line in listed)

    workbook = openpyxl.load_workbook(out / "phan-hoi" / "CD002-CD002.xlsx")
    rows = [r for r in workbook[LIST_SHEET].iter_rows(min_row=5, values_only=True) if any(r)]
    assert len(rows) == len(per_sheet) and {r[1] for r in rows} == {"Gõ bằng bảng mã cũ"}
    assert sorted(c for r in rows for c in r[3].split(", ")) == sorted(cells)
    marked = [c for ws in workbook.worksheets if ws.title != LIST_SHEET for row in ws.iter_rows() for c in row
              if c.comment is not None]
    assert len(marked) == LEGACY_FIELDS  # every cell still marked on its own


def test_units_without_email_or_problems_get_no_draft(mailed):
    folder = mailed["out"] / "thu-phan-hoi"
    assert by_file(mailed["document"])["CD003.xlsx"]["status"] == "rejected"
    assert (mailed["out"] / "phan-hoi" / "CD003-CD003.xlsx").is_file()  # feedback, but no address to mail it to
    assert sorted(p.name for p in folder.iterdir()) == ["CD001.eml", "CD002.eml", "CD005.eml"]


def test_a_home_made_table_is_told_where_the_template_is(mailed):
    message = _mail(mailed["out"], "CD005")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Mẫu gốc: xin liên hệ Văn phòng Công đoàn Viên chức tỉnh Thanh Hóa" in text
    assert "Hướng dẫn số 148/HD-CĐVC" in text and "tô màu" not in text  # the list alone is attached
    assert message["Subject"].endswith("cần sửa và gửi lại") and len(_attachments(message)) == 1


def test_a_fixed_unit_no_longer_has_a_draft(mailed):
    import os
    import time

    folder = mailed["out"] / "thu-phan-hoi"
    path = mailed["write"]("CD001.xlsx", "CD001")
    later = time.time() + 5
    os.utime(path, (later, later))
    _, document = run_json(mailed["inbox"], mailed["out"], "--roster", str(mailed["roster"]))
    assert by_file(document)["CD001.xlsx"]["status"] == "accepted"
    assert sorted(p.name for p in folder.iterdir()) == ["CD002.eml", "CD005.eml"]
    assert not (mailed["out"] / "phan-hoi" / "CD001-CD001.xlsx").exists()


def test_no_roster_no_draft(tmp_path, write_submission):
    write_submission("CD001.xlsx", "CD001", cbccvcld_nu=500)
    run_json(tmp_path / "inbox", tmp_path / "out")
    assert not (tmp_path / "out" / "thu-phan-hoi").exists()


def test_each_form_has_its_own_folder_and_outputs_list_the_drafts():
    assert mail_folder("bao-cao-cd-2023") == "thu-phan-hoi" and mail_folder("1-hdcd") == "thu-phan-hoi-1-hdcd"
    outputs = Outputs(Written(Path("w")), Written(Path("r")), (), Written(Path("c")),
                      mails=(Written(Path("thu-phan-hoi/CD001.eml"), ("ghi chú",)),))
    assert Path("thu-phan-hoi/CD001.eml") in outputs.paths and "ghi chú" in outputs.notes


def test_roster_email_cells_give_their_addresses():
    assert addresses("a@x.vn; b@x.vn, a@x.vn") == ["a@x.vn", "b@x.vn"]
    assert addresses("không có") == [] and addresses("") == []
