"""Reading results kept by content: what reading a file found (values, problems, its narratives' points and their
group keys) as one JSON row of the register, under the file's sha256 and a key of everything that shapes the
result (the tool's version, the form spec, the thesauri). A re-run reads only the files it has no row for.

Rows, not pickles: a register copied to another machine (or read by a later Python) still reads them. A row is
made right after reading, before any later stage adds its problems, and never for a file caught mid-copy."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.form import FormSpec
from pipeline.intake.submission import Submission
from pipeline.problems import Problem


@dataclass
class ResultCache:
    """The register's rows for this key, asked for once per run, and the rows this run made (stored with the run)."""

    key: str
    lookup: Callable[[list[str]], dict[str, str]]  # sha256s -> their rows (those the register has)
    # The files this run read, by content: the submission and its problems as reading left them (later stages add
    # theirs). Made into rows only when the register is written: a row per file held all run long was as large again
    # as the results themselves (a gigabyte at 10,000 files).
    fresh: dict[str, tuple[Submission, tuple[Problem, ...], dict]] = field(default_factory=dict)
    hits: int = 0
    # Files this run hashed already (run._fingerprint): path -> (size, mtime_ns, sha256), so none is read twice.
    hashed: dict[str, tuple[int, int, str]] = field(default_factory=dict)


    def keep(self, submission: Submission, standard: dict) -> None:
        self.fresh[submission.sha256] = (submission, tuple(submission.problems), standard)

    def rows(self, leave_out: set[str] = frozenset()) -> Iterator[tuple[str, str]]:
        """(sha256, row) of each file read now, made one at a time as the register stores them."""
        for sha, (submission, problems, standard) in self.fresh.items():
            if sha not in leave_out:
                yield sha, to_row(submission, standard, problems)


def content_key(spec: FormSpec, extra: tuple[Path, ...] = ()) -> str:
    """What a reading result depends on besides the file: the tool's version, the spec and its thesauri."""
    digest = hashlib.sha256(__version__.encode())
    for path in (Path(spec.source), *extra):
        digest.update(str(path.name).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.hexdigest()


def to_row(submission: Submission, standard: dict, problems: tuple[Problem, ...] | None = None) -> str:
    """The result of reading one file, as text (the file's path, size and time are not part of it; the form's own
    cell map, which almost every file has, is written as null); `problems`, those reading found, when later
    stages have added theirs since."""
    return json.dumps({
        "kind": submission.kind, "read": submission.read, "aside": submission.aside,
        "form": [submission.form_id, submission.form_version, submission.hidden_unit],
        "values": {code: _value(value) for code, value in submission.values.items()},
        "cells": None if submission.cells == standard else submission.cells,
        "unit": [submission.unit, submission.unit_name],
        "problems": [[p.severity, p.code, p.message, p.field, p.sheet, p.cell, p.value, list(p.related)]
                     for p in (submission.problems if problems is None else problems)],
        "sentences": {code: (points, list(keys)) for code, (points, keys) in submission.sentences.items()}},
        ensure_ascii=False, separators=(",", ":"))


def from_row(row: str, path: str, size: int, mtime: float, sha256: str, standard: dict) -> Submission:
    """The Submission a fresh read of the same content gives, at its current path, size and time."""
    data = json.loads(row)
    form_id, version, hidden = data["form"]
    unit, unit_name = data["unit"]
    return Submission(
        path=path, size=size, mtime=mtime, sha256=sha256, kind=data["kind"], read=data["read"], aside=data["aside"],
        form_id=form_id, form_version=version, hidden_unit=hidden,
        values={code: _typed(value) for code, value in data["values"].items()},
        cells=standard if data["cells"] is None else {code: tuple(where) for code, where in data["cells"].items()},
        problems=[Problem.restored(severity, code, message, field, sheet, cell, value, tuple(related))
                  for severity, code, message, field, sheet, cell, value, related in data["problems"]],
        unit=unit, unit_name=unit_name,
        sentences={code: (list(points), array("Q", keys)) for code, (points, keys) in data["sentences"].items()})


def _value(value):
    """A cell's value in JSON: dates tagged, so they come back as dates."""
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _typed(value):
    if isinstance(value, dict):
        if "datetime" in value:
            return dt.datetime.fromisoformat(value["datetime"])
        return dt.date.fromisoformat(value["date"])
    return value
