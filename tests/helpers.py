"""Helpers for tests that run the command: JSON runs, records by file, and re-saved formats."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli


def run_json(inbox: Path, outbox: Path, *extra: str) -> tuple[int, dict]:
    """Run `consolidate --json` and return (exit code, the JSON document from stdout)."""
    result = CliRunner().invoke(cli, ["--inbox", str(inbox), "--outbox", str(outbox), "--json", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def by_file(document: dict) -> dict[str, dict]:
    return {f["file"]: f for f in document["files"]}


def codes(entry: dict) -> set[str]:
    return {p["code"] for p in entry["problems"]}


def saved_earlier(*paths: Path, hours: float = 1.0) -> None:
    """Give files (or every file below a folder) a modification time in the past: a file the tool cannot open
    and that was modified within the last minute is taken for one still being copied (pending), so a test
    about damaged files dates them as files saved a while ago are."""
    import os
    import time

    moment = time.time() - hours * 3600
    for path in paths:
        for file in ([path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]):
            os.utime(file, (moment, moment))
