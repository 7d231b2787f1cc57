"""The demo's units and the people in them: names, head counts, phones, emails and the roster file."""
from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pandas as pd

from pipeline.demo.data import load_data
from pipeline.roster import COLUMNS, RosterUnit

_UNITS = load_data("units")


def demo_roster(rng: random.Random, first: int = 1, place: str = "") -> list[RosterUnit]:
    """About 40 units, coded CD001… (from `first`) in group order, with plausible (fake) contacts; with `place`,
    each name says where the unit is ("Công đoàn Trường THCS Lê Lợi (Thọ Xuân)"), so that several offices' demos
    hold units of their own."""
    units = []
    for group, names in _UNITS["groups"].items():
        for name in names:
            code = f"CD{len(units) + first:03d}"
            units.append(RosterUnit(code, f"Công đoàn {name}" + (f" ({place})" if place else ""), group, _email(name),
                                    phone(rng)))
    return units


def head_count(unit: RosterUnit, rng: random.Random) -> int:
    """A university or a hospital is large, an office small: by a word of the name, then by the group."""
    sizes = _UNITS["sizes"]
    low, high = next(((low, high) for word, low, high in sizes["by_name"] if word in unit.name),
                     sizes["by_group"].get(unit.group, sizes["default"]))
    return rng.randint(low, high)


def leadership(unit: RosterUnit) -> str:
    """Who the union sits with at the staff conference: a school's board, a hospital's directors…"""
    table = _UNITS["leadership"]
    return next((title for keyword, title in table["by_name"] if keyword in unit.name), table["default"])


def person(rng: random.Random) -> str:
    people = _UNITS["people"]
    if rng.random() < 0.5:
        return f"{rng.choice(people['surnames'])} {rng.choice(people['male_middle'])} {rng.choice(people['male_given'])}"
    return f"{rng.choice(people['surnames'])} {rng.choice(people['female_middle'])} {rng.choice(people['female_given'])}"


def phone(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**7):07d}"
    return f"{rng.choice(_UNITS['people']['mobile_prefixes'])}{digits[0]} {digits[1:4]} {digits[4:]}"


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in ascii_name if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", ascii_name)
    return f"cdcs.{''.join(words)[:24]}@example.vn"


def write_roster(units: list[RosterUnit], path: Path) -> Path:
    table = pd.DataFrame([(u.code, u.name, u.group, u.email, u.phone) for u in units], columns=list(COLUMNS))
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="Danh sách CĐCS", index=False)
        sheet = writer.sheets["Danh sách CĐCS"]
        for column, width in zip("ABCDE", (10, 62, 20, 36, 16)):
            sheet.column_dimensions[column].width = width
    return path
