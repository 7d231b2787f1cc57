"""The zip guard's data types: its limits, the parts it keeps, and what its scans raise to refuse a file."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.problems import Problem


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 1000
    max_total_uncompressed: int = 100 * 1024 * 1024  # a real report is well under 5 MB
    max_ratio: float = 100.0  # like Apache POI: refuse entries inflating over 100:1 ...
    ratio_min_size: int = 1024 * 1024  # ... once they are larger than this uncompressed
    max_row: int = 5000  # the template uses < 200 rows; far beyond is hostile
    max_col: int = 200  # column index (1-based); "GR"


class InflatedParts(dict):
    """The parts the zip guard inflated (name -> bytes), read like a zip's members: read once, used by every
    reader after. `irregular` names the XML parts whose cells or rows are not all canonical `<c r="A1"` /
    `<row r="1"` (a position implied by order, another attribute first, a namespace prefix)."""

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()

    def read(self, name: str) -> bytes:
        return self[name]


class Refusal(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


class FarCell(Exception):
    """Raised inside a part's scan; turned into a problem once the sheet's name is known."""

    def __init__(self, part: str, ref: str, sheet: str | None = None) -> None:
        super().__init__(ref)
        self.part = part
        self.ref = ref[:32]
        self.sheet = sheet


class Damaged(Exception):
    """An XML part that is not well-formed: cut short, or bytes that no writer produces."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


class NeedsPositions(Exception):
    """The fast scan met cells or rows whose position is implied by their order, or odd syntax."""

