"""The README's table of field codes is the one the spec generates, and its two commands are the documented ones."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def test_field_table_matches_the_spec():
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- fields:start -->\n(.*?)\n<!-- fields:end -->", text, re.S).group(1)
    generated = CliRunner().invoke(cli, ["fields", "--markdown"]).output.strip()
    assert table.strip() == generated


def test_problem_table_matches_the_catalogue():
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- problems:start -->\n(.*?)\n<!-- problems:end -->", text, re.S).group(1)
    generated = CliRunner().invoke(cli, ["problems", "--markdown"]).output.strip()
    assert table.strip() == generated


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README.read_text(encoding="utf-8"))
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
