"""Shared fixtures: the spec, the template, and filled copies made through the template's defined names."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.form import load_spec
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

