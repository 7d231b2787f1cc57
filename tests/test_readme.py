"""The README's table of field codes is the one the spec generates, and its two commands are the documented ones."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.form import available_forms

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("form", [path.stem for path in available_forms()])
def test_each_form_has_its_field_table(form):
    text = README.read_text(encoding="utf-8")
    table = re.search(rf"<!-- fields:{re.escape(form)}:start -->\n(.*?)\n<!-- fields:{re.escape(form)}:end -->", text, re.S)
    assert table, f"README has no field table for {form}"
    generated = CliRunner().invoke(cli, ["fields", "--form", form, "--markdown"]).output.strip()
    assert table.group(1).strip() == generated


def test_problem_table_matches_the_catalogue():
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- problems:start -->\n(.*?)\n<!-- problems:end -->", text, re.S).group(1)
    generated = CliRunner().invoke(cli, ["problems", "--markdown"]).output.strip()
    assert table.strip() == generated


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README.read_text(encoding="utf-8"))
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
