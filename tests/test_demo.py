"""The demo workspace: its roster, its inbox of realistic returns, and a full run of the CLI on it."""
from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.demo import DemoError, build_demo, demo_roster, demo_values
from pipeline.register import VIETNAM
from pipeline.roster import read_roster
from pipeline.validate.rules import failing_rows
from pipeline.validate.schema import build_schema, wide_table

SUBFOLDER = "thang-12"


def _inbox_files(inbox: Path) -> dict[str, float]:
    return {p.relative_to(inbox).as_posix(): p.stat().st_mtime for p in sorted(inbox.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def workspace(workspace_root, spec):
    elsewhere = workspace_root / "cwd"
    elsewhere.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(elsewhere)  # a stray relative path would land here
        return build_demo(spec, workspace_root / "demo")


def test_roster_reads_back_with_about_forty_unique_units(workspace):
    units = read_roster(workspace.roster_path)
    assert units == workspace.roster
    assert 35 <= len(units) <= 45
    assert len({u.code for u in units}) == len(units)
    assert {u.group for u in units} == {"Giáo dục", "Y tế", "Văn hóa - Thể thao", "Cơ quan hành chính", "Sự nghiệp khác"}
    assert all(u.name.startswith("Công đoàn ") and u.email and u.phone for u in units)


def test_inbox_holds_the_intended_files(workspace):
    files = _inbox_files(workspace.inbox)
    assert len(files) == workspace.file_count >= 35
    names = [Path(f).name for f in files]
    assert sum(n.startswith("bao-cao-scan-") and n.endswith(".pdf") for n in names) == 1
    assert sum(n.startswith("~$") for n in names) == 1
    assert sum(f.startswith(f"{SUBFOLDER}/") for f in files) >= 3
    assert sum(n.endswith("-sua-lai.xlsx") for n in names) == 1
    moments = [dt.datetime.fromtimestamp(m, VIETNAM) for m in files.values()]
    assert all(7 <= moment.hour <= 16 for moment in moments)  # office hours in Vietnam, whatever the machine's zone
    days = [moment.date() for moment in moments]
    assert all(dt.date(2023, 12, 1) <= day <= dt.date(2023, 12, 20) for day in days)
    assert sum(day > dt.date(2023, 12, 11) for day in days) >= 3
    assert workspace.outbox.is_dir() and not any(workspace.outbox.iterdir())


def test_nothing_is_written_outside_the_directory(workspace, workspace_root):
    assert sorted(p.name for p in workspace_root.iterdir()) == ["cwd", "demo"]
    assert not any((workspace_root / "cwd").iterdir())
    assert {p.name for p in workspace.root.iterdir()} <= {"inbox", "outbox", "danh-sach-cdcs.xlsx", ".consolidate-demo",
                                                      "phan-van-phong-bao-cao-cd-2023.xlsx"}


def test_rebuilding_is_deterministic_and_refreshes_the_inbox(workspace, spec):
    before = _inbox_files(workspace.inbox)
    (workspace.inbox / "left-over.xlsx").write_bytes(b"old")
    (workspace.outbox / "tong-hop-cu.xlsx").write_bytes(b"old")
    again = build_demo(spec, workspace.root)
    assert _inbox_files(again.inbox) == before
    assert again.roster == workspace.roster
    assert not any(again.outbox.iterdir())


def test_a_directory_with_real_data_is_refused_and_left_alone(tmp_path, spec):
    real = tmp_path / "van-phong"
    (real / "inbox").mkdir(parents=True)
    report = real / "inbox" / "bao-cao-that.xlsx"
    report.write_bytes(b"real report")
    with pytest.raises(DemoError):
        build_demo(spec, real)
    assert [p.name for p in (real / "inbox").iterdir()] == ["bao-cao-that.xlsx"]
    assert report.read_bytes() == b"real report"
    assert sorted(p.name for p in real.iterdir()) == ["inbox"]


def test_demo_values_satisfy_every_rule_and_the_schema(spec):
    rng = random.Random(7)
    units = rng.sample(demo_roster(rng), 20)
    rows = [demo_values(spec, unit, rng) for unit in units]
    assert all(set(row) == set(spec.by_code) for row in rows)
    table = wide_table(spec, rows)
    for rule in spec.rules:
        broken = failing_rows(rule, table)
        assert not broken.any(), (rule.id, [rows[i]["ma_cdcs"] for i in broken[broken].index])
    build_schema(spec).validate(table)  # required fields present, counts ≥ 0, answers from the lists
    for row in rows:
        for field in spec.narrative_fields:
            text = row[field.code]
            assert len(text) >= field.min_length and len(text.split()) >= 6, (row["ma_cdcs"], field.code)
    sizes = {row["cbccvcld_tong"] for row in rows}
    assert len(sizes) > 10 and max(sizes) > 300 and min(sizes) < 80  # hospitals, schools and offices differ


def test_demo_values_vary_narratives_by_unit(spec):
    rng = random.Random(11)
    units = demo_roster(rng)[:10]
    texts = [demo_values(spec, unit, rng)["tm_V"] for unit in units]
    assert len(set(texts)) == len(texts)
    assert all(t.count("Đề nghị") + t.count("Kiến nghị") + t.count("Đề xuất") >= 2 for t in texts)


def _by_status(files: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for entry in files:
        grouped.setdefault(entry["status"], []).append(entry)
    return grouped


def _codes(entry: dict) -> set[tuple[str, str]]:
    return {(p["severity"], p["code"]) for p in entry["problems"]}


def test_cli_demo_then_json_run_settles_every_case(tmp_path, monkeypatch, spec):
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # an isolated working directory: relative paths resolve inside tmp_path
    result = runner.invoke(cli, ["demo", "demo-dir"])
    assert result.exit_code == 0, result.output
    workbook = Path("demo-dir") / "outbox" / "tong-hop-bao-cao-cd-2023.xlsx"
    assert workbook.is_file()
    assert str(workbook) in result.stdout
    assert not Path("inbox").exists()  # the real inbox of the working directory is never touched

    result = runner.invoke(cli, ["--inbox", "demo-dir/inbox", "--outbox", "demo-dir/outbox",
                                 "--roster", "demo-dir/danh-sach-cdcs.xlsx", "--json"])
    assert result.exit_code == 1, result.output  # rejected files are left
    report = json.loads(result.stdout)

    files = _by_status(report["files"])
    assert Counter({status: len(entries) for status, entries in files.items()}) == Counter(
        accepted=32, rejected=4, superseded=1, ignored=2)

    [old] = files["superseded"]
    assert old["superseded_by"].endswith("-sua-lai.xlsx") and ("error", "rule") in _codes(old)
    winner = next(f for f in report["files"] if f["file"] == old["superseded_by"])
    assert winner["status"] == "accepted" and winner["unit"] == old["unit"]

    ignored = sorted(Path(f["file"]).name for f in files["ignored"])
    assert ignored[0].startswith("bao-cao-scan-") and ignored[0].endswith(".pdf")
    assert ignored[1].startswith("~$")

    rejected = {(p["code"], p["field"]) for f in files["rejected"] for p in f["problems"] if p["severity"] == "error"}
    finance_rule = next(r for r in spec.rules if r.id == "tc-can-doi")
    assert ("not-template", None) in rejected
    assert ("rule", "cbccvcld_nu") in rejected
    assert any(code == "not-a-number" and spec.by_code[field].kind == "count" for code, field in rejected)
    assert any(code == "rule" and field in finance_rule.fields for code, field in rejected)

    accepted = files["accepted"]
    legacy = [f for f in accepted if ("warning", "legacy-encoding") in _codes(f)]
    assert len(legacy) == 1 and all(p["severity"] == "warning" for p in legacy[0]["problems"])
    assert sum(("warning", "number-as-text") in _codes(f) for f in accepted) == 1

    units = report["units"]
    assert units["expected"] == 40
    assert len(units["late"]) == 3
    late_files = [f for f in accepted if f["unit"] in units["late"]]
    assert all(f["file"].startswith(f"{SUBFOLDER}/") for f in late_files)
    assert 4 <= len(units["missing"]) <= 6
    assert not {f["unit"] for f in accepted} & set(units["missing"])
    # The home-made workbook has no unit code inside, but its file name carries CD037.
    assert sorted(units["rejected"]) == sorted([f["unit"] for f in files["rejected"] if f["unit"]] + ["CD037"])
