"""The roster of grassroots unions staff keep (.xlsx, or .csv as Excel saves it): who is expected to report."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.tables import NotATable, cell_text, clean, read_rows

COLUMNS = {"Mã CĐCS": "code", "Tên CĐCS": "name", "Khối": "group", "Email": "email", "Điện thoại": "phone"}
REQUIRED = ("Mã CĐCS", "Tên CĐCS")


class RosterError(ValueError):
    """A roster that cannot be used; the message names the file and the row."""


@dataclass(frozen=True)
class RosterUnit:
    code: str
    name: str
    group: str = ""
    email: str = ""
    phone: str = ""


def read_roster(path: Path) -> list[RosterUnit]:
    """Read the roster; blank or duplicate codes and missing columns are a RosterError."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"Không tìm thấy tệp danh sách đơn vị {path}.")
    try:
        rows = read_rows(path)
    except NotATable as exc:  # a Word document, a PDF, a picture: say what it is
        raise RosterError(f"Tệp danh sách đơn vị {path} thực chất là {exc.what}, không phải bảng tính Excel. "
                          f"{exc.advice}") from exc
    except Exception as exc:  # any other reader failure is the same message to a clerk
        raise RosterError(f"Không đọc được tệp danh sách đơn vị {path} ({exc}). "
                          "Hãy lưu danh sách dạng .xlsx hoặc .csv.") from exc
    header = [clean(cell_text(c)) for c in (rows[0] if rows else [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError(f"Tệp danh sách đơn vị {path} thiếu cột {', '.join(missing)}. "
                          f"Dòng tiêu đề cần có: {', '.join(COLUMNS)} (Khối, Email, Điện thoại không bắt buộc).")
    units: list[RosterUnit] = []
    seen: dict[str, int] = {}
    positions = {COLUMNS[c]: header.index(c) for c in COLUMNS if c in header}
    for index, row in enumerate(rows[1:], start=2):
        values = {key: clean(cell_text(row[at])) if at < len(row) else "" for key, at in positions.items()}
        if not any(values.values()):
            continue
        if not values["code"]:
            raise RosterError(f"Tệp danh sách đơn vị {path}, dòng {index}: thiếu Mã CĐCS cho đơn vị "
                              f"'{values['name']}'.")
        if values["code"] in seen:
            raise RosterError(f"Tệp danh sách đơn vị {path}, dòng {index}: Mã CĐCS '{values['code']}' "
                              f"trùng với dòng {seen[values['code']]}.")
        seen[values["code"]] = index
        units.append(RosterUnit(**values))
    if not units:
        raise RosterError(f"Tệp danh sách đơn vị {path} không có đơn vị nào.")
    return units
