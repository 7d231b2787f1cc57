"""Re-runs cost only what is new: reading results kept by content in the register, and a run that finds nothing
changed keeps the last outputs; every incremental run gives exactly what a cold run over the same files gives."""
from __future__ import annotations

import json
import sqlite3
import time

from click.testing import CliRunner

from pipeline.cli import EXIT_OK, EXIT_PROBLEMS, cli
from tests.helpers import by_file, run_json, saved_earlier


def _comparable(document: dict) -> dict:
    """A run's document without what only says when it ran."""
    document = json.loads(json.dumps(document))
    document.pop("since_last_run")
    document.pop("workbook")
    document.pop("report")
    document.pop("annex")
    for entry in document["files"]:
        entry.pop("first_seen")
    return document


def _inbox(write_submission, tmp_path):
    write_submission("CD001.xlsx", "CD001", tm_V="- Đề nghị tăng lương cơ sở cho viên chức - Đề nghị giảm bớt báo cáo")
    write_submission("CD002.xlsx", "CD002")
    write_submission("CD003.xlsx", "CD003", cbccvcld_nu=99999)
    saved_earlier(tmp_path / "inbox")
    return tmp_path / "inbox"


def _results(outbox):
    with sqlite3.connect(outbox / "so-tiep-nhan.sqlite") as db:
        rows = db.execute("SELECT sha256 FROM results").fetchall()
    return {sha for sha, in rows}


def test_a_warm_run_gives_exactly_what_a_cold_run_gives(tmp_path, write_submission, monkeypatch):
    from pipeline import reading as run  # the read stage: what is handed to the reading workers

    inbox = _inbox(write_submission, tmp_path)
    _, cold = run_json(inbox, tmp_path / "a")
    assert len(_results(tmp_path / "a")) == 3
    read, isolated = [], run.run_isolated

    def recording(function, items, **kwargs):  # in this process: what is handed to the reading workers
        if function is run.read_and_split:
            read.extend(items)
        return isolated(function, items, **kwargs)

    monkeypatch.setattr(run, "run_isolated", recording)
    _, warm = run_json(inbox, tmp_path / "a")
    assert read == []  # every file came from the register
    monkeypatch.undo()
    _, elsewhere = run_json(inbox, tmp_path / "b")  # cold again, in another outbox
    assert _comparable(warm) == _comparable(cold) == _comparable(elsewhere)


def test_only_new_files_are_read_and_the_result_is_a_cold_runs(tmp_path, write_submission):
    inbox = _inbox(write_submission, tmp_path)
    run_json(inbox, tmp_path / "a")
    write_submission("CD004.xlsx", "CD004")
    saved_earlier(inbox / "CD004.xlsx")
    from pipeline import reading as run  # the read stage: what is handed to the reading workers

    read, isolated = [], run.run_isolated

    def recording(function, items, **kwargs):
        if function is run.read_and_split:
            read.extend(item.path for item in items)
        return isolated(function, items, **kwargs)

    run.run_isolated = recording
    try:
        _, warm = run_json(inbox, tmp_path / "a")
    finally:
        run.run_isolated = isolated
    assert read == [str(inbox / "CD004.xlsx")]
    _, cold = run_json(inbox, tmp_path / "b")
    assert _comparable(warm) == _comparable(cold)
    assert by_file(warm)["CD004.xlsx"]["status"] == "accepted"


def test_nothing_changed_keeps_the_outputs_and_says_so(tmp_path, write_submission):
    inbox = _inbox(write_submission, tmp_path)
    args = ["--inbox", str(inbox), "--outbox", str(tmp_path / "out")]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == EXIT_PROBLEMS
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (tmp_path / "out").rglob("*.xlsx")}
    time.sleep(0.01)
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == EXIT_PROBLEMS and "Không có gì thay đổi" in again.output
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (tmp_path / "out").rglob("*.xlsx")} == before


def test_a_mark_an_edited_workbook_or_a_deleted_output_is_a_change(tmp_path, write_submission):
    inbox = _inbox(write_submission, tmp_path)
    out = tmp_path / "out"
    args = ["--inbox", str(inbox), "--outbox", str(out)]
    CliRunner().invoke(cli, args)
    marked = CliRunner().invoke(cli, ["--outbox", str(out), "mark", str(inbox / "CD002.xlsx"), "--exclude", "nháp"])
    assert marked.exit_code == EXIT_OK
    assert "Không có gì thay đổi" not in CliRunner().invoke(cli, args).output
    (out / "bao-cao-tong-hop-bao-cao-cd-2023.docx").unlink()
    assert "Không có gì thay đổi" not in CliRunner().invoke(cli, args).output
    assert (out / "bao-cao-tong-hop-bao-cao-cd-2023.docx").is_file()
    workbook = out / "tong-hop-bao-cao-cd-2023.xlsx"
    workbook.write_bytes(workbook.read_bytes() + b"\0")  # as if the office saved it with its corrections
    assert "Không có gì thay đổi" not in CliRunner().invoke(cli, args).output


def test_a_file_caught_mid_copy_is_never_cached(tmp_path, write_submission):
    inbox = _inbox(write_submission, tmp_path)
    whole = (inbox / "CD002.xlsx").read_bytes()
    (inbox / "CD002.xlsx").write_bytes(whole[: len(whole) // 2])  # modified now: a copy under way
    _, document = run_json(inbox, tmp_path / "out")
    entry = by_file(document)["CD002.xlsx"]
    assert entry["status"] == "pending" and entry["sha256"] not in _results(tmp_path / "out")


def test_a_changed_spec_or_thesaurus_reads_everything_again(tmp_path, spec):
    from pipeline.cache import content_key

    other = tmp_path / "themes.toml"
    other.write_text("[[themes]]\nid = 'x'\nlabel = 'X'\nany = ['x']\n", encoding="utf-8")
    assert content_key(spec, (other,)) != content_key(spec, ())
    first = content_key(spec, (other,))
    other.write_text("[[themes]]\nid = 'y'\nlabel = 'Y'\nany = ['y']\n", encoding="utf-8")
    assert content_key(spec, (other,)) != first


def test_a_feedback_copy_whose_file_and_problems_are_unchanged_is_not_rewritten(tmp_path, write_submission):
    inbox = _inbox(write_submission, tmp_path)
    run_json(inbox, tmp_path / "out")
    [copy] = (tmp_path / "out" / "phan-hoi").glob("*.xlsx")
    before = (copy.stat().st_mtime_ns, copy.read_bytes())
    write_submission("CD004.xlsx", "CD004", cbccvcld_nu=88888)  # something new: the run writes its outputs
    saved_earlier(inbox / "CD004.xlsx")
    time.sleep(0.01)
    _, document = run_json(inbox, tmp_path / "out")
    copies = sorted(p.name for p in (tmp_path / "out" / "phan-hoi").glob("*.xlsx"))
    assert copies == ["CD003-CD003.xlsx", "CD004-CD004.xlsx"]
    assert (copy.stat().st_mtime_ns, copy.read_bytes()) == before
    _, cold = run_json(inbox, tmp_path / "cold")
    assert sorted(p.name for p in (tmp_path / "cold" / "phan-hoi").glob("*.xlsx")) == copies
