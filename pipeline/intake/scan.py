"""Find every file under the inbox, without opening or changing any of them."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_DEPTH = 40  # folders below the inbox; a clerk's tree is a few levels, a deeper one is a mistake or a trap


@dataclass(frozen=True)
class Found:
    path: Path
    relative: str  # relative to the inbox, with "/"
    ignored: str = ""  # why it is not opened at all (not a regular file, a folder too deep): its reason


def discover(inbox: Path) -> list[Found]:
    """Every entry below `inbox` that is not a folder, in a stable order, walked without recursion (a tree a
    thousand folders deep is one entry set aside, not a crash). Only regular files are to be opened: a pipe, a
    device or a socket would block or mislead a reader, so it comes back with the reason it is ignored; a link
    comes back as itself (run.py sets it aside without following it)."""
    found: list[Found] = []
    pending: list[tuple[Path, int]] = [(Path(inbox), 0)]
    while pending:
        directory, depth = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            found.append(Found(directory, _relative(directory, inbox),
                               f"Bỏ qua thư mục: không mở được ({exc.strerror or exc}), các tệp trong đó chưa được đọc."))
            continue
        folders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:  # gone since the listing: the reader will find it gone too
                found.append(Found(path, _relative(path, inbox)))
                continue
            if stat.S_ISDIR(mode):
                folders.append(path)
            elif stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                found.append(Found(path, _relative(path, inbox)))
            else:
                found.append(Found(path, _relative(path, inbox),
                                   "Bỏ qua: không phải tệp thường (ống dẫn, thiết bị hoặc socket), không mở."))
        for folder in reversed(folders):
            if depth + 1 > MAX_DEPTH:
                found.append(Found(folder, _relative(folder, inbox),
                                   f"Bỏ qua thư mục lồng quá sâu (quá {MAX_DEPTH} cấp dưới hộp thư đến): các tệp trong "
                                   "đó không được đọc. Chép các tệp báo cáo ra thư mục nông hơn rồi chạy lại."))
            else:
                pending.append((folder, depth + 1))
    found.sort(key=lambda f: f.relative)
    return found


def _relative(path: Path, inbox: Path) -> str:
    return path.relative_to(inbox).as_posix()
