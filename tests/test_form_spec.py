"""The form spec loads, carries FORM.md's codes, and a broken spec is refused naming file and field."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.form import SpecError, load_spec
from pipeline.form.expressions import ExpressionError, parse_expression
from tests.requirements import shared

SPEC_FILE = Path(__file__).resolve().parents[1] / "schemas" / "bao-cao-cd-2023.toml"
CORE_CODES = [
    "cbccvcld_tong", "cbccvcld_nu", "cbccvcld_hop_dong", "doan_vien_dau_ky", "doan_vien_tang", "doan_vien_giam",
    "doan_vien_tong", "doan_vien_nu", "thu_nhap_binh_quan", "tham_hoi_luot", "tham_hoi_tien", "ho_tro_tet_nguoi",
    "ho_tro_tet_tien", "mai_am_nha", "mai_am_tien", "hoi_nghi_cbccvc", "tuyen_truyen_buoi", "tuyen_truyen_luot",
    "cuoc_thi_so", "sang_kien_so", "khen_thuong_tap_the", "khen_thuong_ca_nhan", "can_bo_tap_huan",
    "gioi_thieu_dang", "ket_nap_dang", "dai_hoi_da_to_chuc", "dai_hoi_ngay", "nu_gioi_viec_nuoc",
    "tai_chinh_ton_dau_ky", "tai_chinh_thu_kpcd", "tai_chinh_thu_doan_phi", "tai_chinh_thu_khac",
    "tai_chinh_tong_thu", "tai_chinh_tong_chi", "tai_chinh_ton_cuoi_ky", "kiem_tra_cuoc", "don_thu_nhan",
    "don_thu_giai_quyet", "tu_xep_loai", "ma_cdcs", "ten_cdcs", "chu_tich", "nguoi_lap", "dien_thoai", "email",
    "ngay_bao_cao", "tm_I", "tm_V",
] + [f"tm_II_{i}" for i in range(1, 10)] + [f"tm_III_{i}" for i in range(1, 4)] + [f"tm_IV_{i}" for i in range(1, 7)]


def test_default_spec_loads_with_identity(spec):
    assert spec.id == "bao-cao-cd-2023"
    assert spec.deadline.isoformat() == "2023-12-11"
    assert "148/HD-CĐVC" in spec.document


def test_spec_holds_every_code_of_form_md(spec):
    assert set(CORE_CODES) <= set(spec.by_code)


def test_every_code_in_form_md_tables_is_in_the_spec(spec):
    form_md = shared("domain", "FORM.md")
    codes = set(re.findall(r"^\| (\w+) \|", form_md.read_text(encoding="utf-8"), re.M)) - {"code", "abbreviation"}
    codes = {c for c in codes if "_" in c}
    assert codes and codes <= set(spec.by_code)


def test_kinds_and_money_average(spec):
    assert spec.by_code["thu_nhap_binh_quan"].aggregate == "weighted_mean"
    assert spec.by_code["thu_nhap_binh_quan"].weight == "cbccvcld_tong"
    assert spec.by_code["tu_xep_loai"].options[0] == "Hoàn thành xuất sắc nhiệm vụ"
    assert spec.by_code["hoi_nghi_cbccvc"].options == ("Có", "Không")


def test_every_rule_of_form_md_is_declared(spec):
    checks = {r.check.text for r in spec.rules}
    assert "doan_vien_dau_ky + doan_vien_tang - doan_vien_giam == doan_vien_tong" in checks
    assert "tai_chinh_ton_dau_ky + tai_chinh_tong_thu - tai_chinh_tong_chi == tai_chinh_ton_cuoi_ky" in checks
    severities = {r.id: r.severity for r in spec.rules}
    assert severities["ket-nap-toi-da-gioi-thieu"] == "warning"
    assert sum(s == "error" for s in severities.values()) == 11


def _broken(tmp_path, old: str, new: str) -> Path:
    text = SPEC_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, named", [
    ('code = "cbccvcld_nu"\nlabel', 'code = "cbccvcld_tong"\nlabel', "cbccvcld_tong"),
    ('section = "II.7"\nkind = "money"', 'section = "II.7"\nkind = "tiền"', "tai_chinh_ton_dau_ky"),
    ('check = "cbccvcld_nu <= cbccvcld_tong"', 'check = "cbccvcld_nu <= so_khong_co"', "nu-toi-da-tong"),
    ('check = "don_thu_giai_quyet <= don_thu_nhan"', 'check = "__import__(\'os\')"', "don-thu-giai-quyet"),
    ('code = "email"', 'code = "AB12"', "AB12"),
    ('section = "II.8"\nkind = "count"', 'section = "II.99"\nkind = "count"', "kiem_tra_cuoc"),
    # roles, report sentences and charts: what the code asks the spec about a form
    ('[roles]\nunit_code = "ma_cdcs"', '[roles_khac]\nunit_code = "ma_cdcs"', "roles"),
    ('unit_name = "ten_cdcs"', 'unit_name = "khong_co"', "khong_co"),
    ('size = "cbccvcld_tong"', 'size = "email"', "size"),
    ('recommendations = "tm_V"', 'recommendations = "cbccvcld_tong"', "recommendations"),
    ('fields = ["doan_vien_tong", "cbccvcld_tong"]', 'fields = ["doan_vien_tong", "ten_cdcs"]', "ten_cdcs"),
    ('text = "Trong năm tăng {doan_vien_tang}', 'text = "Trong năm tăng {khong_co}', "khong_co"),
])
def test_broken_spec_is_refused_naming_file_and_field(tmp_path, old, new, named):
    path = _broken(tmp_path, old, new)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(path) in str(info.value) and named in str(info.value)


@pytest.mark.parametrize("old, new, named", [
    ('period_wording = "tính đến ngày {period}"', 'period_wording = "tính đến {ngay}"', "period_wording"),
    ('kind = "choice"\nrequired = true', 'kind = "choice"', "ky_so_lieu"),
    ('[[periods]]\nlabel = "31/5/2024"', '[[periods]]\nlabel = "30/11/2024"', "periods"),
    ('period = "ky_so_lieu"', 'period = "nguoi_lap"', "period"),
])
def test_broken_periods_are_refused(tmp_path, old, new, named):
    text = (SPEC_FILE.parent / "1-hdcd.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "1-hdcd.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(path) in str(info.value) and named in str(info.value)


def test_spec_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text("[form\nid=", encoding="utf-8")
    with pytest.raises(SpecError, match="x.toml"):
        load_spec(path)


def test_unknown_form_lists_the_known_ones():
    with pytest.raises(SpecError, match="bao-cao-cd-2023"):
        load_spec("khong-co-mau-nay")


def test_expression_evaluates_over_a_table():
    expression = parse_expression("a + b - c == d")
    table = pd.DataFrame({"a": [1, 1], "b": [2, 2], "c": [1, 0], "d": [2, 2]})
    assert expression.evaluate(table).tolist() == [True, False]
    assert expression.to_excel() == "(((a+b)-c)=d)"


def test_present_is_not_a_guard_and_year_reads_dates():
    expression = parse_expression("present(x) and year(y) == 2023")
    assert expression.guarded == ("y",)
    table = pd.DataFrame({"x": ["", "có"], "y": pd.to_datetime(["2023-05-01", "2022-01-01"])})
    assert expression.evaluate(table).tolist() == [False, False]


@pytest.mark.parametrize("text", ["a.b", "a[0]", "f(x)", "lambda: 1", "a if b else c", "1.5 < a"])
def test_expression_refuses_anything_beyond_the_small_language(text):
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_a_form_with_periods_needs_no_deadline_of_its_own(tmp_path):
    text = (SPEC_FILE.parent / "1-hdcd.toml").read_text(encoding="utf-8")
    assert "\ndeadline = 2024-12-10\ndocument" in text
    path = tmp_path / "1-hdcd.toml"
    path.write_text(text.replace("\ndeadline = 2024-12-10\ndocument", "\ndocument", 1), encoding="utf-8")
    spec = load_spec(path)
    assert spec.deadline == dt.date(2024, 12, 10)  # the latest period's
    assert spec.for_period("31/5/2024").deadline == dt.date(2024, 6, 10)
    single = (SPEC_FILE).read_text(encoding="utf-8").replace("\ndeadline = 2023-12-11", "", 1)
    (tmp_path / "bao-cao-cd-2023.toml").write_text(single, encoding="utf-8")
    with pytest.raises(SpecError) as info:  # without periods the form's deadline is still required
        load_spec(tmp_path / "bao-cao-cd-2023.toml")
    assert "deadline" in str(info.value)
