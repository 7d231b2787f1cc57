"""Any form spec drives the whole tool: forms generated here, from random fields, sections and rules, go
through template, intake, validation, merge and every output, and no module names a field of any form."""
from __future__ import annotations

import io
import json
import random
import re
import tokenize
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli
from pipeline.form import load_spec
from pipeline.template.build import build_template
from tests.filling import fill_template

ROOT = Path(__file__).resolve().parents[1]
# Codes that are also ordinary words: the roster has an Email column of its own, and messages say "email".
ORDINARY_WORDS = {"email"}


def _form_toml(seed: int, narratives: bool) -> str:
    """A form unlike the 2023 one: other codes, sections, period, rules; figures only unless `narratives`."""
    rng = random.Random(seed)
    sections = [f"P{i}" for i in range(1, rng.randint(2, 4) + 1)]
    lines = [
        "[form]", f'id = "thu-{seed}"', 'version = "2.1"', f'title = "Biểu thống kê thử số {seed}"',
        f'short_title = "Biểu thử {seed}"', 'period = "6 tháng đầu năm 2025"', "year = 2025",
        "deadline = 2025-06-10", 'document = "Công văn số 12/CV-TEST"', 'issuer = "CÔNG ĐOÀN THỬ"',
        'office = "Công đoàn Thử"', 'parent_org = "LIÊN ĐOÀN THỬ"', 'recipient = "Ban Thường vụ Liên đoàn Thử"',
        'place = "Hà Nội"', 'send_to = "Văn phòng Công đoàn Thử"', "",
        "[roles]", 'unit_code = "don_vi_ma"', 'unit_name = "don_vi_ten"', 'size = "so_nguoi"', "",
        "[[sections]]", 'code = "DV"', 'title = "ĐƠN VỊ BÁO CÁO"', "",
    ]
    for code in sections:
        lines += ["[[sections]]", f'code = "{code}"', f'title = "PHẦN {code}"', ""]
    fields = [("don_vi_ma", "DV", "text", True), ("don_vi_ten", "DV", "text", True), ("so_nguoi", sections[0], "count", True)]
    for index in range(rng.randint(3, 8)):
        fields.append((f"chi_tieu_{index}", rng.choice(sections), rng.choice(["count", "money"]), rng.random() < 0.5))
    if narratives:
        fields.append(("nhan_xet", sections[-1], "narrative", False))
    for code, section, kind, required in fields:
        lines += ["[[fields]]", f'code = "{code}"', f'label = "Chỉ tiêu {code}"', f'section = "{section}"',
                  f'kind = "{kind}"', f"required = {str(required).lower()}"]
        if kind in ("count", "money"):
            lines.append(f'unit = "{"người" if kind == "count" else "đồng"}"')
        lines.append("")
    counts = [code for code, _, kind, _ in fields if kind == "count" and code != "so_nguoi"]
    for index, code in enumerate(counts):
        lines += ["[[rules]]", f'id = "phan-{index}"', f'check = "{code} <= so_nguoi"', 'severity = "error"',
                  f'message = "{{{code}}} lớn hơn số người ({{so_nguoi}})."', 'short = "Vượt số người"', ""]
    return "\n".join(lines)


def _values(spec, code: str, size: int) -> dict:
    values = {"don_vi_ma": code, "don_vi_ten": f"Công đoàn {code}", "so_nguoi": size}
    for field in spec.fields:
        if field.code.startswith("chi_tieu_"):
            values[field.code] = size // 2 if field.kind == "count" else size * 1000
        elif field.kind == "narrative":
            values[field.code] = "Đơn vị đã triển khai đầy đủ các nội dung theo hướng dẫn của cấp trên trong kỳ."
    return values


@pytest.mark.parametrize("seed, narratives", [(1, False), (2, True), (3, False), (7, True)])
def test_a_generated_form_goes_through_every_output(tmp_path, seed, narratives):
    spec_path = tmp_path / f"thu-{seed}.toml"
    spec_path.write_text(_form_toml(seed, narratives), encoding="utf-8")
    spec = load_spec(spec_path)
    template = build_template(spec)
    assert ("Thuyết minh" in openpyxl.load_workbook(io.BytesIO(template)).sheetnames) == narratives
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sizes = {"A1": 40, "A2": 90, "A3": 15}
    for code, size in sizes.items():
        fill_template(template, _values(spec, code, size), inbox / f"{code}.xlsx")
    bad = _values(spec, "A4", 10)
    broken = next((f.code for f in spec.numeric_fields if f.kind == "count" and f.code != "so_nguoi"), None)
    if broken:
        bad[broken] = 11
    fill_template(template, bad, inbox / "A4.xlsx")
    result = CliRunner().invoke(cli, ["--form", str(spec_path), "--inbox", str(inbox), "--outbox",
                                      str(tmp_path / "out"), "--json"])
    document = json.loads(result.stdout)
    states = {f["file"]: f["status"] for f in document["files"]}
    assert document["form"] == f"thu-{seed}" and document["period"] == "6 tháng đầu năm 2025"
    assert [states[f"{code}.xlsx"] for code in sizes] == ["accepted"] * 3
    assert states["A4.xlsx"] == ("rejected" if broken else "accepted")
    accepted = [_values(spec, code, size) for code, size in sizes.items()] + ([] if broken else [bad])
    for field in spec.numeric_fields:
        assert document["totals"][field.code] == sum(v[field.code] for v in accepted)
    workbook = openpyxl.load_workbook(tmp_path / "out" / f"tong-hop-thu-{seed}.xlsx")
    assert ("Thuyết minh" in workbook.sheetnames) == narratives
    assert "Kiến nghị" not in workbook.sheetnames  # the form has no recommendations field
    assert not workbook["Tổng hợp"]._charts  # and asks for no chart
    report = "\n".join(p.text for p in Document(tmp_path / "out" / f"bao-cao-tong-hop-thu-{seed}.docx").paragraphs)
    assert "nhiệm vụ trọng tâm" not in report and "148" not in report
    assert f"Trên cơ sở báo cáo của {len(accepted)} Công đoàn cơ sở" in report


def test_a_spec_without_the_unit_name_field_is_a_spec_error_not_a_crash(tmp_path):
    text = (ROOT / "schemas" / "bao-cao-cd-2023.toml").read_text(encoding="utf-8")
    block = re.search(r'\[\[fields\]\]\ncode = "ten_cdcs"\n(?:[^\[].*\n)*', text).group(0)
    path = tmp_path / "no-name.toml"
    path.write_text(text.replace(block, ""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["template", "--form", str(path), "--out", str(tmp_path / "t")])
    assert result.exit_code == 2 and "ten_cdcs" in result.output


def _string_literals(path: Path) -> list[str]:
    with path.open("rb") as handle:
        return [token.string for token in tokenize.tokenize(handle.readline)
                if token.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1))]


def test_no_module_of_the_package_names_a_field_code_of_any_form():
    codes = {field.code for spec_file in (ROOT / "schemas").glob("*.toml")
             for field in load_spec(spec_file).fields} - ORDINARY_WORDS
    found = {}
    for module in sorted((ROOT / "pipeline").rglob("*.py")):
        relative = module.relative_to(ROOT).as_posix()
        text = " ".join(_string_literals(module))
        named = sorted(code for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w])", text))
        if named:
            found[relative] = named
    assert not found
