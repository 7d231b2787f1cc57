"""Writing files so that a reader only ever sees the previous complete file or the new complete one."""
from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"
# Bytes of the target's stem in a temporary name: with the dot, mkstemp's random part, the suffix and ".tmp",
# the name stays far within the 255 bytes a file system allows, whatever the target's own length.
TEMPORARY_STEM_BYTES = 100


def temporary_beside(target: Path) -> Path:
    """A new hidden temporary file in the target's folder (same file system, so the rename is atomic), with the
    permissions an ordinary new file gets (mkstemp's are the owner's alone: a colleague on the shared folder
    could not open the outputs)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{_cut(target.stem, TEMPORARY_STEM_BYTES)}-",
                                         suffix=target.suffix + TEMPORARY_SUFFIX, dir=target.parent)
    os.close(handle)
    os.chmod(temporary, 0o666 & ~_umask())
    return Path(temporary)


def move_into_place(temporary: Path, target: Path) -> None:
    """Flush the finished temporary file to disk, then replace the target in one rename."""
    with open(temporary, "rb+") as written:
        os.fsync(written.fileno())
    os.replace(temporary, target)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename. An error names the
    target, never the hidden temporary file the clerk has never seen."""
    temporary = temporary_beside(target)
    try:
        yield temporary
        move_into_place(temporary, target)
    except Exception as exc:
        # A writer may wrap the system's error (XlsxWriter's FileCreateError): the OSError is what happened.
        error = exc if isinstance(exc, OSError) else next((a for a in exc.args if isinstance(a, OSError)), None)
        if error is None:
            raise
        if error.filename is None or Path(error.filename).name == temporary.name:
            raise type(error)(error.errno, error.strerror or str(error), str(target)) from exc
        if error is exc:
            raise
        raise error from exc
    finally:
        temporary.unlink(missing_ok=True)


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    """The process's umask (read by setting it, so once, before any worker thread writes a file)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _cut(stem: str, limit: int) -> str:
    """A name's stem cut to `limit` bytes of UTF-8, on a character boundary."""
    return stem.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def remove_leftovers(folder: Path) -> int:
    """Temporary files a killed run left behind; call only while holding the outbox lock."""
    removed = 0
    for leftover in folder.glob(f".*{TEMPORARY_SUFFIX}"):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
