"""requirements-lock.txt, what the test command and CI install, agrees with the pins."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """The ``name==version`` pins of a requirements file, following ``-r`` includes."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        include = re.match(r"^-r\s+(\S+)", line)
        if include:
            found.update(pins(path.parent / include.group(1)))
        elif match := PIN.match(line):
            found[_name(match.group(1))] = match.group(2)
    return found


def lock_entries() -> dict[str, tuple[str, list[str]]]:
    """Each locked package: its version and its hashes."""
    text = (ROOT / "requirements-lock.txt").read_text(encoding="utf-8")
    entries: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PIN.match(block.strip())
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            entries[_name(match.group(1))] = (match.group(2), hashes)
    return entries


def test_every_pin_is_locked_at_its_version():
    locked = lock_entries()
    wanted = pins(ROOT / "requirements-dev.txt")
    assert len(wanted) > 20  # the runtime pins came in through -r requirements.txt
    assert "flask" in wanted and "pytest" in wanted
    mismatched = {
        name: (version, locked.get(name, ("missing",))[0])
        for name, version in wanted.items()
        if locked.get(name, ("missing",))[0] != version
    }
    assert mismatched == {}, "regenerate the lock (README, Test it): " + repr(mismatched)


def test_the_lock_is_resolved_and_hashed():
    locked = lock_entries()
    assert len(locked) > len(pins(ROOT / "requirements-dev.txt"))  # dependencies of the pins
    unhashed = [name for name, (_, hashes) in locked.items() if not hashes]
    assert unhashed == []
    assert {"werkzeug", "itsdangerous", "markupsafe"} <= set(locked)  # Flask's own
