"""One consolidation, built once and then only read: the files settled, the figures merged, the comparison with
last period. Every output is a function of it (outputs/); the register and the console summary read it too."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pipeline.form import FormSpec
from pipeline.ledger import Ledger
from pipeline.merge import Figures, merge

if TYPE_CHECKING:
    from pipeline.narratives.corrections import Correction
    from pipeline.office_part import OfficePart
    from pipeline.previous.compare import Change
    from pipeline.previous.read import PreviousPeriod

NOTHING_SINCE = {"previous_run": None, "new_files": [], "removed_files": [], "units_changed": []}


@dataclass(frozen=True)
class Consolidation:
    spec: FormSpec  # the form as this run consolidates it (its period chosen)
    ledger: Ledger  # every file in one state, every unit its reporting status
    figures: Figures  # the accepted units' figures, province and Khối
    previous: PreviousPeriod | None = None  # last period's figures (--previous)
    # The units last period's figures are compared over, or None: the province totals (previous/compare.py).
    compared: frozenset[str] | None = None
    changes: dict[str, Change] = field(default_factory=dict)  # per count and money field, since last period
    unit_figures: dict[str, dict[str, float]] = field(default_factory=dict)  # per unit, when compared like for like
    since: dict = field(default_factory=lambda: dict(NOTHING_SINCE))  # since the last run (register.py)
    # The office's corrections of the grouping in force (narratives/corrections.py), already applied to
    # figures.themes: how many found their point, and those whose point no longer exists.
    corrections: tuple[Correction, ...] = ()
    corrections_applied: int = 0
    corrections_missing: tuple[Correction, ...] = ()
    office_part: OfficePart | None = None  # the office's own texts and figures, first in each section of the draft


def consolidate(spec: FormSpec, ledger: Ledger, previous: PreviousPeriod | None = None,
                since: dict | None = None, corrections: list[Correction] | None = None,
                office_part: OfficePart | None = None) -> Consolidation:
    """The figures merged and compared with last period, once; the office's corrections of the grouping
    applied to the groups every output reads."""
    from pipeline.previous.compare import compared_units, like_for_like_changes, province_changes

    figures = merge(spec, ledger)
    applied, missing = 0, []
    if corrections:
        from pipeline.narratives.corrections import apply_corrections

        themes, applied, missing = apply_corrections(figures.themes, corrections)
        figures = replace(figures, themes=themes)
    compared = compared_units(previous, {str(code) for code in figures.units[spec.roles.unit_code]})
    units = unit_figures(spec, figures) if compared is not None else {}
    changes = (province_changes(spec, previous, figures.totals) if compared is None  # without previous: current only
               else like_for_like_changes(spec, previous, units, compared))
    return Consolidation(spec, ledger, figures, previous, compared, changes, units, since or dict(NOTHING_SINCE),
                         tuple(corrections or ()), applied, tuple(missing), office_part)


def unit_figures(spec: FormSpec, figures: Figures) -> dict[str, dict[str, float]]:
    """Each accepted unit's count and money figures (blank ones left out), by unit code."""
    codes = [f.code for f in spec.numeric_fields]
    return {str(unit): {c: v for c, v in zip(codes, values) if v == v}
            for unit, *values in figures.units[[spec.roles.unit_code, *codes]].itertuples(index=False)}
