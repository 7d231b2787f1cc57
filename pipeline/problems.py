"""Problems found in a submission, as records, made in one way: from a catalogue code and its parameters."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.catalogue import CATALOGUE, ERROR, WARNING

Severity = Literal["error", "warning"]
__all__ = ["ERROR", "WARNING", "Problem", "Severity", "cell_label", "problem"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file: what tests assert on is `code` and `field`, never wording."""

    severity: Severity
    code: str
    message: str
    field: str | None = None
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None
    related: tuple[str, ...] = ()  # other cells of the same sheet a rule problem involves

    def as_dict(self) -> dict:
        """The JSON shape of the contract: severity, code, field, sheet, cell, message."""
        return {key: getattr(self, key) for key in ("severity", "code", "field", "sheet", "cell", "message")}

    @classmethod
    def restored(cls, severity: Severity, code: str, message: str, field: str | None, sheet: str | None,
                 cell: str | None, value: str | None, related: tuple[str, ...]) -> Problem:
        """A problem made by an earlier run, read back as it was (pipeline/cache.py): its message as then."""
        return cls(severity, code, message, field, sheet, cell, value, related)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def label(self) -> str:
        return CATALOGUE[self.code].label


def problem(code: str, /, *, field: str | None = None, sheet: str | None = None, cell: str | None = None,
            label: str | None = None, value: str | None = None, related: tuple[str, ...] = (),
            severity: Severity | None = None, **params: object) -> Problem:
    """The problem `code` of the catalogue, its message and action filled with `params`.

    With `label` (the field's label), the message opens with the cell it is about. An unknown code is a
    KeyError: every code raised is in the catalogue.
    """
    entry = CATALOGUE[code]
    params = {"sheet": sheet, "cell": cell, **params}
    text = " ".join(filter(None, (entry.message.format(**params), entry.action.format(**params))))
    if label is not None:
        text = f"{cell_label(sheet, cell, label)}: {text}"
    return Problem(severity or entry.severity, code, text, field, sheet, cell, value, related)


def cell_label(sheet: str | None, ref: str | None, label: str) -> str:
    """How every message names a cell: Trang "Số liệu", ô D21 (Trong đó: nữ)."""
    return f"Trang \"{sheet}\", ô {ref} ({label})"
