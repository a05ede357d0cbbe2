"""The lock file and pyproject.toml agree (issue 11 §4).

``make setup`` installs ``requirements.lock`` (exact versions) and then the package
with ``--no-deps``: a dependency added to pyproject.toml but missing from the lock
would be missing on a fresh machine, and a lock outside pyproject's ranges would test
versions that library users are not allowed to get.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _lock() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"requirements.lock: {line!r} is not pinned with =="
        pins[canonicalize_name(name)] = Version(version)
    return pins


def test_every_dependency_is_locked_within_its_range():
    project = _pyproject()["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = _lock()
    problems = []
    for spec in map(Requirement, wanted):
        pin = pins.get(canonicalize_name(spec.name))
        if pin is None:
            problems.append(f"{spec.name} is not in requirements.lock")
        elif not spec.specifier.contains(pin, prereleases=True):
            problems.append(f"{spec.name}=={pin} is outside pyproject's {spec}")
    assert not problems, "; ".join(problems)


def test_semopy_is_capped_because_fiml_subclasses_its_internals():
    deps = {Requirement(d).name: Requirement(d) for d in _pyproject()["project"]["dependencies"]}
    assert not deps["semopy"].specifier.contains("2.4.0")
    assert not deps["pingouin"].specifier.contains("0.5.4")  # p-unc/mean(A) column names
