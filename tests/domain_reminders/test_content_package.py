"""The weekly content is package data: an installed bot finds it without the repository."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
import tomllib
from importlib.resources import files
from pathlib import Path

import bot.content
from bot.content.weekly import CONTENT_WEEKS, WEEKLY_CONTENT

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(bot.content.__file__).parent


def shipped(name: str, package: str = "bot.content") -> bool:
    """Whether pyproject's ``[tool.setuptools.package-data]`` puts a file of this name in the wheel."""
    rules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = [*rules.get("*", []), *rules.get(package, [])]
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def content_files() -> list[str]:
    """The data files the loader reads, as the package (not the repository) lists them."""
    return sorted(r.name for r in files("bot.content").iterdir() if r.is_file() and r.name.endswith(".toml"))


def test_the_weekly_content_lives_in_the_package_and_is_shipped() -> None:
    assert content_files() == ["kehamilan_mingguan.toml"]
    assert Path(str(WEEKLY_CONTENT)).parent == PACKAGE_DIR
    assert all(shipped(name) for name in content_files())
    assert not (ROOT / "data" / "konten").exists(), "the content has one home: the package"


def test_the_content_loads_from_an_installed_copy_without_the_repository(tmp_path: Path) -> None:
    """Copy what the wheel carries of ``bot.content`` (its modules and its package data)
    into a bare folder and load it there, in a fresh interpreter, away from the checkout."""
    site = tmp_path / "site-packages"
    (site / "bot" / "content").mkdir(parents=True)
    (site / "bot" / "__init__.py").write_text("")
    for item in PACKAGE_DIR.iterdir():
        if item.is_file() and (item.suffix == ".py" or shipped(item.name)):
            shutil.copy(item, site / "bot" / "content" / item.name)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from bot.content.weekly import WEEKLY_CONTENT, load_weekly_content\n"
        "print(len(load_weekly_content().minggu)); print(WEEKLY_CONTENT)\n"
    )
    result = subprocess.run([sys.executable, "-I", "-c", probe, str(site)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    weeks, path = result.stdout.split("\n")[:2]
    assert int(weeks) == len(CONTENT_WEEKS) == 39
    assert Path(path).is_relative_to(site)
