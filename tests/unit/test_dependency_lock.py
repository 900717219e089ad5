"""The lock file (``make lock``; installed by ``make install`` with ``--require-hashes``) pins
every dependency with its hashes, and agrees with pyproject.toml's pins: a pin changed in one
place and not the other fails here, not on an operator's machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _locked(lock: Path = ROOT / "requirements" / "dev.lock") -> dict[str, tuple[str, int]]:
    """Each locked requirement: its version and how many hashes it carries."""
    found: dict[str, tuple[str, int]] = {}
    current = ""
    for line in lock.read_text().splitlines():
        pinned = PIN.match(line)
        if pinned:
            current = _name(pinned.group(1))
            found[current] = (pinned.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def test_every_pin_of_pyproject_is_locked_at_its_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    locked = _locked()
    for pin in pins:
        matched = PIN.match(pin)
        assert matched, f"{pin}: pyproject.toml pins every dependency with =="
        name, version = _name(matched.group(1)), matched.group(2)
        assert name in locked, f"{name} is not in requirements/dev.lock: run make lock"
        assert locked[name][0] == version, f"{name}: {version} here, {locked[name][0]} locked"


def test_every_locked_requirement_carries_its_hashes() -> None:
    locked = _locked()
    assert len(locked) > 50
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []


def test_the_client_generator_is_locked_with_its_hashes() -> None:
    """``make client`` installs openapi-python-client from its own lock, hashes required."""
    locked = _locked(ROOT / "clients" / "requirements.lock")
    for line in (ROOT / "clients" / "requirements.txt").read_text().splitlines():
        matched = PIN.match(line)
        assert matched, f"{line}: clients/requirements.txt pins with =="
        name, version = _name(matched.group(1)), matched.group(2)
        assert locked.get(name, ("", 0))[0] == version, f"{name} {version}: run make lock"
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r clients/requirements.lock" in makefile
