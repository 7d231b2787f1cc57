"""Problems found in a submission, as records: the catalogue of stable codes and the record type."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

ERROR: Severity = "error"
WARNING: Severity = "warning"


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
    rule: str | None = None  # the spec rule's id, for a "rule" problem

    def as_dict(self) -> dict:
        """The JSON shape of the contract: severity, code, field, sheet, cell, message."""
        return {key: getattr(self, key) for key in ("severity", "code", "field", "sheet", "cell", "message")}

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def file_problem(code: str, message: str, severity: Severity = ERROR) -> Problem:
    """A problem with the file as a whole (no sheet, no cell)."""
    return Problem(severity=severity, code=code, message=message)
