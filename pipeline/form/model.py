"""The form spec's objects: sections, fields and rules, frozen once loaded."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property

from pipeline.form.expressions import Expression

NUMERIC_KINDS = ("count", "money")
KINDS = ("count", "money", "text", "narrative", "yes-no", "choice", "date")
YES, NO = "Có", "Không"


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    hint: str = ""
    parent: str | None = None
    numbered: bool = True  # False for a block such as the unit's identity, headed by its title alone

    @property
    def heading(self) -> str:
        """The guidance's own heading: "II.7. Công tác tài chính…" or "I. TÌNH HÌNH…"."""
        number = self.code.split(".")[-1] if self.parent else self.code
        return f"{number}. {self.title}" if self.numbered else self.title


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: str
    section: str
    kind: str
    unit: str = ""
    required: bool = False
    minimum: int | None = None
    hint: str = ""
    choices: tuple[str, ...] = ()
    aggregate: str = "sum"
    weight: str | None = None
    outlier: bool = False
    min_length: int = 40
    previous: str | None = None  # the code this field had in an earlier form, to find last period's figure

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def options(self) -> tuple[str, ...]:
        """The answers a drop-down offers: Có/Không or the spec's choices."""
        return (YES, NO) if self.kind == "yes-no" else self.choices


@dataclass(frozen=True)
class OfficeFieldSpec:
    """A figure of the office's own (awards it received, unions it founded, next year's targets): typed by the
    office in its own part (office_part.py), never by the units, and written in the report's tables."""

    code: str
    label: str
    section: str
    kind: str  # one of OFFICE_KINDS
    unit: str = ""
    hint: str = ""


OFFICE_KINDS = ("count", "money", "percent")


@dataclass(frozen=True)
class RuleSpec:
    id: str
    check: Expression
    severity: str
    message: str
    short: str
    when: Expression | None = None

    @property
    def guarded(self) -> tuple[str, ...]:
        """Fields that must all be filled for the rule to apply: a blank is reported on its own, not as a rule."""
        return tuple(dict.fromkeys((self.when.guarded if self.when else ()) + self.check.guarded))

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the rule reads, in order of appearance, `when` first."""
        names = list(self.when.fields) if self.when else []
        names += [name for name in self.check.fields if name not in names]
        return tuple(names)


@dataclass(frozen=True)
class DerivedSpec:
    """A figure computed from the province totals: a ratio, a share or a difference."""

    id: str
    label: str
    expression: Expression
    format: str  # "percent" | "number" | "money"
    unit: str = ""


@dataclass(frozen=True)
class RolesSpec:
    """The parts fields play in every form, so no code outside the spec names a form's field."""

    unit_code: str  # the unit's code: files are matched to the roster and to each other by it
    unit_name: str
    size: str | None = None  # the head count that outliers and per-person figures divide by
    recommendations: str | None = None  # the narrative that lists the units' recommendations
    report_date: str | None = None  # the date the unit signed its report: shown beside its figures
    period: str | None = None  # the choice of the date the figures are taken at, when the form has [[periods]]


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of figures by Khối (group of units) in the workbook's "Tổng hợp" sheet."""

    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SentenceSpec:
    """A sentence of the report: text with `{expression}` or `{expression:%}` over province figures."""

    section: str
    text: str
    when: Expression | None = None
    parts: tuple[tuple[str, Expression | None, bool], ...] = ()  # (literal text, expression, as percent)


@dataclass(frozen=True)
class PeriodSpec:
    """A date the figures are taken at, one of several a unit chooses between (Mẫu 1-HĐCĐ: 31/5 or 30/11)."""

    label: str
    deadline: dt.date


@dataclass(frozen=True, eq=False)  # hashed by identity: caches keyed on a spec would hash every field
class FormSpec:
    id: str
    version: str
    title: str
    short_title: str
    period: str
    year: int
    deadline: dt.date
    document: str
    issuer: str
    office: str
    parent_org: str
    recipient: str
    place: str
    send_to: str
    sections: tuple[SectionSpec, ...]
    fields: tuple[FieldSpec, ...]
    roles: RolesSpec
    rules: tuple[RuleSpec, ...] = field(default=())
    derived: tuple[DerivedSpec, ...] = field(default=())
    charts: tuple[ChartSpec, ...] = field(default=())
    sentences: tuple[SentenceSpec, ...] = field(default=())
    # The report's opening, over the [form] keys and {next_year}, {units}, {share}: see the spec file.
    intro: str = ""
    source: str = ""
    periods: tuple[PeriodSpec, ...] = ()  # the dates a unit chooses between; one, once a run has chosen
    period_wording: str = "năm {period}"  # how titles and sentences name the period
    office_fields: tuple[OfficeFieldSpec, ...] = ()  # the office's own figures, in its own part
    # The section of next year's tasks: the office's own tasks and targets, the units' plans in one short paragraph.
    plans_section: str | None = None
    office_code: str = ""  # the office's code (consolidate.toml): the level above tells roll-ups apart by it
    signer: str = ""  # who signs the report, under "CHỦ TỊCH" (consolidate.toml)
    symbol: str = ""  # the office's abbreviation in a document's number: "CĐVC" in "Số: …/BC-CĐVC"

    @property
    def document_number(self) -> str:
        """"…/BC-CĐVC": the number left for the office's clerk to give, the symbol the office's own."""
        return f"…/BC-{self.symbol or '…'}"

    @property
    def period_phrase(self) -> str:
        """"năm 2023"; "số liệu tính đến ngày 30/11/2024"; before a choice, every date joined with "hoặc"."""
        labels = " hoặc ".join(p.label for p in self.periods) if self.periods else self.period
        return self.period_wording.format(period=labels)

    @property
    def deadline_text(self) -> str:
        if len(self.periods) > 1:
            return ", ".join(f"{p.deadline:%d/%m/%Y} với kỳ {p.label}" for p in self.periods)
        return f"{self.deadline:%d/%m/%Y}"

    def for_period(self, label: str) -> FormSpec:
        """The form as one run consolidates it: that period, and its deadline."""
        chosen = next(p for p in self.periods if p.label == label)
        return replace(self, period=chosen.label, deadline=chosen.deadline, periods=(chosen,))

    @property
    def unit_section(self) -> str:
        """The section holding the unit's identity: the unit block of the template."""
        return self.by_code[self.roles.unit_code].section

    def office_fields_in(self, section: str) -> tuple[OfficeFieldSpec, ...]:
        return tuple(f for f in self.office_fields if f.section == section)

    def sentences_in(self, section: str) -> tuple[SentenceSpec, ...]:
        return tuple(s for s in self.sentences if s.section == section)

    @cached_property
    def by_code(self) -> dict[str, FieldSpec]:
        return {f.code: f for f in self.fields}

    @cached_property
    def section_by_code(self) -> dict[str, SectionSpec]:
        return {s.code: s for s in self.sections}

    def of_kind(self, *kinds: str) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.kind in kinds)

    @property
    def numeric_fields(self) -> tuple[FieldSpec, ...]:
        return self.of_kind(*NUMERIC_KINDS)

    @property
    def narrative_fields(self) -> tuple[FieldSpec, ...]:
        return self.of_kind("narrative")

    @property
    def figure_fields(self) -> tuple[FieldSpec, ...]:
        """Everything typed into the figures sheet: all but the narrative sections."""
        return tuple(f for f in self.fields if f.kind != "narrative")

    def fields_in(self, section: str) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.section == section)
