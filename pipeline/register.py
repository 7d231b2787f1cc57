"""The register across runs (outbox/so-tiep-nhan.sqlite, the standard library's sqlite3): every file ever seen
by content, every run, each unit's state at each run, and the office's marks. Read at the start of a run,
written at its end in one transaction under the outbox lock, so a run killed at any moment leaves it as it
was. A register that is missing, older, locked or corrupt never stops a run: it is rebuilt from the inbox."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.arrivals import VIETNAM, describe_mark, excluded_by_office, mark_arrivals
from pipeline.journal import JOURNAL_NAME, Mark, read_journal
from pipeline.vietnamese import parse_vn_date

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pipeline.narratives.corrections import Changes, Correction

# What a run makes of the register's knowledge (arrival times, the office's marks) is arrivals.py's; its names
# are importable from here as well.
__all__ = ["BUSY_TIMEOUT", "REGISTER_NAME", "VERSION", "VIETNAM", "LastRun", "Register", "RegisterBusy",
           "RegisterDamaged", "RunInfo", "describe_mark", "excluded_by_office", "mark_arrivals", "since_last_run"]

REGISTER_NAME = "so-tiep-nhan.sqlite"
VERSION = 1
BUSY_TIMEOUT = 5.0  # seconds to wait for a register another program holds
_SCHEMA = """
CREATE TABLE files (sha256 TEXT PRIMARY KEY, first_seen TEXT NOT NULL, first_mtime REAL NOT NULL, size INTEGER);
CREATE TABLE runs (id INTEGER PRIMARY KEY, at TEXT NOT NULL, options TEXT, counts TEXT, outputs TEXT);
CREATE TABLE sightings (run INTEGER NOT NULL, path TEXT NOT NULL, sha256 TEXT, mtime REAL, received TEXT,
                        state TEXT, unit TEXT, problems TEXT);
CREATE TABLE unit_states (run INTEGER NOT NULL, unit TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE marks (sha256 TEXT PRIMARY KEY, path TEXT, received TEXT, excluded TEXT, at TEXT NOT NULL);
"""
# The office's corrections of the grouping (narratives/corrections.py), per form and period: a point (field,
# unit, text with its spaces collapsed) and where it goes (kind "group" or "new" with a label, or "alone").
# Added after VERSION 1 without a new version (an older register would be set aside and its history lost): made
# when missing, before every write, and a register without it reads as one without corrections.
_CORRECTIONS = """
CREATE TABLE IF NOT EXISTS corrections (form TEXT NOT NULL, period TEXT NOT NULL, field TEXT NOT NULL,
                                        unit TEXT NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, label TEXT,
                                        at TEXT NOT NULL, PRIMARY KEY (form, period, field, unit, text));
"""


class RegisterDamaged(ValueError):
    """The register cannot be read (damaged, edited by hand, another version): the message names it."""


class RegisterBusy(RuntimeError):
    """Another program holds the register: the message names it."""


@dataclass(frozen=True)
class RunInfo:
    """One earlier run, as the register keeps it: which form and period it consolidated, what it accepted."""

    id: int
    at: dt.datetime
    form: str | None  # None: a run recorded before runs named their form
    period: str | None
    inbox: str
    counts: dict[str, int]
    fingerprint: str | None = None  # of everything the run read (run.py): equal, and nothing need be redone
    outputs: dict[str, str] = field(default_factory=dict)  # each output written -> its sha256

    def matches(self, form: str, period: str) -> bool:
        return self.form is None or (self.form == form and self.period == period)


@dataclass
class LastRun:
    at: dt.datetime
    files: dict[str, tuple[str, str, str | None]]  # path -> (sha256, state, unit)
    units: dict[str, str]  # unit -> on_time | late | rejected | missing
    info: RunInfo | None = None


@dataclass
class Register:
    path: Path
    first_seen: dict[str, tuple[dt.datetime, float]] = field(default_factory=dict)  # sha -> (first seen, mtime)
    marks: dict[str, Mark] = field(default_factory=dict)
    history: list[RunInfo] = field(default_factory=list)  # every earlier run, oldest first
    notes: list[str] = field(default_factory=list)  # trouble with the register, for the summary and --json
    writable: bool = True
    written: bool = True  # False once a run's record could not be written
    loaded: bool = False  # read from a good register file
    # (form, period) -> the office's corrections of the grouping in force (narratives/corrections.py)
    corrections: dict[tuple[str, str], list[Correction]] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        return len(self.history)

    # ------------------------------------------------------------ reading
    @classmethod
    def open(cls, outbox: Path, strict: bool = False) -> Register:
        """The register of an outbox. A run (strict=False) goes on whatever its state: a damaged one is set aside
        and rebuilt, a locked one is neither read nor written, and the office's marks come from the journal
        either way. `strict` (a mark) raises RegisterDamaged or RegisterBusy instead."""
        path = Path(outbox) / REGISTER_NAME
        register = cls(path)
        if path.exists():
            try:
                with _connect(path) as db:
                    if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                        raise sqlite3.DatabaseError("another version")
                    register._load(db)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    register._damaged(strict, str(exc))
                else:
                    if strict:
                        raise RegisterBusy(f"Sổ tiếp nhận {path} đang bị một chương trình khác mở (ví dụ một phần mềm "
                                           "xem cơ sở dữ liệu). Đóng chương trình đó rồi làm lại.") from exc
                    register.writable = False
                    register.notes.append(f"Sổ tiếp nhận {path.name} đang bị một chương trình khác mở: lần này công "
                                          "cụ không đọc và không ghi được lịch sử (thời điểm nhận dựa vào ngày sửa "
                                          "tệp); đánh dấu của văn phòng lấy từ " + JOURNAL_NAME + ".")
            except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
                register._damaged(strict, str(exc))
        register._take_journal()
        return register

    def _load(self, db: sqlite3.Connection) -> None:
        first_seen, marks, history = {}, {}, []
        for sha, first, mtime in db.execute("SELECT sha256, first_seen, first_mtime FROM files"):
            first_seen[sha] = (dt.datetime.fromisoformat(first), float(mtime))
        for sha, path, received, excluded in db.execute("SELECT sha256, path, received, excluded FROM marks"):
            marks[sha] = Mark(path, parse_vn_date(received) if received else None, excluded)
        for run, at, options, counts, outputs in db.execute("SELECT id, at, options, counts, outputs FROM runs "
                                                            "ORDER BY id"):
            chosen = json.loads(options or "{}")
            history.append(RunInfo(run, dt.datetime.fromisoformat(at), chosen.get("form"), chosen.get("form_period"),
                                   str(chosen.get("inbox") or ""), json.loads(counts or "{}"),
                                   chosen.get("fingerprint"), json.loads(outputs or "{}")))
        self.first_seen, self.marks, self.history = first_seen, marks, history
        self.corrections = _corrections(db)
        self.loaded = True

    def _damaged(self, strict: bool, detail: str) -> None:
        if strict:
            raise RegisterDamaged(
                f"Sổ tiếp nhận {self.path} bị hỏng, bị sửa tay hoặc của phiên bản khác ({detail}), nên không ghi được "
                f"đánh dấu vào đó. Đánh dấu đã được ghi vào {JOURNAL_NAME} cùng thư mục: lần tổng hợp sau sẽ lập lại "
                "sổ và lấy lại mọi đánh dấu từ tệp đó.")
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"so-tiep-nhan.hong-{stamp}.sqlite")
        try:
            self.path.replace(aside)
        except OSError:
            self.writable = False
            aside = self.path
        self.first_seen, self.marks, self.history, self.corrections = {}, {}, [], {}
        self.notes.append(f"Sổ tiếp nhận bị hỏng, bị sửa tay hoặc của phiên bản khác ({detail}), đã được giữ lại là "
                          f"{aside.name} và lập lại từ các tệp trong hộp thư: mất lịch sử các lần chạy trước.")

    def _take_journal(self) -> None:
        """The journal is where the office's marks live (staff can read and edit it); the register keeps a copy.
        Without a journal, the register's own marks stand (marks.py writes them out at the next mark)."""
        journal = self.path.with_name(JOURNAL_NAME)
        if not journal.exists():
            return
        marks, problems = read_journal(journal)
        self.notes.extend(problems)
        if marks and not self.loaded:  # a register set aside, locked or missing: the marks come back from here
            self.notes.append(f"Đã lấy lại {len(marks)} đánh dấu của văn phòng từ {JOURNAL_NAME}.")
        self.marks = marks

    def last_run_of(self, form: str, period: str) -> LastRun | None:
        """The latest run of this form and period, with what each file and unit became."""
        info = next((run for run in reversed(self.history) if run.matches(form, period)), None)
        if info is None:
            return None
        try:
            with _connect(self.path) as db:
                files = {p: (s, st, u) for p, s, st, u in
                         db.execute("SELECT path, sha256, state, unit FROM sightings WHERE run = ?", (info.id,))}
                units = dict(db.execute("SELECT unit, state FROM unit_states WHERE run = ?", (info.id,)))
        except sqlite3.Error:
            return None
        return LastRun(info.at, files, units, info)

    def wrote_as_is(self, path: Path) -> bool:
        """Whether `path` is, byte for byte, the output the latest run that wrote it recorded: a workbook nobody
        edited since, whose corrections of the grouping the register holds already (written in the same
        transaction), need not be read again."""
        if not self.loaded or not Path(path).is_file():
            return False
        try:
            with _connect(self.path) as db:
                for (outputs,) in db.execute("SELECT outputs FROM runs ORDER BY id DESC"):
                    recorded = json.loads(outputs or "{}").get(str(path))
                    if recorded is not None:
                        return recorded == _sha256(Path(path))
        except (sqlite3.Error, OSError, ValueError):
            return False
        return False

    def corrections_for(self, form: str, period: str) -> list[Correction]:
        """The office's corrections of the grouping kept for this form and period."""
        return list(self.corrections.get((form, period), []))

    # ------------------------------------------------------------ when a file arrived
    def received(self, sha: str, mtime: float, email_date: dt.datetime | None) -> dt.datetime:
        """The email's date; else the earliest evidence of this content (never later than when first seen);
        a date the office set overrides both."""
        mark = self.marks.get(sha)
        if mark and mark.received:
            return dt.datetime.combine(mark.received, dt.time(), VIETNAM)
        if email_date is not None:
            return email_date.astimezone(VIETNAM)
        earliest = min(mtime, self.first_seen[sha][1]) if sha in self.first_seen else mtime
        return dt.datetime.fromtimestamp(earliest, VIETNAM)

    def seen_first(self, sha: str, now: dt.datetime) -> dt.datetime:
        return self.first_seen[sha][0] if sha in self.first_seen else now

    # ------------------------------------------------------------ writing
    def cached_results(self, key: str, shas: list[str]) -> dict[str, str]:
        """The reading results the register holds for these contents under `key` (pipeline/cache.py); none from a
        register that is not read (locked, set aside) or older than the table."""
        if not self.loaded:
            return {}
        found: dict[str, str] = {}
        try:
            with _connect(self.path) as db:
                if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'results'").fetchone():
                    return {}
                for start in range(0, len(shas), 500):  # SQLite's limit of parameters per statement
                    chunk = shas[start:start + 500]
                    found.update(db.execute(f"SELECT sha256, row FROM results WHERE key = ? AND sha256 IN "
                                            f"({', '.join('?' * len(chunk))})", (key, *chunk)))
        except sqlite3.Error:
            return {}
        return found

    def feedback_made(self, form: str) -> dict[str, str]:
        """What each feedback copy of this form's last run was made from, by file name (outputs.Written.source)."""
        if not self.loaded:
            return {}
        try:
            with _connect(self.path) as db:
                if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'feedback'").fetchone():
                    return {}
                return dict(db.execute("SELECT name, source FROM feedback WHERE form = ?", (form,)))
        except sqlite3.Error:
            return {}

    def record_run(self, now: dt.datetime, options: dict, records, units, outputs: list[Path],
                   corrections: Changes | None = None, results: tuple[str, Iterable[tuple[str, str]]] | None = None,
                   feedback: tuple[str, dict[str, str]] | None = None) -> None:
        """One transaction: the files, the run, what each file and unit became, and the corrections of the
        grouping the office typed or withdrew since the last run. Nothing if it cannot be written."""
        if not self.writable:
            self.written = False
            return
        rows = [(r.submission.sha256, r) for r in records if r.submission.sha256]
        counts: dict[str, int] = {}
        for record in records:
            counts[record.state] = counts.get(record.state, 0) + 1
        written = {str(p): _sha256(p) for p in outputs if Path(p).is_file()}
        try:
            with _connect(self.path) as db:
                _ensure_schema(db)
                for sha, record in rows:
                    db.execute("INSERT INTO files VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
                               "first_mtime = MIN(first_mtime, excluded.first_mtime)",
                               (sha, now.isoformat(), record.submission.mtime, record.submission.size))
                run = db.execute("INSERT INTO runs (at, options, counts, outputs) VALUES (?, ?, ?, ?)",
                                 (now.isoformat(), json.dumps(options, ensure_ascii=False, default=str),
                                  json.dumps(counts), json.dumps(written))).lastrowid
                db.executemany("INSERT INTO sightings VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                    (run, r.relative, r.submission.sha256, r.submission.mtime,
                     r.received.isoformat() if r.received else None, r.state, r.unit,
                     json.dumps([p.code for p in r.problems])) for r in records])
                db.executemany("INSERT INTO unit_states VALUES (?, ?, ?)", [(run, u.unit.code, u.state) for u in units])
                if corrections is not None:
                    _store_corrections(db, corrections, now)
                if feedback is not None:
                    form, made = feedback
                    db.execute(_FEEDBACK_TABLE)
                    db.execute("DELETE FROM feedback WHERE form = ?", (form,))
                    db.executemany("INSERT INTO feedback VALUES (?, ?, ?)", [(form, n, s) for n, s in made.items()])
                if results is not None:
                    key, rows = results
                    db.execute(_RESULTS_TABLE)
                    db.execute("DELETE FROM results WHERE key <> ?", (key,))  # read by another tool or spec
                    db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                                   ((sha, key, row) for sha, row in rows))
        except sqlite3.Error as exc:
            self.written = False
            self.notes.append(f"Không ghi được sổ tiếp nhận {self.path.name} lần này ({exc}): đĩa đầy, không có quyền "
                              "ghi hoặc tệp bị chương trình khác khóa. Các tệp kết quả đã ghi xong; lần chạy sau sẽ ghi "
                              "lại lịch sử.")

    def set_mark(self, sha: str, path: str, received: dt.date | None, excluded: str | None, clear: bool) -> None:
        """The register's copy of a mark (the journal holds it already: marks.py)."""
        try:
            with _connect(self.path) as db:
                _ensure_schema(db)
                if clear:
                    db.execute("DELETE FROM marks WHERE sha256 = ?", (sha,))
                    return
                old = db.execute("SELECT received, excluded FROM marks WHERE sha256 = ?", (sha,)).fetchone()
                kept_received, kept_excluded = old if old else (None, None)
                db.execute("INSERT OR REPLACE INTO marks VALUES (?, ?, ?, ?, ?)", (
                    sha, path, received.isoformat() if received else kept_received,
                    excluded if excluded is not None else kept_excluded, dt.datetime.now(VIETNAM).isoformat()))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise RegisterBusy(f"Sổ tiếp nhận {self.path} đang bị một chương trình khác mở. Đánh dấu đã được ghi "
                                   f"vào {JOURNAL_NAME} và sẽ được áp dụng ở lần tổng hợp sau.") from exc
            raise RegisterDamaged(f"Không ghi được đánh dấu vào sổ tiếp nhận {self.path} ({exc}). Đánh dấu đã được "
                                  f"ghi vào {JOURNAL_NAME} và sẽ được áp dụng ở lần tổng hợp sau.") from exc
        except sqlite3.Error as exc:
            raise RegisterDamaged(f"Không ghi được đánh dấu vào sổ tiếp nhận {self.path} ({exc}). Đánh dấu đã được "
                                  f"ghi vào {JOURNAL_NAME} và sẽ được áp dụng ở lần tổng hợp sau.") from exc


# Reading results by content (pipeline/cache.py): made when first needed, so the register's version stays 1.
_RESULTS_TABLE = "CREATE TABLE IF NOT EXISTS results (sha256 TEXT NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL, " \
                 "PRIMARY KEY (sha256, key))"


_FEEDBACK_TABLE = "CREATE TABLE IF NOT EXISTS feedback (form TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL, " \
                  "PRIMARY KEY (form, name))"


def _ensure_schema(db: sqlite3.Connection) -> None:
    """A new register's tables (an older version was set aside when opened)."""
    if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
        # In one transaction of its own: a run killed here leaves no half-made register (executescript would
        # otherwise run each statement on its own).
        db.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {VERSION}; COMMIT;")
    db.execute(_CORRECTIONS)


def _corrections(db: sqlite3.Connection) -> dict[tuple[str, str], list[Correction]]:
    """The corrections table read; a register written before it existed has none."""
    from pipeline.narratives.corrections import Correction

    try:
        rows = db.execute("SELECT form, period, field, unit, text, kind, label FROM corrections ORDER BY at").fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return {}
        raise
    found: dict[tuple[str, str], list[Correction]] = {}
    for form, period, code, unit, text, kind, label in rows:
        if kind not in ("group", "new", "alone") or (kind != "alone" and not label):
            continue  # a row edited by hand: one correction lost, not the register's history
        found.setdefault((form, period), []).append(
            Correction(code, unit, text, ("alone",) if kind == "alone" else (kind, label)))
    return found


def _store_corrections(db: sqlite3.Connection, changes: Changes, now: dt.datetime) -> None:
    db.executemany("DELETE FROM corrections WHERE form = ? AND period = ? AND field = ? AND unit = ? AND text = ?",
                   [(changes.form, changes.period, *key) for key in changes.withdrawn])
    db.executemany("INSERT OR REPLACE INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [(changes.form, changes.period, *c.key, c.target[0], c.label, now.isoformat())
                    for c in changes.typed])


@contextlib.contextmanager
def _connect(path: Path):
    """One transaction, then the connection closed: an open handle would block renaming a damaged file (Windows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level="DEFERRED")
    try:
        with db:
            yield db
    finally:
        db.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def since_last_run(last: LastRun | None, records, units) -> dict:
    """What changed since the last run of the same form and period: files new or gone, and units whose state
    moved."""
    if last is None:
        return {"previous_run": None, "new_files": sorted(r.relative for r in records), "removed_files": [],
                "units_changed": []}
    now_files = {r.relative: r for r in records}
    new = sorted(path for path, r in now_files.items() if last.files.get(path, ("",))[0] != r.submission.sha256)
    removed = sorted(path for path in last.files if path not in now_files)
    changed = [{"unit": u.unit.code, "from": last.units[u.unit.code], "to": u.state} for u in units
               if u.unit.code in last.units and last.units[u.unit.code] != u.state]
    changed += [{"unit": u.unit.code, "from": "missing", "to": u.state} for u in units
                if u.unit.code not in last.units and u.state != "missing"]
    return {"previous_run": last.at.isoformat(), "new_files": new, "removed_files": removed,
            "units_changed": sorted(changed, key=lambda c: c["unit"])}
