"""The draft's paragraphs from the groups: the points several units raise, in words that carry no one unit's
figure, date or name, with how many said it; then what a single unit reports of its own; recommendations by
addressee. A point that restates the form's figures or copies the guidance is never drafted. Pure text."""
from __future__ import annotations

import itertools
import re
from collections import Counter

from pipeline.narratives.addressee import LABELS, OFFICE, STATE, UNION, addressee
from pipeline.narratives.themes import FIGURE_RUN, Group, Thesaurus
from pipeline.vietnamese import lower_first, upper_first, vn_number

MARK = "[Dự thảo do công cụ lập từ thuyết minh của các CĐCS: văn phòng đọc lại, sửa trước khi dùng.]"
TOP = 6  # points per section
SPECIFICS = 3  # things a single unit reports, per section
_SPECIFIC = re.compile(r"[0-9]|mô hình|sáng kiến|điển hình|cách làm|lần đầu|đầu tiên|giải nhất|giải thưởng",
                       re.IGNORECASE)
# A day as units write it (23/5/2023: three figures, and a date)
_DAY = re.compile(r"[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{2,4})?")


def who(group: Group, unit_count: int, names: dict[str, str]) -> str:
    """"(12/40 đơn vị)", or the units' names when they are few; at the level above, also how many of the
    sub-offices those units belong to, when not all ("(41/120 đơn vị, thuộc 3/5 công đoàn cấp trên cơ sở)")."""
    units = group.units
    if len(units) <= 3:
        return "(" + ", ".join(names.get(code, code) for code in units) + ")"
    offices = {code.split("/", 1)[0] for code in units if "/" in code}  # the sub-office right under this one
    every = _offices(names) if offices else 0
    if len(offices) in (0, every):  # said only when it tells something: not when every sub-office's units say it
        return f"({len(units)}/{unit_count} đơn vị)"
    return f"({len(units)}/{unit_count} đơn vị, thuộc {len(offices)}/{every} công đoàn cấp trên cơ sở)"


_OFFICES: dict[int, tuple[dict, int]] = {}


def _offices(names: dict[str, str]) -> int:
    """How many sub-offices the merged units come from (units reporting directly count as none): once per names."""
    known = _OFFICES.get(id(names))
    if known is None or known[0] is not names:
        known = names, len({code.split("/", 1)[0] for code in names if "/" in code})
        _OFFICES.clear()
        _OFFICES[id(names)] = known
    return known[1]


def wording(group: Group, names: dict[str, str]) -> str | None:
    """The group's point in words that are every unit's: a sentence whose figures and days all of the group's
    sentences share and that names no unit; else, for sentences alike but for their figures, the range of each
    figure ("từ 49 đến 900"); else the theme's own label; None when nothing general can be said."""
    texts = list(dict.fromkeys(text for _, _, text in group.sentences))
    if len(group.units) == 1:
        return texts[0]
    shared = set.intersection(*(set(FIGURE_RUN.findall(text)) for text in texts))
    owners = {text: code for code, _, text in group.sentences}
    general = [text for text in texts if set(FIGURE_RUN.findall(text)) <= shared
               and not _names_its_unit(text, names.get(owners[text], ""))]
    if general:
        return group.representative if group.representative in general else general[0]
    ranged = _ranged(texts)
    if ranged is not None:
        return ranged
    return group.theme.label if group.theme else None


def _names_its_unit(text: str, name: str) -> bool:
    """The sentence names its own unit ("Trường THPT Hàm Rồng"): that is one unit's, not a shared point."""
    core = re.sub(r"^(công đoàn( cơ sở)?|cđcs)\s+", "", name.strip(), flags=re.IGNORECASE)
    return len(core) >= 6 and core.lower() in text.lower()


def _ranged(texts: list[str]) -> str | None:
    """Sentences the same but for their figures: the first, each figure that differs written as a range."""
    skeletons = {FIGURE_RUN.sub("#", text) for text in texts}
    if len(skeletons) != 1 or any(_DAY.search(text) for text in texts):
        return None  # different words, or days (a range of days says nothing)
    columns = list(zip(*(FIGURE_RUN.findall(text) for text in texts)))
    pieces = FIGURE_RUN.split(texts[0])
    out = [pieces[0]]
    for column, piece in zip(columns, pieces[1:]):
        values = sorted(set(column), key=_value)
        out.append(values[0] if len(values) == 1 else f"từ {_shown(values[0])} đến {_shown(values[-1])}")
        out.append(piece)
    return "".join(out)


def _value(text: str) -> float:
    """A figure as a Vietnamese unit writes it: "1.250" is 1250, "12,5" is 12.5."""
    whole, _, decimal = text.replace(".", "").partition(",")
    return float(f"{whole}.{decimal or 0}")


def _shown(text: str) -> str:
    value = _value(text)
    return vn_number(value, 0 if value.is_integer() else 1)


def points(groups: list[Group], unit_count: int, names: dict[str, str], thesaurus: Thesaurus) -> list[str]:
    """What several units say, most-said first; then a few specifics single units report (the first few only:
    a large province has hundreds of thousands of single points)."""
    shared = itertools.islice(((g, text) for g, text in _findings(groups, thesaurus, names) if len(g.units) > 1), TOP)
    alone = itertools.islice(((g, text) for g, text in _findings(groups, thesaurus, names)
                              if len(g.units) == 1 and _SPECIFIC.search(text)), SPECIFICS)
    return [f"{_sentence(text)} {who(g, unit_count, names)}" for g, text in (*shared, *alone)]


def plans(groups: list[Group], unit_count: int, names: dict[str, str], thesaurus: Thesaurus, limit: int = 4) -> str:
    """The units' own plans for next year as one short clause list, after the office's tasks: the few most units
    set themselves ("tổ chức tốt Đại hội… (12/32 đơn vị); …"); "" when no plan is shared by several units."""
    shared = itertools.islice(((g, text) for g, text in _findings(groups, thesaurus, names) if len(g.units) > 1),
                              limit)
    return "; ".join(f"{lower_first(_sentence(text))} {who(g, unit_count, names)}" for g, text in shared)


def _findings(groups: list[Group], thesaurus: Thesaurus, names: dict[str, str]):
    """The groups a draft may speak of, with their words: findings only (a point that restates the form's
    figures or copies the guidance is the figures section's, or nobody's)."""
    for group in groups:
        if thesaurus.kind_of(group.representative) != "finding":
            continue
        text = wording(group, names)
        if text is not None:
            yield group, text


def group_addressee(group: Group, office: tuple[str, ...] = ()) -> str | None:
    """Who the group's requests are for: what most of its sentences name, else the theme's own addressee."""
    default = group.theme.addressee if group.theme else None
    votes = Counter(addressee(text, default, office) for _, _, text in group.sentences)
    votes.pop(None, None)
    return votes.most_common(1)[0][0] if votes else default


def by_addressee(groups: list[Group], unit_count: int, names: dict[str, str],
                 thesaurus: Thesaurus) -> list[tuple[str, int, list[str]]]:
    """(heading, units raising them, points) for the State, the union organisation, then the unaddressed.
    Requests to the office itself are not forwarded: the workbook lists them ("Kiến nghị gửi văn phòng")."""
    sections = []
    kept = [(g, text, group_addressee(g, thesaurus.office)) for g, text in _findings(groups, thesaurus, names)]
    for key in (STATE, UNION, None):
        chosen = [(g, text) for g, text, to in kept if to == key]
        if not chosen:
            continue
        units = len({code for g, _ in chosen for code in g.units})
        lines = [f"{_sentence(text)} {who(g, unit_count, names)}" for g, text in chosen if len(g.units) > 1][:TOP * 2]
        lines += [f"{_sentence(text)} {who(g, unit_count, names)}" for g, text in chosen if len(g.units) == 1][:SPECIFICS]
        sections.append((LABELS[key], units, lines))
    return sections


def _sentence(text: str) -> str:
    """A unit's sentence as a point of the draft: its own words, without the closing full stop, opening with a
    capital (a point split at a ";" may start in lower case: "…; tư tưởng yên tâm công tác")."""
    return upper_first(_CONNECTIVE.sub("", text.rstrip(" .;"), count=1))


# A point's opening that ties it to the unit's sentence before it ("Tuy nhiên, …"): alone in a list it contrasts
# with nothing, so the point starts after it.
_CONNECTIVE = re.compile(r"^(?:tuy nhiên|bên cạnh đó|ngoài ra|mặt khác|do đó|vì vậy|vì thế|từ đó|đồng thời|"
                         r"nhìn chung|nhờ đó|qua đó)\s*,\s*", re.IGNORECASE)


__all__ = ["MARK", "OFFICE", "by_addressee", "group_addressee", "plans", "points", "who", "wording"]
