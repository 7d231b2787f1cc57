"""The command line: help, version, usage errors, `check`, and the documented exit codes."""
from __future__ import annotations

import shutil

from click.testing import CliRunner

from pipeline.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, cli


def test_help_is_vietnamese_with_examples():
    result = CliRunner().invoke(cli, ["-h"])
    assert result.exit_code == 0
    assert "Tổng hợp báo cáo" in result.output and "consolidate demo" in result.output
    for command in ("template", "check", "demo", "fields"):
        sub = CliRunner().invoke(cli, [command, "--help"])
        assert sub.exit_code == 0 and "Ví dụ" in sub.output, command


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("consolidate ")


def test_a_deadline_day_that_does_not_exist_is_a_usage_error_naming_it(tmp_path):
    result = CliRunner().invoke(cli, ["--inbox", str(tmp_path), "--outbox", str(tmp_path / "o"),
                                      "--deadline", "31/11/2023"])
    assert result.exit_code == EXIT_USAGE and "31/11/2023 không có" in result.output
    assert not (tmp_path / "o").exists()


def test_missing_inbox_is_a_usage_error_in_vietnamese(tmp_path):
    result = CliRunner().invoke(cli, ["--inbox", str(tmp_path / "khong-co"), "--outbox", str(tmp_path / "o")])
    assert result.exit_code == EXIT_USAGE and "Không có thư mục" in result.stderr


def test_broken_roster_is_exit_2(tmp_path):
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS\nCD1,A\nCD1,B\n", encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    result = CliRunner().invoke(cli, ["--inbox", str(tmp_path / "inbox"), "--roster", str(roster)])
    assert result.exit_code == EXIT_USAGE and "trùng" in result.stderr


def test_broken_spec_is_exit_2(tmp_path):
    spec = tmp_path / "x.toml"
    spec.write_text("[form]\nid = 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--form", str(spec), "fields"])
    assert result.exit_code == EXIT_USAGE and "x.toml" in result.stderr


def test_check_reports_errors_with_cells_and_exit_1(write_submission):
    good = write_submission("tot.xlsx", "CD001")
    bad = write_submission("loi.xlsx", "CD002", cbccvcld_nu=500)
    result = CliRunner().invoke(cli, ["check", str(good), str(bad)])
    assert result.exit_code == EXIT_PROBLEMS
    assert "tot.xlsx: HỢP LỆ" in result.output and "loi.xlsx: CÓ LỖI" in result.output
    assert "ô D21" in result.output


def test_check_of_a_clean_file_exits_0(write_submission):
    result = CliRunner().invoke(cli, ["check", str(write_submission("tot.xlsx"))])
    assert result.exit_code == EXIT_OK, result.output


def test_xlsm_named_file_is_read(tmp_path, write_submission):
    from tests.helpers import by_file, run_json

    source = write_submission("a.xlsx")
    shutil.move(source, source.with_suffix(".xlsm"))
    code, document = run_json(tmp_path / "inbox", tmp_path / "out")
    assert by_file(document)["a.xlsm"]["status"] == "accepted" and code == 0


def test_output_held_open_goes_to_a_timestamped_name(tmp_path, write_submission, monkeypatch):
    import os

    from pipeline import files

    write_submission("a.xlsx")
    real_replace = os.replace

    def locked(source, target):
        if str(target).endswith("tong-hop-bao-cao-cd-2023.xlsx"):
            raise PermissionError("đang mở trong Excel")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", locked)
    result = CliRunner().invoke(cli, ["--inbox", str(tmp_path / "inbox"), "--outbox", str(tmp_path / "out")])
    assert result.exit_code == EXIT_OK, result.output
    written = [p.name for p in (tmp_path / "out").glob("tong-hop-bao-cao-cd-2023-*.xlsx")]
    assert len(written) == 1 and "đang được mở" in result.output


def test_forms_lists_each_form_with_its_title_and_period():
    from click.testing import CliRunner

    from pipeline.cli import cli

    result = CliRunner().invoke(cli, ["forms"])
    assert result.exit_code == 0
    assert "bao-cao-cd-2023" in result.output and "kỳ: năm 2023" in result.output and "11/12/2023" in result.output
    assert "1-hdcd" in result.output and "kỳ: tính đến ngày 31/5/2024 hoặc 30/11/2024" in result.output
