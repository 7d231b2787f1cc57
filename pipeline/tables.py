"""Plain tables the office keeps (a roster, last year's figures): the first sheet of an .xlsx, or a .csv as Excel
saves it on a Vietnamese Windows (";" or tabs between cells, the Windows code page or UTF-16)."""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from pipeline.intake.sniff import sniff_kind


class TableError(ValueError):
    """A table file no reader could read; the message is the reader's own."""


class NotATable(TableError):
    """A file that is something else than a table (a Word document, a PDF, a picture): `what` names it and
    `advice` says what to do, in words a clerk reads."""

    def __init__(self, what: str, advice: str):
        self.what, self.advice = what, advice
        super().__init__(f"tệp này thực chất là {what}, không phải bảng tính")


# What a file that cannot be a table is, by its content (pipeline.intake.sniff), and what to do instead.
_SAVE_AS = "lưu dạng .xlsx hoặc .csv"
_NOT_TABLES = {
    "docx": ("văn bản Word (.docx)", f"Hãy chép bảng sang Excel rồi {_SAVE_AS}."),
    "pdf": ("tệp PDF", f"Hãy dùng bản lập bằng Excel, {_SAVE_AS}."),
    "image": ("hình ảnh (ảnh chụp hoặc ảnh quét)", f"Hãy dùng bản lập bằng Excel, {_SAVE_AS}."),
    "html": ("trang web (HTML)", f"Hãy mở tệp bằng Excel rồi {_SAVE_AS}."),
    "zip": ("tệp nén (.zip)", f"Hãy giải nén rồi dùng bảng tính bên trong, {_SAVE_AS}."),
}
# A zip is called one only when the reader failed on it and its name does not say workbook: some real
# workbooks keep their parts where the sniffer does not look, and to a clerk a broken .xlsx is "tệp hỏng".
_SPREADSHEETS = ("xlsx", "xlsm", "xlsb", "xls", "ods")
_SPREADSHEET_SUFFIXES = tuple(f".{kind}" for kind in _SPREADSHEETS)
_TEXT_SUFFIXES = (".csv", ".txt")  # .txt: Excel's "Unicode Text", UTF-16 with tabs between cells
# Between cells, in the order preferred on a tie: "," (English regional settings), ";" (Vietnamese ones: the
# decimal mark is the comma, so the list separator is not), a tab ("Unicode Text").
_DELIMITERS = (",", ";", "\t")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_UNREADABLE_TEXT = "không đọc được chữ trong tệp: bảng mã không phải UTF-8, UTF-16 hay Windows tiếng Việt (cp1258)"


def not_a_table(path: Path, kind: str | None = None) -> NotATable | None:
    """What the file really is when its content (or its sniffed `kind`) says it cannot be a table: a Word
    document named .xlsx, a PDF named .csv."""
    kind = sniff_kind(path) if kind is None else kind
    if kind == "zip" and path.suffix.lower() in _SPREADSHEET_SUFFIXES:
        return None
    found = _NOT_TABLES.get(kind)
    return NotATable(*found) if found else None


@contextlib.contextmanager
def reading(path: Path | None = None) -> Iterator[None]:
    """The spreadsheet reader's failures as a TableError. python-calamine raises its own errors for a file it
    cannot read and, for some, its Rust code panics: pyo3's PanicException is a BaseException, which
    `except Exception` lets through. Errors of ours pass unchanged. Given the file's path, a file that is not a
    table at all (a Word document named .xlsx) is a NotATable that says what it is."""
    try:
        yield
    except BaseException as exc:
        if not type(exc).__module__.startswith(("python_calamine", "pyo3_runtime")):
            raise
        found = not_a_table(path) if path is not None else None
        if found is not None:
            raise found from exc
        raise TableError(_in_words(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)) from exc


# What the reader says of the files offices most often hand it, in words a clerk reads; anything else as it is.
_READER_WORDS = (("password protected", "tệp có đặt mật khẩu"),
                 ("invalid zip", "tệp hỏng hoặc không phải tệp Excel"),
                 ("could not find eocd", "tệp hỏng hoặc không phải tệp Excel"),
                 ("file not found", "tệp hỏng hoặc không phải tệp Excel"),
                 ("stylesheet", "tệp hỏng hoặc không phải tệp Excel"),  # a zip without xl/styles.xml
                 ("cfb error", "tệp .xls cũ bị hỏng"),
                 ("cannot detect file format", "không nhận ra loại tệp"))


def _in_words(message: str) -> str:
    lowered = message.lower()
    return next((words for clue, words in _READER_WORDS if clue in lowered), message)


def read_rows(path: Path) -> list[list]:
    """All rows of the first sheet, or of the CSV, as the cells hold them. The content decides which: a
    workbook under another workbook's name (an .xls renamed .xlsx) or named .csv is read as what it is, text
    named .xlsx as a CSV; a Word document, a PDF, a picture is a NotATable."""
    path = Path(path)
    kind = sniff_kind(path)
    if kind == "empty":
        raise TableError("tệp trống, không có nội dung")
    found = not_a_table(path, kind) if kind != "zip" else None  # a zip is the reader's to try first
    if found is not None:
        raise found
    if kind == "csv" or (kind == "unknown" and path.suffix.lower() in _TEXT_SUFFIXES):
        return read_csv(path.read_bytes())
    from python_calamine import CalamineWorkbook

    with reading(path):
        if kind in _SPREADSHEETS and path.suffix.lower() != f".{kind}":  # from_path believes the name
            with path.open("rb") as handle:
                book = CalamineWorkbook.from_filelike(handle)
                return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        book = CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of a CSV as Excel writes it: UTF-8 (with or without BOM), UTF-16 with BOM ("Unicode Text") or
    the Windows Vietnamese code page; cells between ",", ";" or tabs, whichever the header splits on."""
    text = decode_text(data)
    if "\x00" in text:  # bytes no text file holds: not a CSV whatever its name says
        raise TableError("không nhận ra loại tệp")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text)))


def decode_text(data: bytes) -> str:
    """The file's text in NFC: by its byte order mark, else UTF-8, else cp1258 (Excel's "CSV" on a Vietnamese
    Windows, whose tone marks are combining characters). Undecodable bytes are a TableError in Vietnamese."""
    bom = next(((mark, codec) for mark, codec in _BOMS if data.startswith(mark)), None)
    codecs_to_try = (bom[1],) if bom else ("utf-8", "cp1258")
    for codec in codecs_to_try:
        try:
            return unicodedata.normalize("NFC", data.decode(codec))
        except UnicodeDecodeError:
            continue
    raise TableError(_UNREADABLE_TEXT)


def delimiter(text: str, lines: int = 20) -> str:
    """The delimiter the header splits on into the most cells (quotes respected). A line no delimiter splits,
    or that two split alike (a title above the header), leaves the choice to the next line; "," when none."""
    rows = {d: itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=d), lines) for d in _DELIMITERS}
    for split in zip(*rows.values()):
        if not any(cell.strip() for cell in split[0]):
            continue  # a blank line
        widths = [len(cells) for cells in split]
        best = max(widths)
        if best > 1 and widths.count(best) == 1:
            return _DELIMITERS[widths.index(best)]
    return ","


def cell_text(value) -> str:
    """A cell as text: a code typed as a number (7.0) reads "7", a blank reads ""."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()
