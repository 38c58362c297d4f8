"""Pinned, tested dependencies: the requirement files, their locks, the README and CI agree.

``requirements.txt`` / ``requirements-dev.txt`` name what the app and the tests need, pinned with
``==``; ``requirements.lock`` / ``requirements-dev.lock`` (``pip-compile`` output) pin every
package below them. The README's two commands install the locks, ``.ci/run`` runs the README's
test command, and the tests run on exactly the locked versions.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
FILES = {"requirements.txt": "requirements.lock", "requirements-dev.txt": "requirements-dev.lock"}


def requirements(path: Path) -> list[Requirement]:
    """The requirements of a requirements file, following ``-r`` includes."""
    found = []
    for line in path.read_text().splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            found += requirements(path.parent / line.split(maxsplit=1)[1])
            continue
        assert not line.startswith("-"), f"{path.name}: unexpected option {line!r}"
        found.append(Requirement(line))
    return found


def lock(path: Path) -> dict[str, Version]:
    """A lock file's pins: canonical name → version. Every package line must be ``name==v``."""
    pins = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line.strip())
        assert match, f"{path.name}: not an exact pin: {line!r}"
        name = canonicalize_name(match[1])
        assert name not in pins, f"{path.name}: {name} pinned twice"
        pins[name] = Version(match[2])
    return pins


@pytest.mark.parametrize("source", sorted(FILES))
def test_every_requirement_is_pinned_and_satisfied_by_the_lock(source):
    pins = lock(ROOT / FILES[source])
    reqs = requirements(ROOT / source)
    assert reqs
    for req in reqs:
        name = canonicalize_name(req.name)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{source}: {req} is not pinned"
        assert name in pins, f"{FILES[source]} has no {name}"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{source} asks for {req}, {FILES[source]} has {pins[name]}")


def test_the_dev_lock_holds_the_runtime_lock():
    runtime, dev = lock(ROOT / "requirements.lock"), lock(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_tests_run_on_the_locked_versions():
    """What CI tested is what the lock installs: every locked package is installed at its
    locked version (reinstall with the README's test command if this fails)."""
    wrong = {}
    for name, pinned in lock(ROOT / "requirements-dev.lock").items():
        try:
            installed = Version(version(name))
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong[name] = (str(pinned), str(installed))
    assert not wrong, f"locked vs installed: {wrong}"


def _readme_commands() -> list[str]:
    section = (ROOT / "README.md").read_text().split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.DOTALL)]


def test_the_readme_installs_the_locks_in_two_commands_and_ci_runs_the_test_one():
    commands = _readme_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands), commands
    app, tests = commands
    assert app.startswith("pip install -r requirements.lock && ") and "streamlit run app.py" in app
    assert tests.startswith("pip install -r requirements-dev.lock && ") and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in [line.strip() for line in ci.splitlines()], "CI must run the README's command"
