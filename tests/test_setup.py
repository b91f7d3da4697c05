"""The README's two setup commands, ``.ci/run`` and ``.ci/install-system-packages`` agree, and
they work on a stock machine: Debian's own Python (no ``pip install`` outside a virtual
environment), a user whose sudo asks for a password, the Python versions the README names."""

from __future__ import annotations

import re
import shlex
import stat
import subprocess
import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_setup_lines() -> list[str]:
    """The two commands before the first section: install and open, install and test."""
    intro = README.split("\n## ", 1)[0]
    lines = [
        line
        for block in re.findall(r"```sh\n(.*?)```", intro, re.DOTALL)
        for line in block.splitlines()
        if line and not line.startswith("#")
    ]
    assert len(lines) == 2, lines
    return lines


def ci_test_command() -> str:
    match = re.search(r"^TEST_CMD='([^']*)'$", (REPO / ".ci/run").read_text(), re.MULTILINE)
    assert match is not None
    return match[1]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme_test = readme_setup_lines()[1].split(" && ")[-1]
    assert readme_test == ci_test_command()
    run = (REPO / ".ci/run").read_text()
    assert 'eval "${TEST_CMD}"' in run


def test_setup_installs_into_a_virtual_environment_never_the_system_python() -> None:
    for line in readme_setup_lines():
        steps = line.split(" && ")
        assert steps[0].startswith("bash .ci/install-system-packages")
        assert steps[1] == "python3 -m venv .venv"
        installs = [s for s in steps if " install " in f" {s} " and "pip" in s]
        assert installs and all(s.startswith(".venv/bin/pip install ") for s in installs), line
        assert all(not s.startswith(("python3 -m pip", "pip ")) for s in steps), line
    assert readme_setup_lines()[0].endswith("&& .venv/bin/annotator")
    run = (REPO / ".ci/run").read_text()
    # CI proves it with Debian's own Python, not whichever python3 is first on its PATH.
    assert "SYSTEM_PYTHON=/usr/bin/python3" in run
    assert '"$SYSTEM_PYTHON" -m venv .venv' in run
    assert ".venv/bin/pip install --progress-bar off -e '.[test,spacy]'" in run
    assert not re.search(r"^\s*python3 ", run, re.MULTILINE)


def test_the_supported_python_versions_are_those_the_readme_names() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    supported = SpecifierSet(project["requires-python"])
    assert [v for v in ("3.10", "3.11", "3.12", "3.13", "3.14") if v in supported] == [
        "3.11",
        "3.12",
        "3.13",
    ]
    assert "runs on Python 3.11, 3.12 and 3.13" in README
    script = (REPO / ".ci/install-system-packages").read_text()
    assert "3.11 | 3.12 | 3.13)" in script


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_a_user_whose_sudo_asks_a_password_is_asked_and_python3_venv_is_installed(
    tmp_path: Path,
) -> None:
    """Not root, nothing installed: apt-get runs through plain sudo (which may ask for the
    password), never ``sudo -n`` (which fails for such a user), and installs python3-venv."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    _stub(bin_dir, "id", "echo 1000")
    _stub(bin_dir, "dpkg-query", "exit 1")  # nothing is installed
    _stub(bin_dir, "sudo", f'echo "sudo $*" >> {shlex.quote(str(calls))}; exec "$@"')
    _stub(bin_dir, "apt-get", "exit 0")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(REPO / ".ci/install-system-packages"), "--no-postgres"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "sudo (it may ask for your password)" in done.stdout
    lines = calls.read_text().splitlines()
    assert [line.split()[:2] for line in lines] == [["sudo", "apt-get"], ["sudo", "apt-get"]]
    assert "install" in lines[1].split() and "python3-venv" in lines[1].split()
    assert "postgresql" not in lines[1].split()
