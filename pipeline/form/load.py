"""Load a form spec from its TOML file and refuse a broken one with a message naming the file and field."""
from __future__ import annotations

import datetime as dt
import importlib.resources
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.form.expressions import ExpressionError, parse_expression
from pipeline.form.model import (
    KINDS,
    OFFICE_KINDS,
    ChartSpec,
    DerivedSpec,
    FieldSpec,
    FormSpec,
    OfficeFieldSpec,
    PeriodSpec,
    RolesSpec,
    RuleSpec,
    SectionSpec,
    SentenceSpec,
)


def _bundled_specs() -> Path:
    """The form specs that ship with the tool. Installed, they are the package's data `pipeline/schemas/`
    (setup.cfg maps the top-level schemas/ there); in a checkout or an editable install, that folder itself."""
    installed = Path(str(importlib.resources.files("pipeline"))) / "schemas"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "schemas"


SCHEMAS_DIR = _bundled_specs()
DEFAULT_FORM = "bao-cao-cd-2023"

_FORM_KEYS = {
    "id": str, "version": str, "title": str, "short_title": str, "period": str, "year": int,
    "deadline": dt.date, "document": str, "issuer": str, "office": str, "parent_org": str, "recipient": str,
    "place": str, "send_to": str, "period_wording": str, "symbol": str,
}
_OPTIONAL_FORM_KEYS = {"period_wording", "symbol"}
FORM_KEYS = tuple(k for k in _FORM_KEYS if k not in _OPTIONAL_FORM_KEYS)  # also the names the intro may use
_SECTION_KEYS = {"code": str, "title": str, "hint": str, "parent": str, "numbered": bool}
_FIELD_KEYS = {
    "code": str, "label": str, "section": str, "kind": str, "unit": str, "required": bool,
    "minimum": int, "hint": str, "choices": list, "aggregate": str, "weight": str, "outlier": bool,
    "min_length": int, "previous": str,
}
_RULE_KEYS = {"id": str, "check": str, "when": str, "severity": str, "message": str, "short": str}
_DERIVED_KEYS = {"id": str, "label": str, "expression": str, "format": str, "unit": str}
_ROLE_KEYS = {"unit_code": str, "unit_name": str, "size": str, "recommendations": str, "report_date": str,
              "period": str}
_PERIOD_KEYS = {"label": str, "deadline": dt.date}
_REPORT_KEYS = {"intro": str, "sentences": list, "plans_section": str}
_OFFICE_FIELD_KEYS = {"code": str, "label": str, "section": str, "kind": str, "unit": str, "hint": str}
_SENTENCE_KEYS = {"section": str, "text": str, "when": str}
_CHART_KEYS = {"title": str, "fields": list}
_REQUIRED = {
    "derived": {"id", "label", "expression", "format"},
    "form": set(_FORM_KEYS) - _OPTIONAL_FORM_KEYS,
    "periods": {"label", "deadline"},
    "roles": {"unit_code", "unit_name"},
    "report": set(),
    "sentences": {"section", "text"},
    "charts": {"title", "fields"},
    "sections": {"code", "title"},
    "fields": {"code", "label", "section", "kind"},
    "office_fields": {"code", "label", "section", "kind"},
    "rules": {"id", "check", "severity", "message", "short"},
}
_ROLE_KINDS = {"unit_code": ("text",), "unit_name": ("text",), "size": ("count",), "recommendations": ("narrative",),
               "report_date": ("date",), "period": ("choice",)}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_INTRO_NAMES = {**{key: "" for key in _FORM_KEYS}, "next_year": "", "units": "", "share": "", "period_phrase": "",
                "scope": ""}
SCOPE = "scope"  # the placeholder of a sentence or the intro for "Theo báo cáo của 32/40 CĐCS" (outputs/report.py)
# A defined name must not look like a cell reference (A1 or R1C1 style) or Excel refuses it.
_CODE = re.compile(r"^[a-z][a-z0-9_]*$", re.IGNORECASE)
_CELL_LIKE = re.compile(r"^([a-z]{1,3}[0-9]+|r[0-9]*c[0-9]*|r|c)$", re.IGNORECASE)


class SpecError(ValueError):
    """A form spec that cannot be used; the message names the spec file and the part at fault."""


def resolve_form(form: str | Path | None) -> Path:
    """The spec file for a form id or path: an existing path, `./schemas/<id>.toml`, or the bundled schemas."""
    name = str(form or DEFAULT_FORM)
    candidates = [Path(name), Path("schemas") / f"{name}.toml", SCHEMAS_DIR / f"{name}.toml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    known = ", ".join(sorted(p.stem for p in SCHEMAS_DIR.glob("*.toml"))) or "không có"
    raise SpecError(f"Không tìm thấy mẫu biểu '{name}'. Các mẫu có sẵn: {known}.")


def available_forms() -> list[Path]:
    """Every spec file a form id can name: the folder `schemas/` where the command runs first, then the bundled
    ones (a local file of the same name takes precedence, as in `resolve_form`)."""
    found: dict[str, Path] = {}
    for folder in (SCHEMAS_DIR, Path("schemas")):
        if folder.is_dir():
            found.update({path.stem: path for path in sorted(folder.glob("*.toml"))})
    return [found[name] for name in sorted(found)]


def load_spec(form: str | Path | None = None) -> FormSpec:
    """Load and check a form spec; every problem raises SpecError naming the file and the field."""
    path = resolve_form(form)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"Tệp mẫu biểu {path}: không đọc được ({exc}).") from exc
    return _Builder(path).build(raw)


class _Builder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.period_role: str | None = None

    def fail(self, where: str, what: str) -> SpecError:
        return SpecError(f"Tệp mẫu biểu {self.path}, {where}: {what}.")

    def build(self, raw: dict[str, Any]) -> FormSpec:
        unknown = set(raw) - set(_REQUIRED)
        if unknown:
            raise self.fail("mức ngoài cùng", f"mục không hợp lệ {sorted(unknown)}")
        periods = tuple(self.period(p, i) for i, p in enumerate(raw.get("periods", [])))
        form_raw = raw.get("form")
        if isinstance(form_raw, dict) and "deadline" not in form_raw and periods:
            # Each period has its own deadline: the form's own is the latest, not written twice.
            form_raw = {**form_raw, "deadline": max(p.deadline for p in periods)}
        form = self.table(form_raw, "form", "[form]", _FORM_KEYS)
        try:
            form.get("period_wording", "{period}").format(period="")
        except (KeyError, IndexError, ValueError) as exc:
            raise self.fail("[form] period_wording", f"chỉ dùng được chỗ thay thế {{period}} ({exc})") from exc
        roles_raw = raw.get("roles")
        self.period_role = roles_raw.get("period") if isinstance(roles_raw, dict) else None
        sections = tuple(self.section(s, i) for i, s in enumerate(raw.get("sections", [])))
        fields = tuple(self.field(f, i) for i, f in enumerate(raw.get("fields", [])))
        fields = self.period_choices(fields, raw.get("roles"), periods)
        self.check_references(sections, fields)
        by_code = {f.code: f for f in fields}
        rules = tuple(self.rule(r, i, by_code) for i, r in enumerate(raw.get("rules", [])))
        if len({r.id for r in rules}) != len(rules):
            raise self.fail("[[rules]]", "có hai quy tắc trùng id")
        derived = tuple(self.derived(d, i, by_code) for i, d in enumerate(raw.get("derived", [])))
        roles = self.roles(raw.get("roles"), by_code)
        report = self.table(raw.get("report", {}), "report", "[report]", _REPORT_KEYS)
        sections_known = {section.code for section in sections}
        sentences = tuple(self.sentence(x, i, by_code, sections_known) for i, x in enumerate(report.get("sentences", [])))
        intro = report.get("intro", "")
        try:
            intro.format(**_INTRO_NAMES)
        except (KeyError, IndexError, ValueError) as exc:
            raise self.fail("[report] intro", f"chỗ thay thế không hợp lệ ({exc})") from exc
        charts = tuple(self.chart(c, i, by_code) for i, c in enumerate(raw.get("charts", [])))
        office_fields = tuple(self.office_field(f, i, sections_known, by_code)
                              for i, f in enumerate(raw.get("office_fields", [])))
        if len({f.code for f in office_fields}) != len(office_fields):
            raise self.fail("[[office_fields]]", "có hai số liệu của văn phòng trùng mã")
        plans = report.get("plans_section")
        if plans is not None and plans not in sections_known:
            raise self.fail("[report] plans_section", f"mục '{plans}' không có trong [[sections]]")
        return FormSpec(**form, sections=sections, fields=fields, roles=roles, rules=rules, derived=derived,
                        charts=charts, sentences=sentences, intro=intro, source=str(self.path.resolve()),
                        periods=periods, office_fields=office_fields, plans_section=plans)

    def office_field(self, raw: Any, index: int, sections: set[str], fields: dict[str, FieldSpec]) -> OfficeFieldSpec:
        code = raw.get("code", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        where = f"số liệu của văn phòng '{code}' ([[office_fields]])"
        data = self.table(raw, "office_fields", where, _OFFICE_FIELD_KEYS)
        if not _CODE.match(data["code"]) or _CELL_LIKE.match(data["code"]):
            raise self.fail(where, "mã chỉ gồm chữ không dấu, số, dấu gạch dưới và không được giống địa chỉ ô")
        if data["code"] in fields:
            raise self.fail(where, "mã trùng với một trường của mẫu")
        if data["section"] not in sections:
            raise self.fail(where, f"mục '{data['section']}' không có trong [[sections]]")
        if data["kind"] not in OFFICE_KINDS:
            raise self.fail(where, f"kiểu '{data['kind']}' không hợp lệ; dùng một trong {list(OFFICE_KINDS)}")
        return OfficeFieldSpec(**data)

    def period(self, raw: Any, index: int) -> PeriodSpec:
        data = self.table(raw, "periods", f"kỳ thứ {index + 1} ([[periods]])", _PERIOD_KEYS)
        return PeriodSpec(**data)

    def period_choices(self, fields: tuple[FieldSpec, ...], roles: Any, periods: tuple[PeriodSpec, ...]):
        """The period role's drop-down offers the [[periods]]: its choices are theirs, written once."""
        code = roles.get("period") if isinstance(roles, dict) else None
        if bool(code) != bool(periods):
            raise self.fail("[roles] period", "[[periods]] và vai trò period phải cùng có hoặc cùng không có")
        if not periods:
            return fields
        labels = tuple(p.label for p in periods)
        if len(set(labels)) != len(labels):
            raise self.fail("[[periods]]", "có hai kỳ trùng tên")
        out = []
        for f in fields:
            if f.code == code and not f.required:
                raise self.fail(f"trường '{code}'", "trường chọn kỳ (vai trò period) phải có required = true")
            if f.code == code:
                if f.choices and f.choices != labels:
                    raise self.fail(f"trường '{code}'", "danh sách choices phải trùng các kỳ trong [[periods]] (hoặc bỏ trống)")
                f = replace(f, choices=labels)
            out.append(f)
        return tuple(out)

    def roles(self, raw: Any, fields: dict[str, FieldSpec]) -> RolesSpec:
        """The roles table: the unit's code and name are required, since files are matched by them."""
        if raw is None:
            raise self.fail("[roles]", "thiếu bảng [roles] (cần ít nhất unit_code và unit_name: mã trường của mã "
                                       "và tên đơn vị)")
        data = self.table(raw, "roles", "[roles]", _ROLE_KEYS)
        for role, code in data.items():
            if code not in fields:
                raise self.fail(f"[roles] {role}", f"trường '{code}' không có trong [[fields]]")
            if fields[code].kind not in _ROLE_KINDS[role]:
                raise self.fail(f"[roles] {role}", f"trường '{code}' phải có kiểu {' hoặc '.join(_ROLE_KINDS[role])}")
        if fields[data["unit_code"]].section != fields[data["unit_name"]].section:
            raise self.fail("[roles]", "mã và tên đơn vị phải cùng một mục (khối thông tin đơn vị)")
        return RolesSpec(**data)

    def sentence(self, raw: Any, index: int, fields: dict[str, FieldSpec], sections: set[str]) -> SentenceSpec:
        where = f"câu thứ {index + 1} của [report]"
        data = self.table(raw, "sentences", where, _SENTENCE_KEYS)
        if data["section"] not in sections:
            raise self.fail(where, f"mục '{data['section']}' không có trong [[sections]]")
        parts: list[tuple[str, Any, bool]] = []
        start = 0
        try:
            for match in _PLACEHOLDER.finditer(data["text"]):
                inner = match.group(1).strip()
                if inner == SCOPE:  # kept in the text, written in by the report
                    continue
                percent = inner.endswith(":%")
                expression = parse_expression(inner[:-2] if percent else inner)
                parts.append((data["text"][start:match.start()], expression, percent))
                start = match.end()
            when = parse_expression(data["when"]) if data.get("when") else None
        except ExpressionError as exc:
            raise self.fail(where, str(exc)) from exc
        parts.append((data["text"][start:], None, False))
        for expression in [e for _, e, _ in parts if e] + ([when] if when else []):
            self.numeric_only(where, expression.fields, fields)
        return SentenceSpec(section=data["section"], text=data["text"], when=when, parts=tuple(parts))

    def chart(self, raw: Any, index: int, fields: dict[str, FieldSpec]) -> ChartSpec:
        where = f"biểu đồ thứ {index + 1} ([[charts]])"
        data = self.table(raw, "charts", where, _CHART_KEYS)
        self.numeric_only(where, data["fields"], fields)
        if not data["fields"]:
            raise self.fail(where, "cần ít nhất một trường")
        return ChartSpec(title=data["title"], fields=tuple(data["fields"]))

    def derived(self, raw: Any, index: int, fields: dict[str, FieldSpec]) -> DerivedSpec:
        derived_id = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        where = f"chỉ số '{derived_id}'"
        data = self.table(raw, "derived", where, _DERIVED_KEYS)
        if data["format"] not in ("percent", "number", "money"):
            raise self.fail(where, "format chỉ nhận 'percent', 'number' hoặc 'money'")
        try:
            data["expression"] = parse_expression(data["expression"])
        except ExpressionError as exc:
            raise self.fail(where, str(exc)) from exc
        self.numeric_only(where, data["expression"].fields, fields)
        return DerivedSpec(**data)

    def numeric_only(self, where: str, names, fields: dict[str, FieldSpec]) -> None:
        """Figures computed from province totals may read count and money fields only."""
        for name in names:
            if not isinstance(name, str) or name not in fields or not fields[name].is_numeric:
                raise self.fail(where, f"'{name}' không phải một trường số trong [[fields]]")

    def table(self, raw: Any, kind: str, where: str, keys: dict[str, type]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, "thiếu hoặc không phải một bảng")
        missing = _REQUIRED[kind] - set(raw)
        if missing:
            raise self.fail(where, f"thiếu khóa {sorted(missing)}")
        for key, value in raw.items():
            if key not in keys:
                raise self.fail(where, f"khóa không hợp lệ '{key}'")
            if not isinstance(value, keys[key]) or (keys[key] is int and isinstance(value, bool)):
                raise self.fail(where, f"khóa '{key}' phải có kiểu {keys[key].__name__}, đang là {value!r}")
        return dict(raw)

    def section(self, raw: Any, index: int) -> SectionSpec:
        code = raw.get("code", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        return SectionSpec(**self.table(raw, "sections", f"mục '{code}'", _SECTION_KEYS))

    def field(self, raw: Any, index: int) -> FieldSpec:
        code = raw.get("code", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        where = f"trường '{code}'"
        data = self.table(raw, "fields", where, _FIELD_KEYS)
        if not _CODE.match(data["code"]) or _CELL_LIKE.match(data["code"]):
            raise self.fail(where, "mã trường chỉ gồm chữ không dấu, số, dấu gạch dưới và không được giống địa chỉ ô")
        if data["kind"] not in KINDS:
            raise self.fail(where, f"kiểu '{data['kind']}' không hợp lệ; dùng một trong {list(KINDS)}")
        if data["kind"] == "choice" and not data.get("choices") and data["code"] != self.period_role:
            raise self.fail(where, "kiểu choice cần danh sách 'choices'")
        if data.get("aggregate", "sum") not in ("sum", "weighted_mean"):
            raise self.fail(where, "aggregate chỉ nhận 'sum' hoặc 'weighted_mean'")
        if data.get("aggregate") == "weighted_mean" and not data.get("weight"):
            raise self.fail(where, "aggregate = 'weighted_mean' cần khóa 'weight'")
        data["choices"] = tuple(data.get("choices", ()))
        if data["kind"] in ("count", "money"):
            data.setdefault("minimum", 0)
        return FieldSpec(**data)

    def check_references(self, sections: tuple[SectionSpec, ...], fields: tuple[FieldSpec, ...]) -> None:
        section_codes = [s.code for s in sections]
        if len(set(section_codes)) != len(section_codes):
            raise self.fail("[[sections]]", "có hai mục trùng mã")
        for section in sections:
            if section.parent and section.parent not in section_codes:
                raise self.fail(f"mục '{section.code}'", f"mục cha '{section.parent}' không tồn tại")
        seen: set[str] = set()
        for f in fields:
            if f.code.lower() in seen:
                raise self.fail(f"trường '{f.code}'", "mã trường bị trùng")
            seen.add(f.code.lower())
            if f.section not in section_codes:
                raise self.fail(f"trường '{f.code}'", f"mục '{f.section}' không có trong [[sections]]")
        numeric = {f.code for f in fields if f.kind in ("count", "money")}
        for f in fields:
            if f.weight and f.weight not in numeric:
                raise self.fail(f"trường '{f.code}'", f"trọng số '{f.weight}' không phải một trường số")

    def rule(self, raw: Any, index: int, fields: dict[str, FieldSpec]) -> RuleSpec:
        rule_id = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        where = f"quy tắc '{rule_id}'"
        data = self.table(raw, "rules", where, _RULE_KEYS)
        if data["severity"] not in ("error", "warning"):
            raise self.fail(where, "severity chỉ nhận 'error' hoặc 'warning'")
        try:
            data["check"] = parse_expression(data["check"])
            data["when"] = parse_expression(data["when"]) if data.get("when") else None
        except ExpressionError as exc:
            raise self.fail(where, str(exc)) from exc
        expressions = [e for e in (data["check"], data["when"]) if e]
        for name in (n for e in expressions for n in e.fields):
            if name not in fields:
                raise self.fail(where, f"trường '{name}' không có trong [[fields]]")
        try:
            data["message"].format(**{code: "" for code in fields})
        except (KeyError, IndexError, ValueError) as exc:
            raise self.fail(where, f"thông báo có chỗ thay thế không hợp lệ ({exc})") from exc
        return RuleSpec(**data)
