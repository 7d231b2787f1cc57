"""Whole-run benchmark of `consolidate` against the loops a user would write, on N returned workbooks.

    python benchmarks/bench_consolidate.py --files 1000,10000 --workdir /tmp/bench --keep
    python benchmarks/bench_consolidate.py --files 1000 --mode clean --skip-naive --no-phases

Realistic mode (the default, benchmarks/realistic.py): units of 20 to 900 staff whose figures and ratios
differ, narratives of a page or more, 15 % of files with a fault a unit makes; so warnings, rejections,
feedback copies and outliers appear as in a real inbox. Clean mode: files alike and faultless, as before.

For each N, in one run and on the same files (page cache warmed first), it times as subprocesses:
  * consolidate: the whole cold `consolidate --inbox … --outbox … --quiet` (fresh outbox), outputs included;
  * naive: `pandas.read_excel(f, sheet_name=None, engine="openpyxl")` over every file (reads only; only up to
    --naive-up-to files, since it takes about 0.1 s a file);
  * calamine: a bare python-calamine loop reading every sheet of every file;
then, in-process, the time of each phase; and, in realistic mode, the rates of the warnings: clean files
warned as outliers, injected slips caught. It prints the issue's targets (≤ 0.10 × naive, ≤ 2 × calamine,
t(10 N) ≤ 11 × t(N), peak < 1 GB at 10,000 files, outliers ≤ 2 %, slips caught ≥ 95 %) with "MISSED"
beside a missed one. No timing is asserted: it exits 0 unless the run itself fails (consolidate crashes or
is killed, an output is missing, or the workbook's count of accepted units is not what the files make).
Wall times on a shared machine vary by 10-30 %: use --repeat, and read the CPU-seconds table too.
A reused --workdir keeps its files (inbox-<mode>-N/, with a .json saying which generator made them).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script from anywhere: `tests` is a package at the repo root, not installed.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import realistic  # noqa: E402
from pipeline.form import FormSpec, load_spec  # noqa: E402
from pipeline.intake.names import ooxml_names, open_zip  # noqa: E402
from pipeline.template.build import build_template  # noqa: E402
from pipeline.template.fill import fill_template  # noqa: E402
from pipeline.template.layout import layout_for  # noqa: E402
from tests.filling import good_values  # noqa: E402

GENERATOR_VERSION = 3  # bump when the files made change, so a reused --workdir is rebuilt
SIZES = (15, 40, 90, 200, 500)  # staff per unit of the variants filled with openpyxl
SIZE_WEIGHTS = (20, 35, 25, 15, 5)
TARGET_NAIVE = 0.10
TARGET_CALAMINE = 2.0
TARGET_FEEDBACK_MS = 10.0  # per feedback copy
TARGET_OUTLIER_RATE = 0.02  # clean files given a peer-outlier warning
TARGET_CAUGHT_RATE = 0.95  # injected slips caught
RATES_UNITS = 1000  # units the warning rates are measured on (at most N)
TARGET_LINEAR = 1.1  # t(k N) <= 1.1 k t(N): 11 for 1,000 -> 10,000
TARGET_MEMORY_MB = 1024
MEMORY_TARGET_FILES = 10_000
SAMPLE_SECONDS = 0.05
PSS_EVERY = 10  # samples: PSS every 0.5 s
UNITS_ROW_LABEL = "Số đơn vị đã nhận báo cáo"
SUMMARY_SHEET = "Tổng hợp"
OUTPUTS = ("tong-hop-*.xlsx", "bao-cao-tong-hop-*.docx", "don-vi-chua-nop-hoac-muon.xlsx")  # every run writes these
DEADLINE_START = dt.datetime(2023, 11, 20, 7, 30)  # files arrive over the three weeks before the deadline
DEADLINE_SPAN = 20 * 86400  # seconds: the last file arrives on 10/12/2023, the deadline is 11/12/2023

# Figures varied per file: none is named by a rule, and the spread stays well inside what the outlier
# check tolerates (a factor of 5 off the median ratio), so every file stays accepted with no warning.
VARIED_COUNTS = {
    "tuyen_truyen_buoi": (2, 12), "sang_kien_so": (0, 10), "van_hoa_the_thao_buoi": (1, 8),
    "cuoc_thi_so": (0, 5), "khen_thuong_tap_the": (0, 4), "khen_thuong_ca_nhan": (0, 20),
    "can_bo_tap_huan": (2, 15), "kiem_tra_cuoc": (0, 4),
}
VARIED_SCALED = {"tham_hoi_luot": (0.6, 1.6), "ung_ho_quy_tien": (0.5, 2.0)}  # times the variant's own value
VARIED_TEXT = ("ma_cdcs", "ten_cdcs")
PATCHED = VARIED_TEXT + tuple(VARIED_COUNTS) + tuple(VARIED_SCALED) + ("thu_nhap_binh_quan",)

NAIVE_LOOP = """
import sys, pathlib, pandas
for f in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    pandas.read_excel(f, sheet_name=None, engine="openpyxl")
"""
CALAMINE_LOOP = """
import sys, pathlib
from python_calamine import CalamineWorkbook
for f in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    book = CalamineWorkbook.from_path(str(f))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
"""
# Times each phase of the real consolidate_inbox by wrapping the functions it calls (no logic copied).
PHASES = """
import sys, time, pathlib
import pipeline.run as run, pipeline.outputs as outputs, pipeline.validate as va, pipeline.merge as me
import pipeline.outputs.workbook as wb, pipeline.outputs.report as rp, pipeline.outputs.feedback as fb
from pipeline.form import load_spec
times = {}
def timed(module, name, label):
    inner = getattr(module, name)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            times[label] = times.get(label, 0.0) + time.perf_counter() - started
    setattr(module, name, wrapper)
for module, name, label in ((run, "discover", "discover"), (run, "read_files", "read (workers)"),
                            (va, "validate_submissions", "validate"), (run, "settle", "settle"),
                            (me, "merge", "merge"), (wb, "write_workbook", "write workbook"),
                            (rp, "write_report", "write report"), (fb, "write_feedback", "write feedback"),
                            (outputs, "write_outputs", "outputs (all)")):
    timed(module, name, label)
outputs.PARALLEL_FROM = 10 ** 9  # here the outputs are written one after another, so that each is timed
started = time.perf_counter()
spec = load_spec(None)
times["load spec"] = time.perf_counter() - started
run.consolidate_inbox(spec, run.RunOptions(inbox=pathlib.Path(sys.argv[1]), outbox=pathlib.Path(sys.argv[2]),
                                           progress=False, allow_empty=True))
total = time.perf_counter() - started
times["outputs (all)"] = times.pop("outputs (all)", float("nan"))
times["total in-process"] = total
copies = sum(1 for _ in (pathlib.Path(sys.argv[2]) / "phan-hoi").glob("*.xlsx"))
for label, seconds in times.items():
    print(f"{label}\\t{seconds:.3f}")
print(f"feedback copies\\t{copies}")
"""


# ---------------------------------------------------------------------------------------- generation
@dataclass
class Variant:
    """One filled workbook: its zip entries, and its figures sheet cut around the cells patched per file."""

    size: int
    base: dict
    entries: list[tuple[zipfile.ZipInfo, bytes]]
    sheet_part: str
    pieces: list[bytes]  # static XML between the patched cells: len(slots) + 1 pieces
    slots: list[tuple[str, str, str]]  # (field code, cell ref, style attribute) in document order


def make_variants(spec: FormSpec, scratch: Path) -> list[Variant]:
    layout = layout_for(spec)
    template = build_template(spec)
    variants = []
    for size in SIZES:
        values = good_values(spec, "CD-MAU", size)
        path = fill_template(template, values, scratch / f"variant-{size}.xlsx")
        data = path.read_bytes()
        archive = open_zip(data)
        _, parts = ooxml_names(archive)
        sheets = {layout.cells[code].sheet for code in PATCHED}
        assert len(sheets) == 1, "all patched fields are expected on one sheet"
        part = parts[sheets.pop()]
        pieces, slots = realistic.cut_around(archive.read(part), [(code, layout.cells[code].a1) for code in PATCHED],
                                             part)
        entries = [(info, archive.read(info.filename)) for info in archive.infolist()]
        variants.append(Variant(size, values, entries, part, pieces, slots))
    return variants


def file_values(variant: Variant, index: int, rng: random.Random) -> dict:
    code = f"CD{index:05d}"
    values = {"ma_cdcs": code, "ten_cdcs": f"Công đoàn cơ sở đơn vị {code}",
              "thu_nhap_binh_quan": rng.randrange(6_500_000, 12_000_000, 10_000)}
    for name, (low, high) in VARIED_COUNTS.items():
        values[name] = rng.randint(low, high)
    for name, (low, high) in VARIED_SCALED.items():
        values[name] = int(round(variant.base[name] * rng.uniform(low, high), -3 if variant.base[name] >= 10_000 else 0))
    return values


def patched_sheet(variant: Variant, values: dict) -> bytes:
    return realistic.patched_cells(variant.pieces, variant.slots, values)


def write_file(path: Path, variant: Variant, values: dict, mtime: float) -> None:
    sheet = patched_sheet(variant, values)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in variant.entries:
            target.writestr(info, sheet if info.filename == variant.sheet_part else data)
    path.write_bytes(buffer.getvalue())
    os.utime(path, (mtime, mtime))


def build_inbox(inbox: Path, count: int, variants: list[Variant]) -> float:
    """N files named like units' own, each with its own unit code; returns the seconds it took."""
    started = time.perf_counter()
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    for index in range(1, count + 1):
        rng = random.Random(index)  # file i is the same whatever N
        variant = rng.choices(variants, weights=SIZE_WEIGHTS)[0]
        mtime = DEADLINE_START.timestamp() + rng.uniform(0, DEADLINE_SPAN)
        write_file(inbox / f"bao-cao-CD{index:05d}.xlsx", variant, file_values(variant, index, rng), mtime)
    return time.perf_counter() - started


def build_realistic_inbox(inbox: Path, count: int, spec: FormSpec, skeleton: realistic.Skeleton) -> tuple[float, dict]:
    """N realistic files (benchmarks/realistic.py); returns the seconds it took and the faults put in them."""
    started = time.perf_counter()
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    faults: dict[str, int] = {}
    for index in range(1, count + 1):
        values, fault = realistic.unit_values(spec, index)
        if fault:
            faults[fault] = faults.get(fault, 0) + 1
        mtime = DEADLINE_START.timestamp() + random.Random(index).uniform(0, DEADLINE_SPAN)
        realistic.write_file(inbox / f"bao-cao-CD{index:05d}.xlsx", skeleton, values, mtime)
    return time.perf_counter() - started, faults


def inbox_for(workdir: Path, count: int, spec: FormSpec, variants_cache: dict, mode: str = "realistic") -> Path:
    """The inbox of `count` files under workdir, reused when a previous run of this generator made it."""
    inbox = workdir / f"inbox-{mode}-{count}"
    marker = workdir / f"inbox-{mode}-{count}.json"
    # Files made from another template layout are rebuilt: the cells they patch would no longer be the fields'.
    layout = hashlib.sha256(repr(sorted((c, r.sheet, r.a1) for c, r in layout_for(spec).cells.items())).encode())
    stamp = {"generator": GENERATOR_VERSION, "mode": mode, "files": count, "form": spec.id, "version": spec.version,
             "layout": layout.hexdigest()[:16]}
    if marker.exists() and inbox.is_dir():
        try:
            kept = json.loads(marker.read_text())
        except ValueError:
            kept = {}
        if {k: kept.get(k) for k in stamp} == stamp and sum(1 for _ in inbox.iterdir()) == count:
            print(f"  reusing {count:,} files in {inbox}", flush=True)
            variants_cache[f"faults-{count}"] = kept.get("faults", {})
            return inbox
    marker.unlink(missing_ok=True)
    if mode == "realistic":
        if "skeleton" not in variants_cache:
            variants_cache["skeleton"] = realistic.make_skeleton(spec, Path(tempfile.mkdtemp(dir=workdir)))
        seconds, faults = build_realistic_inbox(inbox, count, spec, variants_cache["skeleton"])
        variants_cache[f"faults-{count}"] = faults
        print(f"  built {count:,} realistic files in {seconds:.1f} s; faults put in {sum(faults.values()):,}: "
              f"{', '.join(f'{k} {v}' for k, v in sorted(faults.items()))}", flush=True)
        marker.write_text(json.dumps({**stamp, "faults": faults}))
        return inbox
    if "variants" not in variants_cache:
        started = time.perf_counter()
        scratch = workdir / "variants"
        scratch.mkdir(parents=True, exist_ok=True)
        variants_cache["variants"] = make_variants(spec, scratch)
        print(f"  filled {len(SIZES)} size variants with openpyxl in {time.perf_counter() - started:.1f} s", flush=True)
    seconds = build_inbox(inbox, count, variants_cache["variants"])
    print(f"  built {count:,} files in {seconds:.1f} s ({seconds / count * 1000:.2f} ms each) in {inbox}", flush=True)
    check_sample(inbox, count)
    marker.write_text(json.dumps(stamp))
    return inbox


def check_sample(inbox: Path, count: int) -> None:
    """`consolidate check` on a few generated files (one per variant, likely): all must be accepted, no problem."""
    picks = sorted({1, 2, 3, count // 2 or 1, count} & set(range(1, count + 1)))
    files = [str(inbox / f"bao-cao-CD{i:05d}.xlsx") for i in picks]
    done = subprocess.run([sys.executable, "-m", "pipeline", "check", "--json", *files],
                          capture_output=True, text=True, encoding="utf-8")
    try:
        records = json.loads(done.stdout)
    except ValueError:
        raise SystemExit(
            f"consolidate check failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}") from None
    bad = [r for r in records if r["status"] != "accepted" or r["problems"]]
    if bad:
        raise SystemExit("generated files are not clean:\n" + json.dumps(bad, ensure_ascii=False, indent=2))
    print(f"  consolidate check: {len(records)} sample files accepted, no problems", flush=True)


def warm_cache(inbox: Path) -> None:
    for path in inbox.iterdir():
        path.read_bytes()


# ---------------------------------------------------------------------------------------- measuring
def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
        except OSError:
            return _children_by_scan(pid)
    return found


def _children_by_scan(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    stat = handle.read()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                    found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def _tree(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(_children(pid))
    return pids


def _rss_kb(pid: int) -> int:
    """VmRSS from /proc/PID/status: O(1) for the kernel, cheap enough to read every few milliseconds."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int | None:
    """PSS from /proc/PID/smaps_rollup: pages shared by forked workers are split between them, not counted in
    each. The kernel walks the page tables for it (about 1 ms per 100 MB), so it is sampled less often."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class TreeSampler(threading.Thread):
    """Peak summed RSS (every SAMPLE_SECONDS) and PSS (every PSS_EVERY-th sample) of a process and its descendants."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_rss_kb = self.peak_processes = 0
        self.peak_pss_kb: int | None = None
        self.stop = threading.Event()
        self.available = os.path.isdir(f"/proc/{root}")

    def run(self) -> None:
        tick = 0
        while self.available and not self.stop.is_set():
            pids = _tree(self.root)
            self.peak_rss_kb = max(self.peak_rss_kb, sum(_rss_kb(pid) for pid in pids))
            self.peak_processes = max(self.peak_processes, len(pids))
            if tick % PSS_EVERY == 0:
                pss = [_pss_kb(pid) for pid in pids]
                if all(p is not None for p in pss):
                    self.peak_pss_kb = max(self.peak_pss_kb or 0, sum(pss))
            tick += 1
            self.stop.wait(SAMPLE_SECONDS)


@dataclass
class Timed:
    seconds: float
    returncode: int
    stdout: str = ""
    stderr: str = ""
    max_rss_mb: float | None = None  # /usr/bin/time: the largest single process of the tree
    tree_rss_mb: float | None = None
    tree_pss_mb: float | None = None
    processes: int = 0
    failure: str = ""
    cpu_seconds: float = 0.0


def timed_run(command: list[str], sample: bool = False) -> Timed:
    gnu_time = shutil.which("time", path="/usr/bin:/bin") if sample else None
    if gnu_time:
        command = [gnu_time, "-v", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                               errors="replace")
    sampler = TreeSampler(process.pid) if sample else None
    if sampler:
        sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = Timed(seconds, process.returncode, stdout, stderr)
    # CPU of the whole tree (workers are waited for, so theirs is included): steadier than wall time on a busy host.
    result.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if sampler:
        sampler.stop.set()
        sampler.join()
        if sampler.peak_rss_kb:
            result.tree_rss_mb = sampler.peak_rss_kb / 1024
            result.tree_pss_mb = sampler.peak_pss_kb / 1024 if sampler.peak_pss_kb is not None else None
            result.processes = sampler.peak_processes - (1 if gnu_time else 0)
    if gnu_time:
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
        result.max_rss_mb = int(match.group(1)) / 1024 if match else None
        result.stderr = re.sub(r"\n?\tCommand being timed:.*", "", stderr, flags=re.S)
        # GNU time prints "Exit status: 0" for a command killed by a signal: report the signal instead.
        signalled = re.search(r"Command terminated by signal (\d+)", stderr)
        if signalled:
            result.returncode = -int(signalled.group(1))
    return result


def accepted_units(workbook: Path) -> int | None:
    """The count of accepted units the consolidated workbook states on its summary sheet."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(SUMMARY_SHEET).to_python()
    for row in rows:
        if UNITS_ROW_LABEL in row:
            numbers = [v for v in row if isinstance(v, (int, float)) and not isinstance(v, bool)]
            return int(numbers[0]) if numbers else None
    return None


@dataclass
class Measured:
    files: int
    consolidate: Timed
    naive: Timed | None = None
    calamine: Timed | None = None
    accepted: int | None = None
    phases: list[tuple[str, float]] = field(default_factory=list)
    feedback: int = 0  # feedback workbooks the run wrote
    faults: dict = field(default_factory=dict)  # fault -> files it was put in (realistic mode)

    @property
    def accepted_wrong(self) -> bool:
        """Clean mode: every file accepted. Realistic: every file without a fault accepted, the faulty not all."""
        if self.accepted is None:
            return True
        faulty = sum(self.faults.values())
        return self.accepted != self.files if not faulty else not (self.files - faulty <= self.accepted < self.files)


def measure(workdir: Path, inbox: Path, count: int, skip_naive: bool, phases: bool, repeat: int,
            faults: dict | None = None) -> Measured:
    warm_cache(inbox)
    outbox = workdir / f"outbox-{count}"
    print(f"  consolidate on {count:,} files …", flush=True)
    runs = []
    for _ in range(repeat):
        shutil.rmtree(outbox, ignore_errors=True)
        run = timed_run([sys.executable, "-m", "pipeline", "--inbox", str(inbox), "--outbox", str(outbox), "--quiet"],
                        sample=True)
        run.failure = _run_failure(run, outbox)
        runs.append(run)
        if repeat > 1:
            print(f"    {run.seconds:.2f} s", flush=True)
        if run.failure:
            break
    run = next((r for r in runs if r.failure), None) or _best(runs)
    workbooks = sorted(outbox.glob("tong-hop-*.xlsx"))
    measured = Measured(count, run, accepted=accepted_units(workbooks[0]) if workbooks else None, faults=faults or {})
    measured.feedback = sum(1 for _ in (outbox / "phan-hoi").glob("*.xlsx"))
    print(f"    {'best ' if repeat > 1 else ''}{run.seconds:.2f} s, exit {run.returncode}, accepted units in workbook: "
          f"{measured.accepted}, feedback copies: {measured.feedback}", flush=True)
    if run.failure:
        print(f"    FAILED: {run.failure}\n{run.stderr[-3000:]}", flush=True)
    if not skip_naive:
        print(f"  naive openpyxl loop on {count:,} files …", flush=True)
        measured.naive = _best([_loop(NAIVE_LOOP, inbox) for _ in range(repeat)])
    print(f"  bare calamine loop on {count:,} files …", flush=True)
    measured.calamine = _best([_loop(CALAMINE_LOOP, inbox) for _ in range(repeat)])
    if phases:
        shutil.rmtree(outbox, ignore_errors=True)
        done = subprocess.run([sys.executable, "-c", PHASES, str(inbox), str(outbox)], capture_output=True,
                              text=True, encoding="utf-8")
        if done.returncode != 0:
            print(f"    phase timing failed:\n{done.stderr[-2000:]}")
        for line in done.stdout.splitlines():
            label, _, seconds = line.partition("\t")
            measured.phases.append((label, float(seconds)))
    return measured


def reruns(workdir: Path, inbox: Path, count: int, spec: FormSpec, variants_cache: dict) -> None:
    """The runs the office makes again and again: over the unchanged inbox, after 10 new files arrive, and a
    one-file run with a roster of 600 units; CPU of the process tree and wall time, beside a cold run."""
    outbox = workdir / f"outbox-rerun-{count}"
    shutil.rmtree(outbox, ignore_errors=True)
    command = [sys.executable, "-m", "pipeline", "--inbox", str(inbox), "--outbox", str(outbox), "--quiet"]
    print(f"  re-runs on {count:,} files …", flush=True)
    figures = [("cold run", timed_run(command)), ("re-run, inbox unchanged", timed_run(command))]
    skeleton = variants_cache.get("skeleton") or realistic.make_skeleton(spec, Path(tempfile.mkdtemp(dir=workdir)))
    added = []
    for index in range(count + 1, count + 11):
        values, _ = realistic.unit_values(spec, index)
        path = inbox / f"bao-cao-CD{index:05d}.xlsx"
        realistic.write_file(path, skeleton, values, DEADLINE_START.timestamp() + random.Random(index).uniform(0, DEADLINE_SPAN))
        added.append(path)
    try:
        figures.append(("re-run after 10 new files", timed_run(command)))
    finally:
        for path in added:
            path.unlink(missing_ok=True)
    single = workdir / "inbox-one"
    shutil.rmtree(single, ignore_errors=True)
    single.mkdir()
    shutil.copy2(next(iter(sorted(inbox.iterdir()))), single)
    roster = workdir / "roster-600.csv"
    roster.write_text("Mã CĐCS,Tên CĐCS\n" + "".join(f"CD{i:05d},Công đoàn đơn vị {i}\n" for i in range(1, 601)),
                      encoding="utf-8")
    shutil.rmtree(workdir / "outbox-one", ignore_errors=True)
    figures.append(("one-file run, roster of 600", timed_run([sys.executable, "-m", "pipeline", "--inbox", str(single),
                                                              "--outbox", str(workdir / "outbox-one"), "--roster",
                                                              str(roster), "--quiet"])))
    for label, run in figures:
        print(f"    {label:<30} CPU {run.cpu_seconds:6.2f} s   wall {run.seconds:6.2f} s   exit {run.returncode}")


def _run_failure(run: Timed, outbox: Path) -> str:
    """Why a consolidate run does not count ("" when it does): a bad exit, or an output missing from the outbox."""
    if run.returncode < 0:
        return f"killed by signal {-run.returncode}"
    if run.returncode not in (0, 1):
        return f"exit code {run.returncode}"
    missing = [pattern for pattern in OUTPUTS if not any(outbox.glob(pattern))]
    return f"outputs missing from the outbox: {', '.join(missing)}" if missing else ""


def _best(runs: list[Timed]) -> Timed:
    """The fastest run's time; memory peaks are the highest seen over all runs."""
    best = min(runs, key=lambda r: r.seconds)
    for name in ("max_rss_mb", "tree_rss_mb", "tree_pss_mb", "processes"):
        seen = [getattr(r, name) for r in runs if getattr(r, name) is not None]
        setattr(best, name, max(seen) if seen else None)
    return best


def _loop(code: str, inbox: Path) -> Timed:
    result = timed_run([sys.executable, "-c", code, str(inbox)])
    if result.returncode != 0:
        raise SystemExit(f"reference loop failed (exit {result.returncode}):\n{result.stderr[-4000:]}")
    print(f"    {result.seconds:.2f} s", flush=True)
    return result


# ---------------------------------------------------------------------------------------- report
def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def report(results: list[Measured], repeat: int = 1) -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\nPython {sys.version.split()[0]}, {cpus} CPUs available; times are wall seconds of a subprocess each"
          f"{f', best of {repeat}' if repeat > 1 else ''}.")
    print("Peak memory of consolidate: max single process (GNU time), and the summed RSS (sampled every "
          f"{SAMPLE_SECONDS * 1000:.0f} ms) / PSS (every")
    print(f"{SAMPLE_SECONDS * PSS_EVERY * 1000:.0f} ms) of the whole process tree. RSS counts pages shared by "
          "forked workers once per process; PSS splits them.\n")
    header = (f"{'N':>7} {'consolidate s':>13} {'naive s':>9} {'calamine s':>10} {'/naive ≤0.10':>15} "
              f"{'/calamine ≤2':>15} {'max proc MB':>11} {'tree RSS MB':>11} {'tree PSS MB':>11} {'procs':>5} "
              f"{'accepted':>9}")
    print(header)
    print("-" * len(header))
    for m in results:
        c = m.consolidate.seconds
        naive = f"{m.naive.seconds:9.2f}" if m.naive else f"{'—':>9}"
        to_naive = f"{c / m.naive.seconds:7.3f} {_mark(c / m.naive.seconds <= TARGET_NAIVE):>7}" if m.naive else f"{'—':>15}"
        to_cal = f"{c / m.calamine.seconds:7.2f} {_mark(c / m.calamine.seconds <= TARGET_CALAMINE):>7}"
        mem = m.consolidate
        fmt = lambda v: f"{v:11.0f}" if v is not None else f"{'—':>11}"  # noqa: E731
        accepted = f"{m.accepted}" + (" WRONG" if m.accepted_wrong else "")
        if m.consolidate.failure:
            accepted = "FAILED"
        print(f"{m.files:>7,} {c:13.2f} {naive} {m.calamine.seconds:10.2f} {to_naive} {to_cal} "
              f"{fmt(mem.max_rss_mb)} {fmt(mem.tree_rss_mb)} {fmt(mem.tree_pss_mb)} {mem.processes:>5} {accepted:>9}")
    print("\nCPU seconds (user + system, whole process tree; less disturbed by other load than wall time):")
    print(f"{'N':>7} {'consolidate':>11} {'naive':>8} {'calamine':>8} {'/naive':>7} {'/calamine':>9}")
    for m in results:
        c = m.consolidate.cpu_seconds
        naive = f"{m.naive.cpu_seconds:8.2f}" if m.naive else f"{'—':>8}"
        to_naive = f"{c / m.naive.cpu_seconds:7.3f}" if m.naive and m.naive.cpu_seconds else f"{'—':>7}"
        to_cal = f"{c / m.calamine.cpu_seconds:9.2f}" if m.calamine.cpu_seconds else f"{'—':>9}"
        print(f"{m.files:>7,} {c:11.2f} {naive} {m.calamine.cpu_seconds:8.2f} {to_naive} {to_cal}")
    if len(results) > 1:
        print("\nLinearity (target: t(k·N) ≤ 1.1·k·t(N), i.e. ≤ 11 for 1,000 → 10,000)")
        for a, b in zip(results, results[1:], strict=False):  # each size with the next
            k = b.files / a.files
            for name, ta, tb in (("consolidate", a.consolidate, b.consolidate), ("naive", a.naive, b.naive),
                                 ("calamine", a.calamine, b.calamine)):
                if ta is None or tb is None:
                    continue
                ratio = tb.seconds / ta.seconds
                mark = _mark(ratio <= TARGET_LINEAR * k) if name == "consolidate" else ""
                cpu = f"; CPU {tb.cpu_seconds / ta.cpu_seconds:6.2f}" if ta.cpu_seconds else ""
                print(f"  {name:<12} t({b.files:,})/t({a.files:,}) = {ratio:6.2f}  (files ×{k:g}, limit "
                      f"{TARGET_LINEAR * k:.1f}) {mark:<6}{cpu}")
    for m in results:
        if m.files >= MEMORY_TARGET_FILES and m.consolidate.tree_pss_mb is not None:
            peak = m.consolidate.tree_pss_mb
            print(f"\nMemory at {m.files:,} files: tree PSS peak {peak:.0f} MB, RSS {m.consolidate.tree_rss_mb:.0f} MB, "
                  f"largest process {m.consolidate.max_rss_mb or 0:.0f} MB (target < {TARGET_MEMORY_MB} MB on the "
                  f"tree PSS: pages forked processes share are counted once) {_mark(peak < TARGET_MEMORY_MB)}")
    for m in results:
        if m.phases:
            print(f"\nPhases of consolidate_inbox at {m.files:,} files (a second run, in-process, wrapped functions; "
                  "its outputs written one after another, where the cold run writes the workbook beside the rest):")
            phases = dict(m.phases)
            copies = int(phases.pop("feedback copies", 0))
            for label, seconds in phases.items():
                print(f"  {label:<18} {seconds:8.2f} s")
            if copies and phases.get("write feedback"):
                print(f"  feedback: {copies} copies, {phases['write feedback'] / copies * 1000:.1f} ms a copy "
                      f"(target ≤ {TARGET_FEEDBACK_MS:g} ms; the chase list included)")
    for m in results:
        if m.faults:
            print(f"\nAt {m.files:,} files: {sum(m.faults.values()):,} with a fault put in "
                  f"({', '.join(f'{k} {v}' for k, v in sorted(m.faults.items()))}); {m.accepted} units accepted; "
                  f"{m.feedback:,} feedback copies written.")
    wrong = [m.files for m in results if m.accepted_wrong]
    if wrong:
        print(f"\nWRONG: the consolidated workbook's count of accepted units is not what the files make for N = {wrong}")
    for m in results:
        if m.consolidate.failure:
            print(f"\nFAILED at {m.files:,} files: consolidate {m.consolidate.failure} after {m.consolidate.seconds:.1f} s; "
                  "its figures above are not a complete run.")


def report_fit(results: list[Measured]) -> None:
    """The cost of one more file, net of what a run costs whatever its size: the least-squares slope of CPU over
    the file counts measured (at least two), for consolidate and for calamine's bare read of the same files."""
    points = [(m.files, m.consolidate.cpu_seconds, m.calamine.cpu_seconds) for m in results
              if m.calamine is not None and not m.consolidate.failure]
    if len({files for files, _, _ in points}) < 2:
        return

    def slope(pairs: list[tuple[float, float]]) -> float:
        mean_x = sum(x for x, _ in pairs) / len(pairs)
        mean_y = sum(y for _, y in pairs) / len(pairs)
        return sum((x - mean_x) * (y - mean_y) for x, y in pairs) / sum((x - mean_x) ** 2 for x, _ in pairs)

    ours = slope([(files, cpu) for files, cpu, _ in points])
    bare = slope([(files, cpu) for files, _, cpu in points])
    counts = ", ".join(f"{files:,}" for files, _, _ in points)
    print(f"\nPer file (CPU, least-squares slope over {counts} files): consolidate {ours * 1000:.2f} ms, "
          f"calamine's bare read {bare * 1000:.2f} ms: {ours / bare:.1f}x (target <= 4x, stretch 3x)")


def report_rates(rates: realistic.Rates) -> None:
    print(f"\nWarnings on {rates.units:,} realistic units (benchmarks/realistic.py, through validate_submissions):")
    print(f"  clean files given a peer-outlier warning: {rates.outlier_files} = {rates.outlier_rate:.1%} "
          f"(target ≤ {TARGET_OUTLIER_RATE:.0%}) {_mark(rates.outlier_rate <= TARGET_OUTLIER_RATE)}; "
          f"given any problem: {rates.any_problem_files}")
    print(f"  injected slips (×10 or ÷10, money ×1000 or ÷1000, 2 % of units at a time) caught: {rates.caught} of "
          f"{rates.slips} = {rates.caught_rate:.1%} (target ≥ {TARGET_CAUGHT_RATE:.0%}) "
          f"{_mark(rates.caught_rate >= TARGET_CAUGHT_RATE)}")
    if rates.missed:
        missed: dict[str, int] = {}
        for item in rates.missed:
            name = item.split()[0]
            missed[name] = missed.get(name, 0) + 1
        print(f"  missed, by field: {', '.join(f'{k} {v}' for k, v in sorted(missed.items(), key=lambda kv: -kv[1]))}")


def _counts(values: list[str]) -> list[int]:
    counts = []
    for value in values:
        counts.extend(int(v.replace("_", "")) for v in value.split(",") if v.strip())
    return sorted(set(counts)) or [100]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", action="append", default=[], metavar="N[,N…]",
                        help="workbook counts to measure (repeatable or comma-separated; default 100)")
    parser.add_argument("--mode", choices=("realistic", "clean"), default="realistic",
                        help="realistic: units that differ, 15 %% with faults (default); clean: alike and faultless")
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow pandas/openpyxl loop")
    parser.add_argument("--naive-up-to", type=int, default=1000, metavar="N",
                        help="run the naive loop only up to N files (default 1000; it takes ~0.1 s a file)")
    parser.add_argument("--workdir", type=Path, help="where files are made and reused (default: a temporary dir)")
    parser.add_argument("--keep", action="store_true", help="keep the workdir, outboxes included")
    parser.add_argument("--repeat", type=int, default=1, metavar="R",
                        help="run each measurement R times and keep the fastest (default 1)")
    parser.add_argument("--reruns", action="store_true",
                        help="also time the re-run over the unchanged inbox, after 10 new files, and a one-file run")
    parser.add_argument("--no-phases", dest="phases", action="store_false",
                        help="skip the second, in-process run that times each phase")
    args = parser.parse_args(argv)
    counts = _counts(args.files)

    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="bench-consolidate-")) if temporary else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    spec = load_spec(None)
    variants: dict = {}
    results: list[Measured] = []
    try:
        for count in counts:
            print(f"N = {count:,}", flush=True)
            inbox = inbox_for(workdir, count, spec, variants, args.mode)
            skip_naive = args.skip_naive or count > args.naive_up_to
            results.append(measure(workdir, inbox, count, skip_naive, args.phases, max(1, args.repeat),
                                   variants.get(f"faults-{count}")))
            if args.reruns and args.mode == "realistic":
                reruns(workdir, inbox, count, spec, variants)
        report(results, max(1, args.repeat))
        report_fit(results)
        if args.mode == "realistic":
            report_rates(realistic.warning_rates(spec, min(max(counts), RATES_UNITS)))
    finally:
        if not args.keep:
            if temporary:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                for count in counts:
                    shutil.rmtree(workdir / f"outbox-{count}", ignore_errors=True)
        else:
            print(f"\nKept {workdir}")
    return 1 if any(m.accepted_wrong or m.consolidate.failure for m in results) else 0


if __name__ == "__main__":
    sys.exit(main())
