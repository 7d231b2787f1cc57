"""The draft's paragraphs from the groups: the points most units raise, each in one unit's own words with how
many said it, then what a single unit reports of its own; recommendations by addressee. Pure text."""
from __future__ import annotations

import itertools
import re
from collections import Counter

from pipeline.narratives.addressee import LABELS, STATE, UNION, addressee
from pipeline.narratives.themes import Group

MARK = "[Dự thảo do công cụ lập từ thuyết minh của các CĐCS: văn phòng đọc lại, sửa trước khi dùng.]"
TOP = 6  # points per section
SPECIFICS = 3  # things a single unit reports, per section
# A unit's own figure, not a date or a year everyone shares ("ngày 20/5/2023", "năm 2024", "Nghị quyết 27").
_DATES = re.compile(r"\b[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{2,4})?\b|\b(?:19|20)[0-9]{2}\b|"
                    r"(?:số|quyết định|nghị quyết|nghị định|thông tư|chỉ thị|kế hoạch|hướng dẫn|điều|khoản)\s+[0-9][0-9/\-A-Za-zĐđ]*",
                    re.IGNORECASE)
_OWN_FIGURE = re.compile(r"[0-9]")
_SPECIFIC = re.compile(r"[0-9]|mô hình|sáng kiến|điển hình|cách làm|lần đầu|đầu tiên|giải nhất|giải thưởng",
                       re.IGNORECASE)


def who(group: Group, unit_count: int, names: dict[str, str]) -> str:
    """"(12/40 đơn vị)", or the units' names when they are few; a representative carrying figures says whose
    they are, so one unit's numbers never read as everyone's."""
    units = group.units
    if len(units) <= 3:
        return "(" + ", ".join(names.get(code, code) for code in units) + ")"
    text = group.representative
    owner = next((code for code, _, sentence in group.sentences if sentence == text), None)
    whose = f"; số liệu của {names.get(owner, owner)}" if owner and _OWN_FIGURE.search(_DATES.sub("", text)) else ""
    return f"({len(units)}/{unit_count} đơn vị{whose})"


def points(groups: list[Group], unit_count: int, names: dict[str, str]) -> list[str]:
    """What several units say, most-said first; then a few specifics single units report."""
    shared = list(itertools.islice((g for g in groups if len(g.units) > 1), TOP))
    lines = [f"{_sentence(g.representative)} {who(g, unit_count, names)}" for g in shared]
    # the first few only: a large province has hundreds of thousands of single points
    alone = list(itertools.islice((g for g in groups if len(g.units) == 1 and _SPECIFIC.search(g.representative)),
                                  SPECIFICS))
    lines += [f"{_sentence(g.representative)} {who(g, unit_count, names)}" for g in alone]
    return lines


def group_addressee(group: Group) -> str | None:
    """Who the group's requests are for: what most of its sentences name, else the theme's own addressee."""
    default = group.theme.addressee if group.theme else None
    votes = Counter(addressee(text, default) for _, _, text in group.sentences)
    votes.pop(None, None)
    return votes.most_common(1)[0][0] if votes else default


def by_addressee(groups: list[Group], unit_count: int, names: dict[str, str]) -> list[tuple[str, int, list[str]]]:
    """(heading, units raising them, points) for the State, the union organisation, then the unaddressed."""
    sections = []
    for key in (STATE, UNION, None):
        chosen = [g for g in groups if group_addressee(g) == key]
        if not chosen:
            continue
        units = len({code for g in chosen for code in g.units})
        lines = [f"{_sentence(g.representative)} {who(g, unit_count, names)}" for g in chosen
                 if len(g.units) > 1][:TOP * 2]
        lines += [f"{_sentence(g.representative)} {who(g, unit_count, names)}" for g in chosen
                  if len(g.units) == 1][:SPECIFICS]
        sections.append((LABELS[key], units, lines))
    return sections


def _sentence(text: str) -> str:
    """A unit's sentence as a point of the draft: its own words, without the closing full stop."""
    return text.rstrip(" .;")
