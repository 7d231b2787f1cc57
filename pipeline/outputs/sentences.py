"""Province figures written into Vietnamese sentences for the draft report: pure text, no files."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from pipeline.form import FormSpec
from pipeline.intake.rollup import on_roster
from pipeline.merge import Figures, totals_frame
from pipeline.previous.compare import movement
from pipeline.vietnamese import lower_first, vn_amount, vn_number, vn_percent


def section_sentences(spec: FormSpec, data: Figures, section: str, moved: Movements | None = None) -> str:
    """The spec's own sentences for a section, with the province figures written in, each followed by how its
    figures moved since last period when there is one; "" when the section has none."""
    frame = totals_frame(data.totals)
    texts = []
    for sentence in _applying(spec, section, frame):
        texts.append("".join(text + (_written(expression, percent, frame, _is_money(spec, expression))
                                     if expression else "") for text, expression, percent in sentence.parts))
        if moved is not None:  # the figures the sentence names by themselves, not those inside a ratio
            texts.append(moved.sentence(spec, [e.text.strip() for _, e, percent in sentence.parts
                                               if e is not None and not percent and e.text.strip() in spec.by_code]))
    return " ".join(t for t in texts if t)


def named_in_sentences(spec: FormSpec, data: Figures, section: str) -> set[str]:
    """The fields the section's written sentences state by themselves (not inside a ratio): a figure is said once,
    so the section's table leaves these out."""
    frame = totals_frame(data.totals)
    return {e.text.strip() for sentence in _applying(spec, section, frame) for _, e, percent in sentence.parts
            if e is not None and not percent and e.text.strip() in spec.by_code}


def _applying(spec: FormSpec, section: str, frame: pd.DataFrame):
    """The section's sentences whose `when` holds."""
    return [s for s in spec.sentences_in(section)
            if s.when is None or bool(s.when.evaluate(frame).fillna(False).iloc[0])]


@dataclass(frozen=True)
class Movements:
    """Last period's changes of the province figures, and how their sentences start ("So với năm 2022")."""

    changes: dict
    lead: str  # compare.basis_lead

    def sentence(self, spec: FormSpec, codes: list[str]) -> str:
        """"So với năm 2022, tổng số CBCCVCLĐ tăng 212 người (3,0%); …" over the figures named; "" when none moved."""
        items = []
        for code in dict.fromkeys(codes):
            words = movement(spec.by_code[code], self.changes[code]) if code in self.changes else ""
            if words:
                items.append(f"{lower_first(spec.by_code[code].label)} {words}")
        return f"{self.lead}, {'; '.join(items)}." if items else ""


def _written(expression, percent: bool, frame: pd.DataFrame, money: bool = False) -> str:
    value = float(expression.evaluate(frame).iloc[0])
    if math.isnan(value) or math.isinf(value):
        return "—"
    if percent:
        return vn_percent(value, 1)
    return vn_amount(value) if money else vn_number(value)


def _is_money(spec: FormSpec, expression) -> bool:
    """A money field named by itself in a sentence (not inside a ratio): written rounded in prose."""
    field = spec.by_code.get(expression.text.strip())
    return field is not None and field.kind == "money"


def figures_sentence(spec: FormSpec, data: Figures, section: str, moved: Movements | None = None,
                     lead: str = "Kết quả tổng hợp từ báo cáo của các CĐCS", numeric: bool = True) -> str:
    """Any section: its figures as "label: value unit" (unless `numeric` is False: they are in a table) and its
    yes/no answers as "n/N đơn vị"."""
    parts = []
    units = data.unit_count
    for field in spec.fields_in(section):
        if field.is_numeric and numeric:
            value = data.totals.get(field.code)
            if value is not None:
                shown = vn_amount(value) if field.kind == "money" else vn_number(value)
                parts.append(f"{lower_first(field.label)}: {shown} {field.unit}".rstrip())
        elif field.kind == "yes-no":
            yes = data.answers[field.code].get("Có", 0)
            parts.append(f"{yes}/{units} đơn vị {lower_first(field.label)}")
        elif field.kind == "choice":
            counts = ", ".join(f"{n} đơn vị {o.lower()}" for o, n in data.answers[field.code].items() if n)
            if counts:
                parts.append(f"{lower_first(field.label)}: {counts}")
    if not parts:
        return ""
    text = f"{lead}: " + "; ".join(parts) + "."
    if moved is not None and numeric:
        text = " ".join(filter(None, (text, moved.sentence(spec, [f.code for f in spec.fields_in(section)
                                                                  if f.is_numeric]))))
    return text


def reporting_sentence(ledger, deadline_text: str) -> str:
    units = ledger.units
    total = len(units)
    sent = sum(u.state != "missing" for u in units)
    on_time = sum(u.state == "on_time" for u in units)
    late = sum(u.state == "late" for u in units)
    rejected = sum(u.state == "rejected" for u in units)
    missing = [u.unit.name for u in units if u.state == "missing"]
    text = (f"Đến thời điểm tổng hợp, {sent}/{total} CĐCS đã gửi báo cáo ({vn_percent(sent, total)}); trong đó "
            f"{on_time} đơn vị gửi đúng hạn ({deadline_text}), {late} đơn vị gửi muộn, {rejected} đơn vị có tệp "
            "còn lỗi phải sửa lại.")
    if missing:
        text += f" Còn {len(missing)} đơn vị chưa gửi: {', '.join(missing)}."
    return text


def both_periods_sentence(previous, data: Figures, spec: FormSpec, like_for_like: bool = False,
                          roster: set[str] | None = None) -> str:
    """How many units reported in both periods, and which came or went (those no longer on the `roster`, when
    one is given, said apart): the comparison's own ground; with `like_for_like`, that the figures compared are
    those units' own."""
    from pipeline.previous.compare import new_unit_words, units_in_both

    both, new, gone = units_in_both(previous, {str(code) for code in data.units[spec.roles.unit_code]})
    dropped = {code for code in gone if roster is not None and not on_roster(code, roster)}
    text = f"So sánh với {previous.phrase}: {len(both)} đơn vị có báo cáo cả hai kỳ"
    if new:
        text += f"; {len(new)} đơn vị {new_unit_words(previous)}"
    if gone - dropped:
        text += f"; {len(gone - dropped)} đơn vị có số liệu {previous.phrase} nhưng chưa có báo cáo kỳ này"
    if dropped:
        text += f"; {len(dropped)} đơn vị có số liệu {previous.phrase} nay không còn trong danh sách đơn vị"
    from pipeline.outputs.workbook import compared_name

    text += f" (chi tiết ở trang \"{compared_name(spec)}\" của bảng tổng hợp)."
    if like_for_like and not both:
        text += (f" Không so sánh được: không đơn vị nào có số liệu cả hai kỳ (hãy xem lại cột Mã CĐCS của bảng số "
                 f"liệu {previous.phrase}).")
    elif like_for_like:
        text += (f" Bảng số liệu {previous.phrase} thiếu {len(new)} đơn vị có báo cáo kỳ này, nên các số so với "
                 f"{previous.phrase} dưới đây chỉ tính trên {len(both)} đơn vị có số liệu cả hai kỳ, không phải mọi đơn vị báo cáo kỳ này.")
    return text

