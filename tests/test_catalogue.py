"""One catalogue of problems: every code raised is in it, every entry is raised somewhere, labels read well."""
from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from pipeline.catalogue import CATALOGUE
from tests.helpers import by_file, codes, run_json

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
_MAKERS = {"problem", "reject", "Finding", "_coded"}  # the calls whose first text argument is a problem code


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _code_literals(node: ast.AST) -> list[str]:
    """The codes an argument can be: a literal, or either branch of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _code_literals(node.body) + _code_literals(node.orelse)
    return []


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _raised_codes() -> dict[str, list[str]]:
    """Each code the source of pipeline/ raises, with the places (file:line) raising it, read with `ast`.

    A code is raised where a text is the code argument of a maker (`problem("x", ...)`, `submission.reject("x")`,
    `Finding("x", ...)`, `_coded(check, "x")`), directly or as a branch of `a if c else b`, or is assigned to
    a variable `code` that is passed on to one. The catalogue's own entries are not raising places.
    """
    raised: dict[str, list[str]] = {}
    for path, tree in _sources():
        if path.name == "catalogue.py":
            continue
        where = str(path.relative_to(PACKAGE.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) in _MAKERS:
                argument = node.args[-1] if _call_name(node) == "_coded" else node.args[0] if node.args else None
                for code in _code_literals(argument) if argument is not None else []:
                    raised.setdefault(code, []).append(f"{where}:{node.lineno}")
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets):
                for code in _code_literals(node.value):  # code = "a" if x else "b", passed on below
                    raised.setdefault(code, []).append(f"{where}:{node.lineno}")
    return raised


def test_every_code_raised_anywhere_is_in_the_catalogue():
    raised = _raised_codes()
    assert len(raised) > 30  # the scan sees the raising places
    unknown = {code: where for code, where in raised.items() if code not in CATALOGUE}
    assert not unknown


def test_every_catalogue_entry_is_raised_somewhere():
    """No entry is dead: pipeline/ raises each code somewhere. Read from the source, so any subset of tests checks it."""
    never = sorted(set(CATALOGUE) - set(_raised_codes()))
    assert not never, f"catalogue entries pipeline/ never raises: {', '.join(never)}"


def test_problems_are_made_only_from_the_catalogue():
    """No module builds a Problem record itself: each goes through problems.problem(code, ...)."""
    direct = [f"{path.name}:{node.lineno}" for path, tree in _sources() if path.name != "problems.py"
              for node in ast.walk(tree) if isinstance(node, ast.Call) and _call_name(node) == "Problem"]
    assert not direct


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_entry_reads_as_a_clerk_expects(code):
    entry = CATALOGUE[code]
    assert entry.severity in ("error", "warning") and entry.stage
    assert entry.label and (entry.label[0].islower() or entry.label[:2].isupper())  # a label sits inside sentences
    assert entry.message and "Error" not in entry.message
    for text in (entry.message, entry.action):
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name]
        assert all(name.isidentifier() for name in names)
    if entry.action:
        assert entry.action[0].isupper() or entry.action.startswith("{"), "an action is a sentence of its own"


def test_a_reader_that_crashes_or_hangs_rejects_only_its_file(tmp_path, monkeypatch, write_submission):
    from tests import isolation_helpers

    monkeypatch.setattr("pipeline.reading.read_submission", isolation_helpers.read_or_misbehave)
    monkeypatch.setattr("pipeline.reading.READ_TIMEOUT", 2.0)
    write_submission("good.xlsx", "CD001")
    write_submission("crash.xlsx", "CD002")
    write_submission("hang.xlsx", "CD003")
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert files["good.xlsx"]["status"] == "accepted"
    assert codes(files["crash.xlsx"]) == {"reader-crash"} and files["crash.xlsx"]["status"] == "rejected"
    assert codes(files["hang.xlsx"]) == {"reader-timeout"} and files["hang.xlsx"]["status"] == "rejected"


def test_cells_a_unit_typed_wrong_are_named_with_their_catalogue_code(tmp_path, spec, write_submission):
    count = next(f for f in spec.fields if f.kind == "count" and not f.required)
    date = next(f for f in spec.fields if f.kind == "date")
    write_submission("half.xlsx", "CD001", **{count.code: 12.5, date.code: "05/12/2023"})
    write_submission("day.xlsx", "CD002", **{date.code: "hôm qua"})
    _, document = run_json(tmp_path / "inbox", tmp_path / "out")
    files = by_file(document)
    assert {"not-whole-number", "date-as-text"} <= codes(files["half.xlsx"])
    assert "not-a-date" in codes(files["day.xlsx"])
    message = next(p["message"] for p in files["half.xlsx"]["problems"] if p["code"] == "not-whole-number")
    assert message.startswith(f'Trang "{files["half.xlsx"]["problems"][0]["sheet"]}", ô ') and "12,5" in message
