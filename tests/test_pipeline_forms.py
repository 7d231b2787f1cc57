"""The pipeline on every bundled form and on one generated here: figures in, the right totals, sheets and
wording out; and a form taken at two dates (1-HĐCĐ) consolidates one period at a time."""
from __future__ import annotations

import io
import json
import random
from collections import Counter

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli
from pipeline.demo import build_demo, demo_roster, demo_values
from pipeline.demo.units import write_roster
from pipeline.form import available_forms, load_spec
from pipeline.template.build import build_template
from tests.filling import fill_template
from tests.test_forms import _form_toml

BUNDLED = [path.stem for path in available_forms()]


@pytest.fixture(params=BUNDLED + ["generated"])
def form(request, tmp_path) -> str:
    """A form id or a spec path: each bundled form, and a form unlike both made from random fields and rules."""
    if request.param != "generated":
        return request.param
    path = tmp_path / "thu-5.toml"
    path.write_text(_form_toml(5, narratives=True), encoding="utf-8")
    return str(path)


def _run(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def _part_over_total(spec):
    """A rule `part <= total` to break, if the form has one."""
    return next((r for r in spec.rules if r.severity == "error" and r.when is None and r.check.text.count("<=") == 1
                 and r.check.tree.left.__class__.__name__ == "Name"), None)


def test_a_form_goes_through_the_pipeline(form, tmp_path):
    spec = load_spec(form)
    rng = random.Random(5)
    units = demo_roster(rng)[:7]
    values = {u.code: demo_values(spec, u, rng) for u in units}
    template = build_template(spec)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for code, answers in values.items():
        fill_template(template, answers, inbox / f"{code}.xlsx")
    rule = _part_over_total(spec)
    other = demo_roster(rng)[7]
    if rule and rule.check.tree.comparators[0].__class__.__name__ == "Name":  # one more unit, a part over its total
        broken = demo_values(spec, other, rng)
        broken[rule.check.tree.left.id] = broken[rule.check.tree.comparators[0].id] + 5
        fill_template(template, broken, inbox / "sai-so.xlsx")
    roster = write_roster(units + [other], tmp_path / "ds.xlsx")
    code, document = _run("--form", form, "--inbox", str(inbox), "--outbox", str(tmp_path / "out"), "--roster", str(roster))

    states = {f["file"]: f["status"] for f in document["files"]}
    assert [states[f"{u.code}.xlsx"] for u in units] == ["accepted"] * len(units), document["files"]
    if "sai-so.xlsx" in states:
        assert states["sai-so.xlsx"] == "rejected" and code == 1
        entry = next(f for f in document["files"] if f["file"] == "sai-so.xlsx")
        assert any(p["code"] == "rule" and p["field"] == rule.check.tree.left.id for p in entry["problems"])
    assert document["form"] == spec.id
    chosen = spec.for_period(spec.periods[-1].label) if spec.periods else spec
    assert document["period"] == chosen.period
    for field in spec.numeric_fields:  # the JSON contract: sums of every count and money field
        assert document["totals"][field.code] == sum(v[field.code] for v in values.values()), field.code

    workbook = openpyxl.load_workbook(tmp_path / "out" / f"tong-hop-{spec.id}.xlsx")
    assert ("Thuyết minh" in workbook.sheetnames) == bool(spec.narrative_fields)
    assert ("Kiến nghị" in workbook.sheetnames) == bool(spec.roles.recommendations)
    sheet = workbook["Tổng hợp"]
    texts = [str(c.value) for row in sheet.iter_rows(max_row=6) for c in row if c.value]
    assert f"BẢNG TỔNG HỢP SỐ LIỆU TOÀN TỈNH {chosen.period_phrase.upper()}" in texts
    for field in (f for f in spec.numeric_fields if f.aggregate == "weighted_mean"):
        weights = {c: v[field.weight] for c, v in values.items()}
        expected = sum(v[field.code] * weights[c] for c, v in values.items()) / sum(weights.values())
        row = next(r for r in sheet.iter_rows(values_only=True) if r[1] and str(r[1]).startswith(field.label))
        assert row[3] == pytest.approx(expected, rel=1e-6)  # the province average is weighted, not summed

    report = "\n".join(p.text for p in Document(tmp_path / "out" / f"bao-cao-tong-hop-{spec.id}.docx").paragraphs)
    assert "nhiệm vụ trọng tâm" not in report or spec.id == "bao-cao-cd-2023"
    assert f"{len(units)} Công đoàn cơ sở" in report


def test_the_demo_works_for_every_form(form, tmp_path):
    spec = load_spec(form)
    workspace = build_demo(spec, tmp_path / "demo")
    code, document = _run("--form", form, "--inbox", str(workspace.inbox), "--outbox", str(workspace.outbox),
                          "--roster", str(workspace.roster_path))
    states = Counter(f["status"] for f in document["files"])
    other_period = len(spec.periods) > 1  # one unit sends the other period's report: set aside
    assert sum(states.values()) == workspace.file_count
    # the scanned PDF and the lock file (and the other period's report); the resend
    assert states["ignored"] == 2 + other_period and states["superseded"] == 1
    assert states["rejected"] <= 4 and states["accepted"] == workspace.file_count - sum(
        states[s] for s in ("ignored", "superseded", "rejected"))
    rejected = {p["code"] for f in document["files"] if f["status"] == "rejected" for p in f["problems"]}
    assert "not-template" in rejected and ("rule" in rejected) == bool(spec.rules)
    aside = {p["code"] for f in document["files"] if f["status"] == "ignored" for p in f["problems"]}
    assert ("other-period" in aside) == other_period
    assert code == 1


def test_demo_answers_pass_every_rule_of_every_form(form):
    from pipeline.demo.figures import applies

    spec = load_spec(form)
    rng = random.Random(3)
    for unit in demo_roster(rng):
        values = demo_values(spec, unit, rng)
        assert [r.id for r in spec.rules if applies(r, values) and not r.check.value(values)] == [], unit.code


def test_a_form_taken_at_two_dates_consolidates_one_period_at_a_time(tmp_path):
    spec = load_spec("1-hdcd")
    role = spec.roles.period
    rng = random.Random(9)
    units = demo_roster(rng)[:6]
    template = build_template(spec)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for index, unit in enumerate(units):
        answers = demo_values(spec, unit, rng)
        answers[role] = "31/5/2024" if index < 2 else "30/11/2024"
        fill_template(template, answers, inbox / f"{unit.code}.xlsx")

    _, november = _run("--form", "1-hdcd", "--inbox", str(inbox), "--outbox", str(tmp_path / "a"))
    assert november["period"] == "30/11/2024"  # the period most files chose
    states = {f["file"]: f for f in november["files"]}
    for unit in units[:2]:  # set aside, not refused: they belong to the other period's run
        entry = states[f"{unit.code}.xlsx"]
        assert entry["status"] == "ignored" and [p["code"] for p in entry["problems"]] == ["other-period"]
        assert "31/5/2024" in entry["problems"][0]["message"] and entry["problems"][0]["cell"]
    assert all(states[f"{u.code}.xlsx"]["status"] == "accepted" for u in units[2:])

    _, may = _run("--form", "1-hdcd", "--period", "31/5", "--inbox", str(inbox), "--outbox", str(tmp_path / "b"))
    assert may["period"] == "31/5/2024"
    assert sorted(f["file"] for f in may["files"] if f["status"] == "accepted") == [f"{u.code}.xlsx" for u in units[:2]]
    report = "\n".join(p.text for p in Document(tmp_path / "b" / "bao-cao-tong-hop-1-hdcd.docx").paragraphs)
    assert "tính đến ngày 31/5/2024" in report
    status = openpyxl.load_workbook(tmp_path / "b" / "tong-hop-1-hdcd.xlsx", read_only=True)["Tình hình nộp"]
    assert any("10/06/2024" in str(v) for row in status.iter_rows(values_only=True) for v in row if v)  # its deadline

    result = CliRunner().invoke(cli, ["--form", "1-hdcd", "--period", "15/3", "--inbox", str(inbox)])
    assert result.exit_code == 2 and "31/5/2024, 30/11/2024" in result.output


def test_a_units_report_of_the_other_period_never_stands_for_it(tmp_path):
    """May's report, then November's of the same unit: consolidating May takes the May one."""
    import os

    spec = load_spec("1-hdcd")
    rng = random.Random(4)
    unit = demo_roster(rng)[0]
    template = build_template(spec)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, period, age in (("thang-5.xlsx", "31/5/2024", 2000), ("thang-11.xlsx", "30/11/2024", 100)):
        answers = demo_values(spec, unit, rng)
        answers[spec.roles.period] = period
        fill_template(template, answers, inbox / name)
        moment = os.path.getmtime(inbox / name) - age
        os.utime(inbox / name, (moment, moment))
    _, may = _run("--form", "1-hdcd", "--period", "31/5", "--inbox", str(inbox), "--outbox", str(tmp_path / "o"))
    states = {f["file"]: f["status"] for f in may["files"]}
    assert states == {"thang-5.xlsx": "accepted", "thang-11.xlsx": "ignored"}
    assert may["units"]["accepted"] == [unit.code] or may["units"]["late"] == [unit.code]


def test_a_period_picked_as_a_date_still_reads_as_its_period(tmp_path):
    """Excel may store a picked "31/5/2024" as a date: it is still that period, not an unknown answer."""
    import datetime as dt

    from pipeline.intake.coerce import coerce

    field = load_spec("1-hdcd").by_code[load_spec("1-hdcd").roles.period]
    assert coerce(field, dt.datetime(2024, 5, 31)) == ("31/5/2024", [])
    assert coerce(field, "31/5/2024") == ("31/5/2024", [])


def test_the_template_of_a_form_with_periods_offers_them(tmp_path):
    spec = load_spec("1-hdcd")
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(spec)))
    sheet = workbook["Số liệu"]
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert any("31/5/2024" in f and "30/11/2024" in f for f in formulas)
    assert "Thuyết minh" not in workbook.sheetnames
    assert any("tính đến ngày 31/5/2024 hoặc 30/11/2024" in str(c.value)
               for row in workbook["Hướng dẫn"].iter_rows() for c in row if c.value)
