"""Files nobody here wrote (../shared/realfiles): the real console script over all of them, beside good files.

The command runs as a user runs it, in a process of its own, so that what any reader writes to the file
descriptors (xlrd's dumps, C libraries) is caught in the stdout this test parses.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.filling import fill_template, good_values
from tests.requirements import shared

GOOD = {"G001": 40, "G002": 120, "G003": 75}
# What a clerk must never read: an exception's class name, or a reader's own one-word complaint.
PYTHON_NAME = re.compile(r"\b\w*(?:Error|Exception)\b|Traceback|\(error\)|\bNone\b")


def _console(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, timeout=600,
                          env={**os.environ, **(env or {})})


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link reads the real file in place; a copy only where the file systems differ."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


@pytest.fixture(scope="module")
def corpus() -> list[Path]:
    return sorted(p for p in shared("realfiles").iterdir() if p.is_file() and not p.name.startswith("."))


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, corpus, spec, template_bytes):
    """One `--json` run over every top-level real file and three good units: (process, document, good values)."""
    root = tmp_path_factory.mktemp("realfiles")
    inbox = root / "inbox"
    (inbox / "real").mkdir(parents=True)
    for path in corpus:
        _link_or_copy(path, inbox / "real" / path.name)
    good = {}
    for code, size in GOOD.items():
        good[code] = good_values(spec, code, size)
        fill_template(template_bytes, good[code], inbox / f"{code}.xlsx")
    process = _console("--inbox", str(inbox), "--outbox", str(root / "outbox"), "--json")
    document = json.loads(process.stdout.decode("utf-8"))  # the whole of stdout, nothing before or after
    return process, document, good, root / "outbox"


@pytest.mark.slow
def test_every_real_file_ends_in_one_state_none_accepted_and_stdout_is_one_json_document(corpus_run, corpus):
    process, document, _, _ = corpus_run
    assert process.returncode == 1, process.stderr.decode("utf-8", "replace")[-2000:]
    assert b"Traceback" not in process.stderr
    real = [f for f in document["files"] if f["file"].startswith("real/")]
    assert len(real) == len(corpus)
    assert {f["status"] for f in real} <= {"rejected", "ignored"}
    for entry in real:
        if entry["status"] == "rejected":
            assert any(p["severity"] == "error" and p["message"] for p in entry["problems"]), entry


@pytest.mark.slow
def test_no_message_about_a_real_file_names_python(corpus_run):
    _, document, _, _ = corpus_run
    messages = {p["message"] for f in document["files"] for p in f["problems"]}
    assert not [m for m in messages if PYTHON_NAME.search(m)]


@pytest.mark.slow
def test_good_files_beside_the_real_ones_are_accepted_with_their_totals(corpus_run, spec):
    _, document, good, _ = corpus_run
    states = {f["file"]: f["status"] for f in document["files"]}
    assert all(states[f"{code}.xlsx"] == "accepted" for code in GOOD)
    for field in spec.numeric_fields:
        assert document["totals"][field.code] == sum(v[field.code] for v in good.values()), field.code


@pytest.mark.slow
def test_one_feedback_workbook_for_every_file_with_problems(corpus_run):
    _, document, _, outbox = corpus_run
    with_problems = [f for f in document["files"] if f["status"] in ("accepted", "rejected") and f["problems"]]
    assert len(with_problems) > 500
    assert len(list((outbox / "phan-hoi").glob("*.xlsx"))) == len(with_problems)


@pytest.mark.slow
def test_check_json_over_every_real_file_parses(corpus, tmp_path, spec, template_bytes):
    good = fill_template(template_bytes, good_values(spec, "G009", 60), tmp_path / "G009.xlsx")
    process = _console("check", "--json", *map(str, corpus), str(good))
    records = json.loads(process.stdout.decode("utf-8"))
    assert process.returncode == 1 and b"Traceback" not in process.stderr
    assert len(records) == len(corpus) + 1
    assert [r["status"] for r in records if r["file"].endswith("G009.xlsx")] == ["accepted"]


def test_output_is_utf8_whatever_the_console_code_page(tmp_path, spec, template_bytes):
    """On Windows a redirected stdout would use cp1252: `consolidate --json > ket-qua.json` must still work."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fill_template(template_bytes, good_values(spec, "G010", 50), inbox / "Trường Đông Sơn.xlsx")
    env = {"PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"}
    process = _console("--inbox", str(inbox), "--outbox", str(tmp_path / "out"), "--json", env=env)
    assert process.returncode == 0, process.stderr.decode("utf-8", "replace")
    document = json.loads(process.stdout.decode("utf-8"))
    assert document["files"][0]["file"] == "Trường Đông Sơn.xlsx"
    summary = _console("--inbox", str(inbox), "--outbox", str(tmp_path / "out"), env=env)
    assert "đã nhận" in summary.stdout.decode("utf-8")
    missing = _console("--inbox", str(tmp_path / "không-có"), env=env)
    assert missing.returncode == 2 and "Không có thư mục" in missing.stderr.decode("utf-8")


@pytest.mark.slow
def test_every_real_file_given_as_roster_or_last_period_is_refused_with_a_message(corpus, spec):
    """`--roster` and `--previous` read the office's own tables in this process: a file python-calamine panics on
    (poi-Simple.xlsb: pyo3's PanicException is no Exception) must still end in the tool's own refusal."""
    from pipeline.previous.read import PreviousError, read_previous
    from pipeline.roster import RosterError, read_roster

    spreadsheets = [p for p in corpus if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")]
    assert any(p.name == "poi-Simple.xlsb" for p in spreadsheets)
    for path in spreadsheets:
        for read, refusal in ((read_roster, RosterError), (lambda p: read_previous(spec, p), PreviousError)):
            try:
                read(path)
            except refusal as exc:
                assert str(path) in str(exc)
