"""A real install: the wheel, in a fresh venv, run from a folder that is not the checkout."""
from __future__ import annotations

import os
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
