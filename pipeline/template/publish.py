"""Write the blank template and, from a roster, one prefilled copy per unit."""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.files import atomic_write_bytes
from pipeline.form import FormSpec
from pipeline.roster import RosterUnit
from pipeline.template.build import UnitCopy, build_template


def unit_file_name(spec: FormSpec, code: str) -> str:
    """`<form-id>-<unit code>.xlsx`, the code made safe for every file system."""
    safe = re.sub(r"[^0-9A-Za-z._-]+", "_", code).strip("._") or "don-vi"
    return f"{spec.id}-{safe}.xlsx"


def publish_templates(spec: FormSpec, out_dir: Path, roster: list[RosterUnit] | None = None) -> list[Path]:
    """The blank template `<form-id>.xlsx`, then a copy per roster unit; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    blank = out_dir / f"{spec.id}.xlsx"
    atomic_write_bytes(blank, build_template(spec))
    written = [blank]
    for unit in roster or []:
        path = out_dir / unit_file_name(spec, unit.code)
        atomic_write_bytes(path, build_template(spec, UnitCopy(unit.code, unit.name)))
        written.append(path)
    return written
