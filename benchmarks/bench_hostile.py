"""The hostile corpus and 420 mutants through a whole `consolidate` subprocess: states, codes, crashes, time, memory."""
from __future__ import annotations

import collections
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Run as a script from anywhere: `tests` is a package at the repo root, not installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.form import load_spec  # noqa: E402
from pipeline.template.build import build_template  # noqa: E402
from tests.test_hostile import PASSWD_MARKERS, PLACEHOLDER, build_corpus, filled_bytes, output_blobs, write_mutants  # noqa: E402

GNU_TIME = Path("/usr/bin/time")


class TreeMemory(threading.Thread):
    """Samples the summed PSS (RSS where PSS is unreadable) of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.peak_processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            sizes = [size for pid in self._tree() if (size := _memory_kb(pid)) is not None]
            if sum(sizes) > self.peak_kb:
                self.peak_kb, self.peak_processes = sum(sizes), len(sizes)
            self.done.wait(self.interval)

    def _tree(self) -> list[int]:
        children = collections.defaultdict(list)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry))
        tree, stack = [], [self.pid]
        while stack:
            pid = stack.pop()
            tree.append(pid)
            stack.extend(children.get(pid, []))
        return tree


def _memory_kb(pid: int) -> int | None:
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            match = re.search(rf"^{key}\s+(\d+) kB", Path(path).read_text(), re.M)
        except OSError:
            continue
        if match:
            return int(match.group(1))
    return None


def run(inbox: Path, outbox: Path) -> dict:
    command = [sys.executable, "-m", "pipeline", "--inbox", str(inbox), "--outbox", str(outbox), "--json"]
    if GNU_TIME.exists():
        command = [str(GNU_TIME), "-v", *command]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeMemory(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    maxrss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    # Without GNU time: this script's children (ru_maxrss is a maximum over them, so the first run's is exact).
    fallback = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError:
        document = None
    return {"exit": process.returncode, "document": document, "stderr": stderr, "wall": wall,
            "maxrss_kb": int(maxrss.group(1)) if maxrss else fallback,
            "maxrss_from": "GNU time -v" if maxrss else "RUSAGE_CHILDREN",
            "tree_peak_kb": sampler.peak_kb, "tree_peak_processes": sampler.peak_processes}


def report(label: str, outcome: dict, outbox: Path, tried: int) -> None:
    print(f"\n== {label}")
    document = outcome["document"]
    # Exit 0 or 1 with a JSON document is a finished run; anything else is a crash of the process.
    crashed = outcome["exit"] not in (0, 1) or document is None
    print(f"files tried: {tried}; process exit {outcome['exit']}; crashes of the process: {int(crashed)}")
    if crashed:
        tail = [line for line in outcome["stderr"].splitlines() if line.strip() and not line.startswith("\t")]
        print("  last error: " + next((line for line in reversed(tail) if "Error" in line), "(none)"))
    else:
        files = document["files"]
        states = collections.Counter(f["status"] for f in files)
        print(f"files in JSON: {len(files)}; states: {dict(sorted(states.items()))}")
        rejected = [f for f in files if f["status"] == "rejected"]
        by_code = collections.Counter(code for f in rejected
                                      for code in sorted({p["code"] for p in f["problems"] if p["severity"] == "error"}))
        without_reason = sum(1 for f in rejected if not any(p["severity"] == "error" for p in f["problems"]))
        print(f"rejected with a reason: {len(rejected) - without_reason}, without: {without_reason}")
        print("rejected files by error code: " + ", ".join(f"{code} {n}" for code, n in by_code.most_common()))
        print(f"reader crashes: {by_code['reader-crash']}, reader timeouts: {by_code['reader-timeout']}")
    leaks = [name for name, data in output_blobs(outbox).items() if any(m in data for m in PASSWD_MARKERS)]
    print(f"outputs holding /etc/passwd content: {len(leaks)}")
    print(f"wall time: {outcome['wall']:.1f} s")
    print(f"peak RSS of the largest single process ({outcome['maxrss_from']}): {outcome['maxrss_kb'] / 1024:.0f} MB")
    print(f"peak summed PSS of the process tree (sampled every 50 ms): {outcome['tree_peak_kb'] / 1024:.0f} MB "
          f"over {outcome['tree_peak_processes']} processes")


def main() -> None:
    spec = load_spec()
    template = build_template(spec)
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        root = Path(folder)
        inbox, scratch = root / "inbox", root / "scratch"
        inbox.mkdir()
        scratch.mkdir()
        started = time.perf_counter()
        build_corpus(inbox, scratch, spec, template)
        mutants = write_mutants(inbox, filled_bytes(spec, template, PLACEHOLDER.decode(), size=40))
        tried = sum(1 for _ in inbox.iterdir())
        print(f"built {tried} files ({tried - len(mutants)} corpus, {len(mutants)} mutants) "
              f"in {time.perf_counter() - started:.1f} s; {os.cpu_count()} CPUs")
        report("consolidate --json", run(inbox, root / "outbox"), root / "outbox", tried)


if __name__ == "__main__":
    main()
