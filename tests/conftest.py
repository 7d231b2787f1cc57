"""Shared fixtures: the spec, the template, and filled copies made through the template's defined names."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pipeline.catalogue import CATALOGUE
from pipeline.form import load_spec
from pipeline.problems import Problem
from tests.filling import fill_template, good_values  # noqa: F401  (re-exported for tests)

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def spec():
    return load_spec()


@pytest.fixture(scope="session")
def template_bytes(spec):
    from pipeline.template.build import build_template

    return build_template(spec)


@pytest.fixture()
def write_submission(tmp_path, spec, template_bytes):
    """Write a filled template into tmp_path/inbox: `write_submission("a.xlsx", **overrides)`."""
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)

    def write(name: str, code: str = "CD001", **overrides) -> Path:
        values = good_values(spec, code)
        values.update(overrides)
        path = inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        fill_template(template_bytes, values, path)
        return path

    return write


# --- every catalogue entry is raised by some test -------------------------------------------------
# Each Problem made anywhere in the run, in this process or a forked worker, leaves its code in a file
# of its process; a full run (plain `pytest`) then fails if some catalogue entry was never raised.
_CODES = Path(tempfile.mkdtemp(prefix="consolidate-codes-"))
_seen: set[str] = set()
_made = Problem.__init__


def _recording_init(self, *args, **kwargs):
    _made(self, *args, **kwargs)
    if self.code not in _seen:
        _seen.add(self.code)
        with open(_CODES / str(os.getpid()), "a", encoding="utf-8") as log:
            log.write(self.code + "\n")


Problem.__init__ = _recording_init


def raised_codes() -> set[str]:
    return {line for path in _CODES.iterdir() for line in path.read_text(encoding="utf-8").split()}


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    whole = (config.args_source == pytest.Config.ArgsSource.TESTPATHS and not config.option.keyword
             and not config.option.markexpr and exitstatus == 0)
    if whole:
        missing = sorted(set(CATALOGUE) - raised_codes())
        if missing:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            reporter.write_line(f"FAILED: catalogue entries no test raised: {', '.join(missing)}", red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    shutil.rmtree(_CODES, ignore_errors=True)
