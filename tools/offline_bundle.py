"""Build a folder from which consolidate installs on a machine without internet.

    python tools/offline_bundle.py [--out DIR] [--no-windows] [--python-versions 3.11,3.12,3.13]

The folder (default dist/offline) gets the project's wheel, a wheel of every dependency at the versions
pinned in constraints.txt, for this machine (this Python, this platform) and, unless --no-windows, for
Windows 64-bit (win_amd64) CPython of each given version; a copy of constraints.txt; and
HUONG-DAN-CAI-DAT.txt, the install steps in Vietnamese. On the office machine:

    pip install --no-index --find-links <folder> consolidate

Dependencies are read from setup.cfg's install_requires, never by the project's name, so nothing is
asked of the package index about "consolidate". For this machine they are fetched with `pip wheel`, which
also turns a package published only as source (odfpy) into a wheel, so the office machine never builds
anything; a pure-Python wheel made that way also serves Windows. Windows wheels are fetched with
`pip download --only-binary=:all: --platform win_amd64`; a pin that has no such wheel fails the run,
naming the package. The folder is assembled beside DIR and only replaces it when every step passed, then
checked with `pip install --dry-run --no-index` for each target, with pip's configuration files ignored.
Standard library only; pip is run as `python -m pip`.
"""
from __future__ import annotations

import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"
GUIDE = "HUONG-DAN-CAI-DAT.txt"
DEFAULT_VERSIONS = "3.11,3.12,3.13"


class BundleError(Exception):
    """A step failed; the message says which and why."""


def requirements() -> list[str]:
    """setup.cfg's install_requires, one requirement a line."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    raw = config.get("options", "install_requires", fallback="")
    lines = [line.split("#", 1)[0].strip() for line in raw.splitlines()]
    found = [line for line in lines if line]
    if not found:
        raise BundleError("setup.cfg has no [options] install_requires")
    return found


def pins() -> dict[str, str]:
    """constraints.txt as {normalised name: version}."""
    pinned = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;]+)", line)
        if not match:
            raise BundleError(f"constraints.txt: not an exact pin: {line!r}")
        pinned[normalise(match.group(1))] = match.group(2)
    return pinned


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_version(path: Path) -> tuple[str, str]:
    name, version = path.name.split("-")[:2]
    return normalise(name), version


def offline_env() -> dict[str, str]:
    """The environment of a machine with no pip configuration: every PIP_* variable dropped, config files off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


# pip's words when the package index cannot be reached (the test skips on these outside CI).
NETWORK = re.compile(r"NewConnectionError|ConnectTimeout|ReadTimeout|Max retries exceeded|ProxyError|SSLError"
                     r"|Temporary failure in name resolution|Name or service not known|Network is unreachable"
                     r"|Connection refused|Could not fetch URL")


def pip(*args: str, what: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        output = done.stderr + done.stdout
        cause = "network error: the package index could not be reached" if NETWORK.search(output) else "pip failed"
        raise BundleError(f"{what}: {cause} (exit {done.returncode})\n  $ {' '.join(command)}\n" + tail(output))
    return done


def tail(text: str, lines: int = 15) -> str:
    kept = [line for line in text.splitlines() if "is ignored: it is neither a file nor a directory" not in line]
    return "\n".join("  " + line for line in kept[-lines:])


def windows_options(version: str) -> list[str]:
    return ["--only-binary=:all:", "--platform", "win_amd64", "--python-version", version,
            "--implementation", "cp"]


def download_windows(stage: Path, version: str, reqs: list[str]) -> None:
    args = ["download", "-q", "-d", str(stage), "--find-links", str(stage), "-c", str(CONSTRAINTS),
            *windows_options(version), *reqs]
    try:
        pip(*args, what=f"Windows (win_amd64, CPython {version})")
    except BundleError as error:
        if "network error" in str(error):
            raise
        missing = missing_windows_wheels(stage, version)
        if missing:
            raise BundleError(f"no wheel for Windows (win_amd64, CPython {version}) of: {', '.join(missing)}\n"
                              "  (none published for that platform, or the release needs another Python): "
                              "these pins in constraints.txt cannot be installed there") from error
        raise


def missing_windows_wheels(stage: Path, version: str) -> list[str]:
    """After a failed Windows download: each pinned package of this machine's set, tried alone."""
    pinned = pins()
    names = sorted({wheel_name_version(path)[0] for path in stage.glob("*.whl")} - {"consolidate"})
    missing = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            spec = f"{name}=={pinned[name]}" if name in pinned else name
            done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", scratch,
                                   "--find-links", str(stage), *windows_options(version), spec],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                missing.append(spec)
    return missing


def check_folder(stage: Path, targets: list[str | None]) -> None:
    """Every file pinned, one version a package, and `consolidate` resolvable from the folder alone."""
    pinned = pins()
    versions: dict[str, set[str]] = {}
    for path in stage.iterdir():
        if path.suffix == ".whl":
            name, version = wheel_name_version(path)
            versions.setdefault(name, set()).add(version)
        elif path.is_file():
            raise BundleError(f"not a wheel in the folder: {path.name} (the office machine would have to build it)")
    versions.pop("consolidate", None)
    unpinned = sorted(name for name in versions if name not in pinned)
    if unpinned:
        raise BundleError("not pinned in constraints.txt: " + ", ".join(unpinned)
                          + " (a dependency of some target only?): add its version to constraints.txt")
    for name, found in sorted(versions.items()):
        if found != {pinned[name]}:
            raise BundleError(f"{name}: folder has {', '.join(sorted(found))}, constraints.txt pins {pinned[name]}")
    with tempfile.TemporaryDirectory() as target_dir:
        for target in targets:
            options = ["--ignore-installed"] if target is None else [*windows_options(target), "--target", target_dir]
            label = "this machine" if target is None else f"Windows CPython {target}"
            pip("install", "-q", "--dry-run", "--no-index", "--find-links", str(stage), *options, "consolidate",
                what=f"check: install from the folder alone for {label}", env=offline_env())


def write_guide(folder: Path, name: str, wheel: Path, versions: list[str], here: str) -> None:
    """The guide goes into folder (the staging one); name is the bundle's final folder name."""
    windows = ", ".join(versions) if versions else ""
    which = (f"Thư mục này có đủ tệp cài đặt cho: Windows 64-bit với Python {windows}; và máy đã tạo ra nó "
             f"({here}).") if versions else f"Thư mục này có đủ tệp cài đặt cho máy đã tạo ra nó ({here})."
    text = f"""HƯỚNG DẪN CÀI ĐẶT consolidate KHÔNG CẦN INTERNET
===============================================

Thư mục "{name}" chứa tệp cài đặt của công cụ ({wheel.name})
và mọi thư viện nó cần, đúng các phiên bản đã được kiểm thử (ghi trong constraints.txt).
Không cần kết nối Internet khi cài.
{which}

Chép cả thư mục "{name}" sang máy của văn phòng, ví dụ vào D:\\CaiDat\\{name}.
Máy cần có Python (bản 64-bit) đúng một trong các phiên bản trên.

WINDOWS (PowerShell, trong thư mục làm việc, ví dụ D:\\TongHop)
---------------------------------------------------------------
    py -m venv .venv
    .venv\\Scripts\\Activate.ps1
    pip install --no-index --find-links D:\\CaiDat\\{name} consolidate
    consolidate demo

Nếu lệnh Activate.ps1 bị chặn, chạy một lần:
    Set-ExecutionPolicy -Scope CurrentUser RemoteSigned
Nếu máy có nhiều phiên bản Python, chọn rõ phiên bản, ví dụ: py -3.12 -m venv .venv

LINUX, macOS (thư mục phải được tạo trên máy cùng hệ điều hành, cùng phiên bản Python)
-------------------------------------------------------------------------------------
    python3 -m venv .venv
    . .venv/bin/activate
    pip install --no-index --find-links ~/CaiDat/{name} consolidate
    consolidate demo

CẬP NHẬT lên bản mới
--------------------
Chép thư mục mới sang máy, kích hoạt .venv như trên rồi chạy (cài lại công cụ và đúng các phiên bản
thư viện của thư mục mới):
    pip install --force-reinstall --no-index --find-links <thư mục mới> consolidate
Thư mục inbox và outbox không bị động tới.

Lệnh "consolidate demo" tạo thư mục demo với dữ liệu thử và cho biết kết quả nằm ở đâu: nếu chạy
được là đã cài xong. Lệnh chạy được từ bất kỳ thư mục nào; kết quả ghi vào thư mục đang đứng.
"""
    (folder / GUIDE).write_text(text, encoding="utf-8-sig", newline="\r\n")


def size_of(folder: Path) -> tuple[int, int]:
    files = [path for path in folder.iterdir() if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def replace_folder(stage: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    stage.rename(out)


def build(out: Path, windows_versions: list[str]) -> Path:
    if out.exists() and any(out.iterdir()) and not (out / GUIDE).exists():
        raise BundleError(f"{out} is not empty and is not an earlier bundle: choose another --out")
    if not CONSTRAINTS.is_file():
        raise BundleError(f"missing {CONSTRAINTS}")
    reqs = requirements()
    pins()  # every line an exact pin, before any download
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        print("building the consolidate wheel…", flush=True)
        pip("wheel", "-q", "--no-deps", "-w", str(stage), str(ROOT), what="building the project's wheel")
        [wheel] = stage.glob("consolidate-*.whl")
        here = f"Python {sys.version_info.major}.{sys.version_info.minor}, {sys.platform}"
        print(f"dependencies for this machine ({here})…", flush=True)
        pip("wheel", "-q", "-w", str(stage), "-c", str(CONSTRAINTS), *reqs, what="dependencies for this machine")
        for version in windows_versions:
            print(f"dependencies for Windows (win_amd64, CPython {version})…", flush=True)
            download_windows(stage, version, reqs)
        print("checking the folder installs consolidate offline…", flush=True)
        check_folder(stage, [None, *windows_versions])
        shutil.copyfile(CONSTRAINTS, stage / "constraints.txt")
        write_guide(stage, out.name, wheel, windows_versions, here)
        replace_folder(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out


def parse_versions(text: str) -> list[str]:
    versions = [part.strip() for part in text.split(",") if part.strip()]
    for version in versions:
        if not re.fullmatch(r"3\.\d+", version):
            raise argparse.ArgumentTypeError(f"not a Python version like 3.12: {version!r}")
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a folder to install consolidate without internet.")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "offline",
                        help="the folder to create (default: dist/offline); an earlier bundle there is replaced")
    parser.add_argument("--no-windows", action="store_true", help="only this machine's platform and Python")
    parser.add_argument("--python-versions", type=parse_versions, default=parse_versions(DEFAULT_VERSIONS),
                        help=f"Windows Python versions, comma separated (default: {DEFAULT_VERSIONS})")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    try:
        build(out, [] if args.no_windows else args.python_versions)
    except BundleError as error:
        print(f"offline_bundle: error: {error}", file=sys.stderr)
        return 1
    count, size = size_of(out)
    print(f"done: {out} ({count} files, {size / 1e6:.1f} MB); see {GUIDE} there")
    return 0


if __name__ == "__main__":
    sys.exit(main())
