"""A real install: the wheel, in a fresh venv, run from a folder that is not the checkout."""
from __future__ import annotations

import os
import re
import site
import subprocess
import sys
import venv
import zipfile
from configparser import ConfigParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    [built] = out.glob("consolidate-*.whl")
    return built


@pytest.mark.slow
def test_wheel_carries_every_form_spec_and_every_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in (ROOT / "schemas").rglob("*.toml"):  # form specs and their thesauri of themes
        assert f"pipeline/schemas/{data.relative_to(ROOT / 'schemas').as_posix()}" in names
    for data in (ROOT / "pipeline").rglob("*.toml"):  # the demo's data
        assert data.relative_to(ROOT).as_posix() in names
    for module in (ROOT / "pipeline").rglob("*.py"):
        assert module.relative_to(ROOT).as_posix() in names


def test_setup_cfg_lists_every_package_of_the_source():
    config = ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("__init__.py")}
    assert listed == on_disk | {"pipeline.schemas"}


@pytest.mark.slow
def test_installed_wheel_runs_template_and_demo_from_any_folder(wheel, tmp_path):
    """The wheel goes into a fresh venv; its dependencies are borrowed from this one through a path entry,
    which adds the folder but none of its .pth files, so the checkout's editable install stays out."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "borrowed-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    script = env_dir / ("Scripts/consolidate.exe" if os.name == "nt" else "bin/consolidate")
    elsewhere = tmp_path / "van-phong"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(script), *args], cwd=elsewhere, capture_output=True, timeout=600, env=env)

    where = subprocess.run([str(python), "-c", "import pipeline; print(pipeline.__file__)"], cwd=elsewhere,
                           capture_output=True, text=True, env=env).stdout
    assert where.startswith(str(env_dir)), where  # the wheel's copy, not the checkout
    template = run("template")
    assert template.returncode == 0, template.stderr.decode("utf-8", "replace")
    assert (elsewhere / "templates" / "bao-cao-cd-2023.xlsx").is_file()
    demo = run("demo")
    assert demo.returncode == 0, demo.stderr.decode("utf-8", "replace")
    assert (elsewhere / "demo" / "outbox" / "tong-hop-bao-cao-cd-2023.xlsx").is_file()
    assert "Đây là dữ liệu thử" in demo.stdout.decode("utf-8")


def pinned_versions() -> dict[str, str]:
    """constraints.txt as {normalised name: version}."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


@pytest.mark.slow
def test_offline_folder_installs_with_no_index_at_the_pinned_versions(tmp_path):
    """tools/offline_bundle.py's folder alone installs consolidate in a fresh venv (pip's configuration files
    and PIP_* variables of this machine ignored, no index), at exactly the versions of constraints.txt."""
    folder = tmp_path / "offline"
    built = subprocess.run([sys.executable, str(ROOT / "tools" / "offline_bundle.py"), "--no-windows",
                            "--out", str(folder)], capture_output=True, text=True, timeout=1200)
    if built.returncode != 0 and "network error" in built.stderr and not os.environ.get("CI"):
        pytest.skip("the package index is not reachable: " + built.stderr.strip().splitlines()[0])
    assert built.returncode == 0, built.stderr
    assert (folder / "HUONG-DAN-CAI-DAT.txt").is_file() and (folder / "constraints.txt").is_file()

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    offline = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    offline["PIP_CONFIG_FILE"] = os.devnull  # pip then reads no configuration file at all (global, user, site)
    config = subprocess.run([str(python), "-m", "pip", "config", "list"], capture_output=True, text=True, env=offline)
    settings = config.stdout.split()
    assert config.returncode == 0 and all(line.startswith(":env:.config-file=") for line in settings), settings
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--find-links", str(folder),
                              "consolidate"], capture_output=True, text=True, timeout=600, env=offline)
    assert install.returncode == 0, install.stdout + install.stderr

    listed = subprocess.run([str(python), "-c", "import importlib.metadata as m\n"
                             "for d in m.distributions(): print(d.metadata['Name'], d.version)"],
                            capture_output=True, text=True, check=True, env=offline).stdout.split("\n")
    installed = {re.sub(r"[-_.]+", "-", name).lower(): version
                 for name, version in (line.split() for line in listed if line.strip())}
    pins = pinned_versions()
    assert installed["pandas"] == pins["pandas"] and installed["numpy"] == pins["numpy"]
    for name, version in installed.items():
        if name not in ("consolidate", "pip", "setuptools"):
            assert pins.get(name) == version, f"{name} {version} installed, constraints.txt pins {pins.get(name)}"

    elsewhere = tmp_path / "van-phong"
    elsewhere.mkdir()
    script = env_dir / ("Scripts/consolidate.exe" if os.name == "nt" else "bin/consolidate")
    demo = subprocess.run([str(script), "demo"], cwd=elsewhere, capture_output=True, timeout=600, env=offline)
    assert demo.returncode == 0, demo.stderr.decode("utf-8", "replace")
    assert (elsewhere / "demo" / "outbox" / "tong-hop-bao-cao-cd-2023.xlsx").is_file()
