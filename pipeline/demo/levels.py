"""The two-level demo: each upper union of demo/data/levels.toml consolidates its own demo inbox under its own
name (consolidate.toml), and the level above rolls their consolidated workbooks up, as an office would do by
mail: each workbook copied into the inbox of the level above."""
from __future__ import annotations

import datetime as dt
import importlib.resources
import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.demo import MARKER_NAME, DemoError, build_demo
from pipeline.form import FormSpec
from pipeline.roster import RosterUnit
from pipeline.workspace import OFFICE_KEYS, WORKSPACE_NAME, with_office

TOP = "cap-tren"  # the folder of the level above


@dataclass(frozen=True)
class LevelsDemo:
    top_spec: FormSpec
    inbox: Path
    outbox: Path
    roster: list[RosterUnit]
    offices: list[tuple[str, Path]]  # (code, its consolidated workbook)


def build_levels(spec: FormSpec, directory: Path) -> LevelsDemo:
    """Each sub-office's demo built and consolidated, its workbook in the inbox of the level above."""
    from pipeline.outputs import workbook_name
    from pipeline.run import RunOptions, consolidate_inbox

    data = tomllib.loads((importlib.resources.files("pipeline.demo.data") / "levels.toml").read_text("utf-8"))
    root = Path(directory)
    if root.exists() and any(root.iterdir()) and not (root / MARKER_NAME).exists():
        raise DemoError(f"Thư mục {root} đã có dữ liệu không phải do lệnh demo tạo. Hãy chọn một thư mục khác, ví "
                        "dụ: consolidate demo --levels 2 thu-nghiem-2-cap")
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER_NAME).write_text("Thư mục dữ liệu mẫu do lệnh 'consolidate demo --levels 2' tạo; có thể xóa.\n",
                                    encoding="utf-8")
    top = root / TOP
    inbox, outbox = top / "inbox", top / "outbox"
    for folder in (inbox, outbox):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    offices = []
    for index, office in enumerate(data["offices"]):
        folder = root / office["code"]
        _write_office(folder, office)
        mine = with_office(spec, office)
        workspace = build_demo(mine, folder, seed=2023 + index, first_code=1 + 100 * (index + 1),
                               place=office.get("place_in_names", ""))
        options = RunOptions(inbox=workspace.inbox, outbox=workspace.outbox, roster=workspace.roster,
                             office_part=None, progress=False, allow_empty=True)
        consolidate_inbox(mine, options)
        made = workspace.outbox / workbook_name(mine.id)
        target = inbox / f"tong-hop-{office['code']}.xlsx"
        shutil.copyfile(made, target)
        sent = dt.datetime.combine(mine.deadline, dt.time(9)).timestamp()  # mailed up on the deadline day
        os.utime(target, (sent, sent))
        offices.append((office["code"], target))
    _write_office(top, data["top"])
    roster = [RosterUnit(o["code"], o["name"], "Công đoàn cấp trên cơ sở", o.get("email", "")) for o in data["offices"]]
    return LevelsDemo(with_office(spec, data["top"]), inbox, outbox, roster, offices)


def _write_office(folder: Path, office: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Đơn vị của thư mục này (dữ liệu mẫu). Xem: consolidate init", "[office]"]
    lines += [f'{key} = "{value}"' for key, value in office.items() if key in OFFICE_KEYS]
    (folder / WORKSPACE_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
