"""Plain tables the office keeps (a roster, last year's figures): the first sheet of an .xlsx, or a .csv."""
from __future__ import annotations

import contextlib
import csv
import unicodedata
from collections.abc import Iterator
from pathlib import Path


class TableError(ValueError):
    """A table file no reader could read; the message is the reader's own."""


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """The spreadsheet reader's failures as a TableError. python-calamine raises its own errors for a file it
    cannot read and, for some, its Rust code panics: pyo3's PanicException is a BaseException, which
    `except Exception` lets through. Errors of ours pass unchanged."""
    try:
        yield
    except BaseException as exc:
        if not type(exc).__module__.startswith(("python_calamine", "pyo3_runtime")):
            raise
        raise TableError(_in_words(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)) from exc


# What the reader says of the files offices most often hand it, in words a clerk reads; anything else as it is.
_READER_WORDS = (("password protected", "tệp có đặt mật khẩu"),
                 ("invalid zip", "tệp hỏng hoặc không phải tệp Excel"),
                 ("could not find eocd", "tệp hỏng hoặc không phải tệp Excel"),
                 ("file not found", "tệp hỏng hoặc không phải tệp Excel"),
                 ("cfb error", "tệp .xls cũ bị hỏng"),
                 ("cannot detect file format", "không nhận ra loại tệp"))


def _in_words(message: str) -> str:
    lowered = message.lower()
    return next((words for clue, words in _READER_WORDS if clue in lowered), message)


def read_rows(path: Path) -> list[list]:
    """All rows of the first sheet (or of the CSV, UTF-8 with or without BOM), as the cells hold them."""
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    from python_calamine import CalamineWorkbook

    with reading():
        book = CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def cell_text(value) -> str:
    """A cell as text: a code typed as a number (7.0) reads "7", a blank reads ""."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()
