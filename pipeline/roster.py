"""The roster of grassroots unions staff keep (.xlsx or .csv): who is expected to report."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
        if path.suffix.lower() == ".csv":
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            table = pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
    except Exception as exc:  # any reader failure is the same message to a clerk
        raise RosterError(f"Không đọc được tệp danh sách đơn vị {path} ({exc}). "
                          "Hãy lưu danh sách dạng .xlsx hoặc .csv (UTF-8).") from exc
    table.columns = [_clean(str(c)) for c in table.columns]
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise RosterError(f"Tệp danh sách đơn vị {path} thiếu cột {', '.join(missing)}. "
                          f"Dòng tiêu đề cần có: {', '.join(COLUMNS)} (Khối, Email, Điện thoại không bắt buộc).")
    units: list[RosterUnit] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(table.to_dict("records"), start=2):
        values = {COLUMNS[c]: _clean(str(record.get(c, ""))) for c in COLUMNS if c in table.columns}
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


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()
