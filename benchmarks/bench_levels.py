"""The level above, timed (issue 27): K sub-offices each consolidate M realistic unit files under their own name
(consolidate.toml), then the level above rolls their K workbooks up. Prints each level's CPU of the process tree,
wall time and peak memory, and the roll-up's cost against one sub-office's.

    python benchmarks/bench_levels.py --offices 6 --units 300

The issue's full size (60 sub-offices of 1,500 units) is `--offices 60 --units 1500`: about 90,000 files and an
hour of a two-core machine."""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_consolidate as bench  # noqa: E402  (the benchmark's own helpers: realistic files, timing)
import realistic  # noqa: E402

from pipeline.form import load_spec  # noqa: E402

WORKBOOK = "tong-hop-bao-cao-cd-2023.xlsx"


def build_office(folder: Path, number: int, units: int, spec, skeleton) -> None:
    """Sub-office `number`'s inbox: realistic files of units number*M+1 … (number+1)*M, and its consolidate.toml."""
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    for index in range(number * units + 1, (number + 1) * units + 1):
        values, _ = realistic.unit_values(spec, index)
        realistic.write_file(inbox / f"bao-cao-CD{index:05d}.xlsx", skeleton, values,
                             bench.DEADLINE_START.timestamp())
    (folder / "consolidate.toml").write_text(
        f'[office]\ncode = "CAP{number + 1:02d}"\nname = "Công đoàn cấp trên cơ sở số {number + 1}"\n', encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=6)
    parser.add_argument("--units", type=int, default=300)
    args = parser.parse_args()
    spec = load_spec()
    consolidate = shutil.which("consolidate") or "consolidate"
    with tempfile.TemporaryDirectory(prefix="bench-levels-") as scratch:
        root = Path(scratch)
        skeleton = realistic.make_skeleton(spec, root)
        top = root / "top" / "inbox"
        top.mkdir(parents=True)
        subs = []
        for number in range(args.offices):
            folder = root / f"cap{number + 1:02d}"
            build_office(folder, number, args.units, spec, skeleton)
            subs.append(_in(folder, consolidate, number == 0))
            shutil.copyfile(folder / "out" / WORKBOOK, top / f"tong-hop-cap{number + 1:02d}.xlsx")
            shutil.rmtree(folder / "inbox")  # keep the scratch folder small
        rolled = _in(top.parent, consolidate, True)
        print(f"Cấp dưới: {args.offices} đơn vị, mỗi đơn vị {args.units} tệp CĐCS")
        first = subs[0]
        cpu = min(s.cpu_seconds for s in subs)
        print(f"  một đơn vị cấp dưới: CPU {cpu:.1f} s (nhỏ nhất trong {len(subs)}), thời gian {first.seconds:.1f} s, "
              f"bộ nhớ đỉnh {_memory(first)}")
        print(f"Cấp trên: {args.offices} bảng tổng hợp ({args.offices * args.units} CĐCS): CPU {rolled.cpu_seconds:.1f} s, "
              f"thời gian {rolled.seconds:.1f} s, bộ nhớ đỉnh {_memory(rolled)}, mã thoát {rolled.returncode}")
        print(f"  tỷ lệ CPU cấp trên / một đơn vị cấp dưới: {rolled.cpu_seconds / cpu:.2f}")
        if rolled.returncode not in (0, 1):
            print(f"  lỗi của lần chạy cấp trên:\n{rolled.stderr[-3000:]}\n{rolled.stdout[-2000:]}")


def _in(folder: Path, consolidate: str, sample: bool):
    """One consolidation in `folder` (its consolidate.toml applies), timed."""
    import os

    here = os.getcwd()
    os.chdir(folder)
    try:
        return bench.timed_run([consolidate, "--inbox", "inbox", "--outbox", "out", "--json"], sample=sample)
    finally:
        os.chdir(here)


def _memory(run) -> str:
    peak = getattr(run, "tree_pss_mb", None) or getattr(run, "tree_rss_mb", None) or getattr(run, "max_rss_mb", None)
    return f"{peak:.0f} MB" if peak else "?"


if __name__ == "__main__":
    main()
