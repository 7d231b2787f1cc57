"""A realistic demo workspace for any form: a roster of about 40 units, the returned workbooks with the
faults units make, and an empty outbox, to try the pipeline on. The units and each form's way of answering
are data (demo/data/); a form without a profile still gets a demo."""
from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.demo.figures import demo_values
from pipeline.demo.inbox import DemoInbox, fill_inbox, plan_inbox
from pipeline.demo.units import demo_roster, write_roster
from pipeline.form import FormSpec
from pipeline.roster import RosterUnit

ROSTER_NAME = "danh-sach-cdcs.xlsx"
MARKER_NAME = ".consolidate-demo"  # proves a directory was made by the demo, so refreshing it loses nothing

__all__ = ["DemoError", "DemoWorkspace", "build_demo", "demo_roster", "demo_values"]


@dataclass(frozen=True)
class DemoWorkspace:
    root: Path
    inbox: Path
    outbox: Path
    roster_path: Path
    roster: list[RosterUnit]
    file_count: int
    office_part: Path | None = None  # the office's own part, filled as an office would, when the form has a profile


class DemoError(ValueError):
    """The demo directory holds files the demo did not make: refuse rather than overwrite them."""


def build_demo(spec: FormSpec, directory: Path, seed: int = 2023, first_code: int = 1, place: str = "") -> DemoWorkspace:
    """Create (or refresh) the demo workspace in `directory`; nothing outside it is touched. Its units are coded
    from CD<first_code>, so that several offices' demos hold different units."""
    root = Path(directory)
    inbox, outbox, roster_path = root / "inbox", root / "outbox", root / ROSTER_NAME
    _claim(root, inbox, outbox, roster_path)
    rng = random.Random(seed)
    roster = demo_roster(rng, first_code, place)
    try:
        for folder in (inbox, outbox):
            shutil.rmtree(folder, ignore_errors=not folder.exists())
            folder.mkdir(parents=True)
        write_roster(roster, roster_path)
    except OSError as exc:  # on Windows, a demo file still open in Excel cannot be replaced
        raise DemoError(f"Không làm mới được dữ liệu mẫu trong {root} ({exc}). "
                        "Đóng các tệp của thư mục này đang mở trong Excel rồi chạy lại.") from exc
    box = DemoInbox(spec, inbox, rng)
    fill_inbox(spec, box, plan_inbox(roster, rng))
    box.write()
    return DemoWorkspace(root, inbox, outbox, roster_path, roster, box.count, _office_part(spec, root))


def _office_part(spec: FormSpec, root: Path) -> Path | None:
    """The office part beside the inbox, filled from demo/data/office-<form>.toml, when there is one."""
    import importlib.resources
    import tomllib

    from pipeline.files import atomic_write_bytes
    from pipeline.office_part import build_office_part, office_part_name

    profile = importlib.resources.files("pipeline.demo.data") / f"office-{spec.id}.toml"
    path = root / office_part_name(spec)
    if not profile.is_file():
        path.unlink(missing_ok=True)
        return None
    data = tomllib.loads(profile.read_text(encoding="utf-8"))
    atomic_write_bytes(path, build_office_part(spec, data.get("texts"), data.get("figures")))
    return path


def _claim(root: Path, inbox: Path, outbox: Path, roster_path: Path) -> None:
    """Refuse a directory holding someone's real inbox, outbox or roster; mark it as the demo's otherwise."""
    marker = root / MARKER_NAME
    linked = [p for p in (inbox, outbox) if p.is_symlink()]  # removing through a link would reach real data
    if linked:
        raise DemoError(f"{linked[0]} là liên kết tới thư mục khác; lệnh demo không ghi qua liên kết. "
                        "Hãy chọn một thư mục thường cho dữ liệu mẫu.")
    if not marker.exists():
        occupied = [p for p in (inbox, outbox) if p.is_dir() and any(p.iterdir())]
        occupied += [roster_path] if roster_path.exists() else []
        if occupied:
            names = ", ".join(str(p) for p in occupied)
            raise DemoError(f"Thư mục {root} đã có dữ liệu không phải do lệnh demo tạo ({names}). "
                            "Hãy chọn một thư mục khác cho dữ liệu mẫu, ví dụ: consolidate demo thu-nghiem")
    root.mkdir(parents=True, exist_ok=True)
    marker.write_text("Thư mục dữ liệu mẫu do lệnh 'consolidate demo' tạo; có thể xóa.\n", encoding="utf-8")
