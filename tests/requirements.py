"""What some tests need from outside the checkout (LibreOffice, ../shared): skipped on a bare machine, a
failure in CI, which installs both (a test skipped in CI is how a path went untested before)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: .ci/run must provide it")
    pytest.skip(f"{what} is not on this machine")


def shared(*parts: str) -> Path:
    """A path under ../shared beside the checkout."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        _missing(str(path))
    return path


def soffice() -> str:
    """The LibreOffice command."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        _missing("LibreOffice (soffice)")
    return found
