"""The office's own thesaurus (issue 24, end of point 4): the corrections of the grouping it made ("Phân nhóm câu",
kept in the register) written as themes beside its workspace, so that later runs and next year's form group those
points as the office did, with no register and no old workbook.

The file is `tu-dien-nhom-<form id>.toml` in the working folder (themes.office_thesaurus_path), in the format of
schemas/themes/<id>.toml: `[[themes]]` with id, label, fields, any (phrases), and optionally not, addressee. Its
themes come before the form's; one with the id of a form theme adds its phrases to that theme (the office's themes
only add phrases: a point two themes claim with the same score still stands alone). A file that cannot be used
refuses the run (SpecError, exit 2) naming the file and the line: a thesaurus half read would group points silently
otherwise.

`consolidate corrections --thesaurus FILE` writes one (thesaurus_text): per field and label a theme whose phrases
are the corrected points' whole texts folded to the matcher's words (a unit repeating its sentence next year is the
common case); a point moved into a group of sentences alike (a group without a theme) brings that group's words too;
a point moved into a form theme's group becomes phrases of that theme (its id). A point set apart ("riêng") cannot
be a theme: it is listed in a comment, as is a point the corrections of different periods send to different
groups."""
from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.form import FormSpec, SpecError
from pipeline.narratives.addressee import OFFICE, STATE, UNION
from pipeline.narratives.corrections import Correction, collapsed, section_text
from pipeline.narratives.themes import Theme, Thesaurus, syllables

_KEYS = ("id", "label", "fields", "any", "not", "addressee")
_ADDRESSEES = (STATE, UNION, OFFICE)
_HEADER = re.compile(r"\s*\[\[\s*themes\s*\]\]")
_TOML_LINE = re.compile(r"line (\d+)")


class ThesaurusExportError(ValueError):
    """The office's thesaurus cannot be written (no corrections, a register that cannot be read): in words."""


# ------------------------------------------------------------------------------------------------ reading
def combined(form: Thesaurus, path: Path, spec: FormSpec) -> Thesaurus:
    """The form's thesaurus with the office's themes from `path`: new ones first, one of a form theme's id adding
    its phrases to that theme (a phrase the theme has already is not counted twice)."""
    office = read_office_themes(path, spec)
    numbers = {theme.id: at for at, theme in enumerate(form.themes)}
    added: dict[int, list[str]] = {}
    new: list[Theme] = []
    for theme in office:
        if theme.id in numbers:
            added.setdefault(numbers[theme.id], []).extend(theme.phrases)
        else:
            new.append(theme)
    themes = [replace(theme, phrases=_distinct(theme.phrases + tuple(added[at]))) if at in added else theme
              for at, theme in enumerate(form.themes)]
    return Thesaurus((*new, *themes), form.restates, form.rating_words, form.boilerplate, form.office)


def _distinct(phrases) -> tuple[str, ...]:
    """Phrases once each, as the matcher reads them (a phrase listed twice would count twice)."""
    seen: dict[tuple[str, ...], str] = {}
    for phrase in phrases:
        seen.setdefault(tuple(syllables(phrase)), phrase)
    return tuple(seen.values())


def read_office_themes(path: Path, spec: FormSpec) -> list[Theme]:
    """The themes of the office's thesaurus; SpecError naming the file and the line when it cannot be used."""
    where = f"Từ điển nhóm của văn phòng {path}"
    advice = ("Sửa tệp (bằng Notepad, lưu dạng UTF-8) rồi chạy lại; hoặc đổi tên hay chuyển tệp đi để chạy không "
              "dùng nó.")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SpecError(f"{where}: không mở được ({exc.strerror or exc}). {advice}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SpecError(f"{where}, dòng {line}: không phải chữ UTF-8 (tệp được lưu bằng bảng mã khác). "
                        f"{advice}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        at = f", dòng {found.group(1)}" if found else ""
        raise SpecError(f"{where}{at}: sai cú pháp ({exc}). Mỗi dòng có dạng khóa = giá trị, chữ đặt trong ngoặc kép "
                        f"\"…\", danh sách trong [ ]. {advice}") from None
    lines = text.splitlines()
    for key in raw:
        if key != "themes":
            raise SpecError(f"{where}{_line_of_key(lines, key)}: “{key}” không dùng được trong từ điển của văn phòng "
                            f"(chỉ có các chủ đề [[themes]]). {advice}")
    entries = raw.get("themes", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SpecError(f"{where}{_line_of_key(lines, 'themes')}: “themes” phải là các bảng [[themes]]. {advice}")
    headers = [at + 1 for at, line in enumerate(lines) if _HEADER.match(line)]
    narrative = [f.code for f in spec.narrative_fields]
    themes: list[Theme] = []
    for number, entry in enumerate(entries, start=1):
        line = headers[number - 1] if len(headers) == len(entries) else None
        theme_at = f"{where}, dòng {line} (chủ đề [[themes]] thứ {number})" if line else f"{where}, chủ đề thứ {number}"

        def wrong(problem: str, theme_at: str = theme_at) -> SpecError:
            return SpecError(f"{theme_at}: {problem} {advice}")

        unknown = [key for key in entry if key not in _KEYS]
        if unknown:
            raise wrong(f"khóa “{unknown[0]}” không có nghĩa (các khóa dùng được: {', '.join(_KEYS)}).")
        for key in ("id", "label"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise wrong(f"thiếu {key} (một chuỗi chữ trong ngoặc kép).")
        phrases = _strings(entry, "any")
        if isinstance(phrases, str) or not phrases:
            raise wrong(phrases if isinstance(phrases, str) else "any phải có ít nhất một cụm từ.")
        excluded, fields = _strings(entry, "not"), _strings(entry, "fields")
        for listed in (excluded, fields):
            if isinstance(listed, str):
                raise wrong(listed)
        empty = next((p for p in (*phrases, *excluded) if not syllables(p)), None)
        if empty is not None:
            raise wrong(f"cụm từ “{empty}” không có chữ nào.")
        stray = next((code for code in fields if code not in narrative), None)
        if stray is not None:
            raise wrong(f"mục “{stray}” không phải mục thuyết minh của mẫu {spec.id} (các mục: {', '.join(narrative)}).")
        addressee = entry.get("addressee")
        if addressee is not None and addressee not in _ADDRESSEES:
            raise wrong(f"addressee “{addressee}” không có nghĩa (dùng một trong: {', '.join(_ADDRESSEES)}).")
        themes.append(Theme(entry["id"].strip(), collapsed(entry["label"]), _distinct(phrases), excluded, fields, addressee))
    return themes


def _strings(entry: dict, key: str) -> tuple[str, ...] | str:
    """A list of strings in the entry (none when absent), or what is wrong with it, in words."""
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f"{key} phải là một danh sách chuỗi chữ, như {key} = [\"…\", \"…\"]."
    return tuple(value)


def _line_of_key(lines: list[str], key: str) -> str:
    pattern = re.compile(rf"\s*(\[+\s*{re.escape(key)}\s*\]|\"?{re.escape(key)}\"?\s*=)")
    return next((f", dòng {at + 1}" for at, line in enumerate(lines) if pattern.match(line)), "")


# ------------------------------------------------------------------------------------------------ writing
@dataclass
class _Entry:
    field: str
    label: str
    theme_id: str | None  # a form theme's id: the phrases are added to that theme
    phrases: list[str] = field(default_factory=list)
    points: int = 0
    note: str = ""


@dataclass(frozen=True)
class Exported:
    """The thesaurus as text, and what it holds: themes, phrases, corrections used, points set apart or left out."""

    text: str
    themes: int
    phrases: int
    used: int
    alone: int
    conflicting: int


def thesaurus_text(spec: FormSpec, corrections: dict[str, list[Correction]], form: Thesaurus, office: Thesaurus,
                   source: str, now: dt.datetime) -> Exported:
    """The office's thesaurus from the corrections in force per period of the form. `form`: the form's own
    thesaurus (a group of one of its labels is that theme); `office`: the thesaurus runs use now (a label of a
    theme the office made is a name, not a sentence)."""
    order = {f.code: at for at, f in enumerate(spec.narrative_fields)}
    targets: dict[tuple[str, tuple[str, ...]], dict[str, tuple[str, Correction]]] = {}
    for period in sorted(corrections):
        for correction in corrections[period]:
            if correction.field not in order:
                continue
            words = tuple(syllables(correction.text))
            if not words:
                continue
            where = ALONE_KEY if correction.target[0] == "alone" else collapsed(correction.label).casefold()
            targets.setdefault((correction.field, words), {})[where] = (period, correction)
    named = {(c.field, collapsed(c.label).casefold()) for found in corrections.values() for c in found
             if c.target[0] == "new"}
    form_labels = {collapsed(t.label).casefold(): t for t in form.themes}
    theme_labels = {collapsed(t.label).casefold() for t in office.themes}
    entries: dict[tuple[str, str], _Entry] = {}
    alone: list[Correction] = []
    conflicting: list[tuple[Correction, ...]] = []
    used = 0
    for (code, words), where in sorted(targets.items(), key=lambda item: (order[item[0][0]], item[0][1])):
        if len(where) > 1:
            conflicting.append(tuple(c for _, c in where.values()))
            continue
        key, (_, correction) = next(iter(where.items()))
        used += 1
        if key == ALONE_KEY:
            alone.append(correction)
            continue
        entry = entries.get((code, key))
        if entry is None:
            label = collapsed(correction.label)
            theme = form_labels.get(key)
            if theme is not None and theme.fields and code not in theme.fields:
                theme = None
            entry = entries[code, key] = _Entry(code, label, theme.id if theme else None)
            if theme is not None:
                entry.note = f"chủ đề “{theme.id}” của mẫu: các cụm từ dưới đây được thêm vào chủ đề đó"
            elif (code, key) in named or key in theme_labels:
                entry.note = "nhóm văn phòng đặt tên"
            elif "…" in label:
                entry.note = ("nhóm các câu chỉ khác nhau ở con số: chỉ các ý văn phòng chuyển vào được ghi, các câu "
                              "khác của nhóm vẫn tự gom theo lời văn")
            else:  # a group of sentences alike, named by its sentence: its words bring its points along
                entry.phrases.append(" ".join(syllables(label)))
                entry.note = "nhóm các câu cùng lời văn: cụm từ đầu là lời văn của nhóm"
        entry.phrases.append(" ".join(words))
        entry.points += 1
    used_ids = {t.id for t in form.themes}
    chosen = sorted(entries.values(), key=lambda e: (order[e.field], e.theme_id is None, e.label.casefold()))
    for entry in chosen:
        if entry.theme_id is None:
            entry.theme_id = _unique(_slug(entry.label), entry.field, used_ids)
        used_ids.add(entry.theme_id)
    text, phrases = _toml(spec, source, now, chosen, alone, conflicting)
    return Exported(text, len(chosen), phrases, used, len(alone), len(conflicting))


def _toml(spec: FormSpec, source: str, now: dt.datetime, chosen: list[_Entry], alone: list[Correction],
          conflicting: list[tuple[Correction, ...]]) -> tuple[str, int]:
    """The thesaurus file's text (read back before it is returned) and how many phrases it holds."""
    lines = _head(spec, source, now)
    phrases = 0
    for entry in chosen:
        distinct = list(dict.fromkeys(entry.phrases))
        phrases += len(distinct)
        lines += ["", f"# {section_text(spec, entry.field)}: {entry.points} ý văn phòng đã chuyển vào ({entry.note})."
                  if entry.note else f"# {section_text(spec, entry.field)}: {entry.points} ý văn phòng đã chuyển vào.",
                  "[[themes]]", f"id = {_quoted(entry.theme_id)}", f"label = {_quoted(entry.label)}",
                  f"fields = [{_quoted(entry.field)}]", "any = ["]
        lines += [f"  {_quoted(p)}," for p in distinct]
        lines.append("]")
    if alone:
        lines += ["", "# Các ý văn phòng để riêng (“riêng”): một ý đứng riêng không thành chủ đề được, chỉ ghi lại đây "
                  "để tham khảo:"]
        lines += [f"# - {section_text(spec, c.field)}, {c.unit}: {_comment(c.text)}" for c in alone]
    if conflicting:
        lines += ["", "# Các ý được xếp vào nhóm khác nhau (ở các kỳ khác nhau, hoặc ở các đơn vị cùng lời văn): không "
                  "đưa vào chủ đề nào:"]
        for found in conflicting:
            first = found[0]
            lines.append(f"# - {section_text(spec, first.field)}, {first.unit}: {_comment(first.text)} → "
                         + "; ".join(f"“{c.typed()}”" for c in found))
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # what is written is read back as written (a fault here is the tool's)
    return text, phrases


ALONE_KEY = "\x00riêng"  # no label collapses to it


def _head(spec: FormSpec, source: str, now: dt.datetime) -> list[str]:
    name = f"tu-dien-nhom-{spec.id}.toml"
    return [
        f"# Từ điển nhóm ý kiến của văn phòng, mẫu {spec.id} ({spec.title}).",
        f"# Ghi lúc {now:%H:%M %d/%m/%Y} từ các chỉnh sửa phân nhóm (trang “Phân nhóm câu”) lưu trong {source}.",
        "#",
        f"# Đặt tệp này trong thư mục làm việc (thư mục có inbox/ và outbox/, nơi gõ lệnh consolidate) với tên {name}:",
        "# mọi lần tổng hợp sau, kể cả năm sau với hộp thư và thư mục kết quả mới, dùng nó cùng từ điển của mẫu, nên",
        "# ý đơn vị viết lại y như cũ được xếp vào đúng nhóm văn phòng đã chọn.",
        "#",
        "# Văn phòng được sửa tệp này (Notepad, lưu dạng UTF-8): thêm, bớt cụm từ trong any, đổi tên nhóm (label), xóa",
        "# cả một chủ đề. Mỗi chủ đề [[themes]]: id là mã (chữ không dấu, không trùng), label là tên nhóm, fields là",
        "# mục áp dụng, any là các cụm từ (chữ thường, trọn tiếng): ý chứa trọn một cụm từ được xếp vào nhóm đó; ở đây",
        "# mỗi cụm từ là cả một ý. Có thể thêm addressee = \"dang-nha-nuoc\", \"cong-doan\" hoặc \"van-phong\" (nơi nhận",
        "# kiến nghị) và not = [\"…\"] (cụm từ loại trừ). Chủ đề có id trùng một chủ đề của mẫu chỉ thêm cụm từ vào",
        "# chủ đề đó. Ý mà hai nhóm giành ngang nhau thì đứng riêng. Tệp sai cú pháp làm lệnh tổng hợp dừng (mã 2) và",
        "# báo dòng sai.",
    ]


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _slug(label: str) -> str:
    plain = unicodedata.normalize("NFD", label.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return slug[:60].rstrip("-") or "nhom"


def _unique(slug: str, code: str, used: set[str]) -> str:
    if slug not in used:
        return slug
    base = f"{slug}-{_slug(code)}"
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def write_thesaurus(spec: FormSpec, outbox: Path, path: Path, now: dt.datetime | None = None) -> tuple[Exported, list[str]]:
    """The corrections in force for the form (every period) in the outbox's register, written to `path` (never over
    a file: FileExistsError). Returns what was written and notes for the office, in words."""
    from pipeline.narratives.themes import _load, thesaurus_for
    from pipeline.register import REGISTER_NAME, Register, RegisterDamaged

    register_path = Path(outbox) / REGISTER_NAME
    if not register_path.is_file():
        raise ThesaurusExportError(f"Không có sổ tiếp nhận {register_path}: chưa có lần tổng hợp nào ghi vào {outbox}/ "
                                   "nên chưa có chỉnh sửa phân nhóm nào. Kiểm tra --outbox.")
    try:
        register = Register.open(Path(outbox), strict=True)
    except RegisterDamaged:
        raise ThesaurusExportError(f"Sổ tiếp nhận {register_path} bị hỏng, bị sửa tay hoặc của phiên bản khác: không "
                                   "đọc được các chỉnh sửa phân nhóm. Chạy tổng hợp một lần (sổ được lập lại), gõ lại "
                                   "chỉnh sửa ở trang “Phân nhóm câu”, chạy lại rồi ghi từ điển.") from None
    ours = {period: list(found) for (form_id, period), found in register.corrections.items() if form_id == spec.id}
    if not any(ours.values()):
        raise ThesaurusExportError(f"Sổ tiếp nhận {register_path} chưa có chỉnh sửa phân nhóm nào của mẫu {spec.id}: "
                                   "không ghi tệp. Gõ chỉnh sửa ở cột “Nhóm do văn phòng chọn” của trang “Phân nhóm câu”, "
                                   "chạy tổng hợp lại, rồi ghi từ điển.")
    form = _load(spec)
    try:
        current = thesaurus_for(spec)
    except SpecError:
        current = form
    exported = thesaurus_text(spec, ours, form, current, str(register_path),
                              now or dt.datetime.now().replace(microsecond=0))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # never over a file, even one made a moment ago
        handle.write(exported.text)
    return exported, _pending(spec, Path(outbox), register)


def _pending(spec: FormSpec, outbox: Path, register) -> list[str]:
    """A note when the outbox's workbook holds corrections typed since the last run (not in the register yet)."""
    from pipeline.narratives.corrections import changes, read_sheet
    from pipeline.outputs import workbook_name

    workbook = outbox / workbook_name(spec.id)
    if not spec.narrative_fields or not workbook.is_file() or register.wrote_as_is(workbook):
        return []
    read = read_sheet(workbook, spec)
    if changes(register.corrections_for(read.form or "", read.period or ""), read) is None:
        return []
    return [f"Bảng tổng hợp {workbook} có chỉnh sửa phân nhóm gõ sau lần tổng hợp cuối, chưa có trong sổ tiếp nhận "
            "nên chưa vào từ điển: chạy tổng hợp lại rồi ghi từ điển sang tên khác."]
