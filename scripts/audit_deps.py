"""Audit the pinned requirements (and, with --resolve, everything they pull in) for known
vulnerabilities, with whatever vulnerability source this machine can reach.

Usage::

    python3 scripts/audit_deps.py [--resolve] [REQUIREMENTS ...]   # default: requirements-dev.txt

Standard library only, so CI runs it with the system ``python3`` before any virtual
environment exists. Sources, best first:

1. OSV (``api.osv.dev/v1/querybatch``): vulnerabilities of the exact version of every package.
   This is what ``pip-audit -s osv`` asks. Often unreachable (only package registries are).
2. PyPI's JSON API (``pypi.org/pypi/<name>/json``): its ``vulnerabilities`` key lists the
   known, not withdrawn vulnerabilities **of the latest release only**, and ``releases`` tells
   whether a version was yanked. The per-version endpoint that ``pip-audit``'s default service
   uses (``/pypi/<name>/<version>/json``) is not served here (404), which makes pip-audit skip
   every package and still print "No known vulnerabilities found".

So from PyPI alone a pin is:

* ``OK``: it is the latest release and PyPI lists no vulnerability for it;
* ``VULNERABLE``: it is the latest release and PyPI lists a vulnerability, or a newer release
  exists and PyPI lists a vulnerability of that release that is not fixed at or before the
  pin (it most likely affects the pin too);
* ``YANKED``: every file of the pinned release was yanked (the reason is printed);
* ``UNVERIFIED``: a newer release exists; vulnerabilities fixed between the pin and the latest
  release are invisible from here (upgrading the pin makes it checkable);
* ``UNREACHABLE`` / ``UNKNOWN`` / ``UNPINNED``: nothing could be checked.

Exit status: 1 when a pin is VULNERABLE or YANKED; 0 otherwise, with a loud warning on
standard error for every pin that could not be checked; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

PYPI_URL = "https://pypi.org/pypi"
OSV_URL = "https://api.osv.dev/v1/querybatch"
TIMEOUT_S = 20
#: statuses that fail the audit, and statuses that mean "not checked"
FINDINGS = ("VULNERABLE", "YANKED")
UNCHECKED = ("UNVERIFIED", "UNREACHABLE", "UNKNOWN", "UNPINNED")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;#]+)")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


class Unreachable(Exception):
    """A vulnerability source could not be asked (network, DNS, HTTP error)."""


class NotOnIndex(Exception):
    """The index has no project of that name."""


@dataclass(frozen=True, slots=True)
class Pin:
    """A package at the version that will be installed; ``version`` is None when unpinned."""

    name: str
    version: str | None
    origin: str = "pinned"  # or "resolved": pulled in by a pinned package


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the audit found out about one pin."""

    pin: Pin
    status: str
    detail: str
    ids: tuple[str, ...] = field(default=())


def normalise(name: str) -> str:
    """Return the PEP 503 normalised form of a project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def version_key(version: str) -> tuple:
    """An ordering key for release versions (release numbers, then pre < final < post).

    Good enough to compare a pin with the versions PyPI names in ``fixed_in``; not a full
    PEP 440 implementation (local versions and epochs are ignored).
    """
    match = re.match(r"v?(\d+(?:\.\d+)*)(.*)$", version.strip())
    if match is None:
        return ((), 0, version)
    numbers = [int(n) for n in match.group(1).split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    rest = match.group(2).lower()
    pre = re.match(r"[-_.]?(a|b|c|rc|alpha|beta|pre|preview|dev)", rest) is not None
    return (tuple(numbers), 0 if pre else 1, rest)


def parse_requirements(path: Path, seen: set[Path] | None = None) -> list[Pin]:
    """Read the pins of a requirements file, following ``-r``/``--requirement`` includes."""
    seen = set() if seen is None else seen
    path = path.resolve()
    if path in seen:
        return []
    seen.add(path)
    pins: list[Pin] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        include = re.match(r"^(?:-r|--requirement)[\s=]+(\S+)", line)
        if include:
            pins += parse_requirements(path.parent / include.group(1), seen)
            continue
        if line.startswith("-"):
            continue  # -e, --index-url, --hash ...: not a pin
        match = _PIN.match(line)
        if match:
            pins.append(Pin(normalise(match.group(1)), match.group(3)))
        elif _NAME.match(line):
            pins.append(Pin(normalise(_NAME.match(line).group(1)), None))
    return pins


def resolve(requirements: list[Path]) -> list[Pin]:
    """Everything pip would install for *requirements*, without installing anything.

    :raise Unreachable: when pip cannot resolve (no index, old pip).
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
        command += ["--quiet", "--report", str(report)]
        for path in requirements:
            command += ["-r", str(path)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not report.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise Unreachable(f"pip could not resolve the requirements: {last}")
        data = json.loads(report.read_text(encoding="utf-8"))
    return [
        Pin(normalise(item["metadata"]["name"]), item["metadata"]["version"], "resolved")
        for item in data.get("install", [])
    ]


def fetch_pypi(name: str, base: str = PYPI_URL) -> dict:
    """Return PyPI's JSON document of project *name*.

    :raise NotOnIndex: when PyPI has no such project.
    :raise Unreachable: when PyPI cannot be asked.
    """
    request = urllib.request.Request(
        f"{base}/{name}/json", headers={"User-Agent": "tourplanner-audit"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise NotOnIndex(name) from exc
        raise Unreachable(f"PyPI answered HTTP {exc.code} for {name}") from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise Unreachable(f"PyPI: {exc}") from exc


def query_osv(pins: list[Pin], url: str = OSV_URL) -> list[list[str]]:
    """Ask OSV for the vulnerabilities of each pin's exact version; ids per pin, in order.

    :raise Unreachable: when OSV cannot be asked.
    """
    queries = [
        {"package": {"name": p.name, "ecosystem": "PyPI"}, "version": p.version} for p in pins
    ]
    body = json.dumps({"queries": queries}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data = json.load(response)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise Unreachable(f"OSV: {exc}") from exc
    return osv_ids(data, len(pins))


def osv_ids(data: dict, count: int) -> list[list[str]]:
    """The vulnerability ids per query of an OSV querybatch answer.

    :raise Unreachable: when the answer does not have one result per query.
    """
    results = data.get("results")
    if not isinstance(results, list) or len(results) != count:
        raise Unreachable("OSV: the answer does not have one result per query")
    return [[v["id"] for v in (r or {}).get("vulns") or []] for r in results]


def _describe(vulns: Iterable[dict]) -> tuple[str, tuple[str, ...]]:
    parts, ids = [], []
    for v in vulns:
        aliases = ", ".join(v.get("aliases") or [])
        fixed = ", ".join(v.get("fixed_in") or [])
        fixed = f"fixed in {fixed}" if fixed else "no fixed release"
        parts.append(f"{v['id']}" + (f" ({aliases})" if aliases else "") + f": {fixed}")
        ids.append(v["id"])
    return "; ".join(parts), tuple(ids)


def judge_pypi(pin: Pin, project: dict) -> Verdict:
    """Decide what PyPI's JSON document of the project says about *pin* (see the module doc)."""
    latest = project.get("info", {}).get("version", "")
    releases = project.get("releases", {})
    files = releases.get(pin.version)
    if files is None:
        return Verdict(pin, "UNKNOWN", f"PyPI has no release {pin.version} (latest {latest})")
    if files and all(f.get("yanked") for f in files):
        reason = files[0].get("yanked_reason") or "no reason given"
        return Verdict(pin, "YANKED", f"release {pin.version} was yanked: {reason}")
    live = [v for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]
    if version_key(pin.version) >= version_key(latest):
        if live:
            detail, ids = _describe(live)
            return Verdict(pin, "VULNERABLE", detail, ids)
        return Verdict(pin, "OK", "the latest release; PyPI lists no vulnerability")
    ours = version_key(pin.version)
    affecting = [
        v
        for v in live
        if not v.get("fixed_in") or not any(version_key(f) <= ours for f in v["fixed_in"])
    ]
    if affecting:
        detail, ids = _describe(affecting)
        return Verdict(
            pin,
            "VULNERABLE",
            f"reported for the latest release {latest} and not fixed at or before "
            f"{pin.version}: {detail}",
            ids,
        )
    return Verdict(
        pin,
        "UNVERIFIED",
        f"newer release {latest} exists; PyPI lists vulnerabilities of the latest release "
        "only, so any fixed after this pin are invisible (upgrade to make it checkable)",
    )


def judge_osv(pin: Pin, ids: list[str]) -> Verdict:
    """What OSV's answer for *pin*'s exact version says."""
    if ids:
        return Verdict(pin, "VULNERABLE", "OSV: " + ", ".join(ids), tuple(ids))
    return Verdict(pin, "OK", "OSV lists no vulnerability of this version")


def combine(osv: Verdict | None, pypi: Verdict) -> Verdict:
    """Merge the two sources: a finding of either wins; OSV's exact answer beats UNVERIFIED."""
    if pypi.status == "YANKED" or osv is None:
        return pypi
    if osv.status == "VULNERABLE" or pypi.status != "VULNERABLE":
        return osv
    return pypi


def audit(
    pins: list[Pin],
    fetch: Callable[[str], dict],
    osv: Callable[[list[Pin]], list[list[str]]] | None,
    notes: list[str],
    workers: int = 8,
) -> list[Verdict]:
    """Judge every pin with the sources given; add a line to *notes* about each source."""
    pinned = [p for p in pins if p.version is not None]
    verdicts = {
        p: Verdict(p, "UNPINNED", "not pinned with ==; nothing to check")
        for p in pins
        if p.version is None
    }
    osv_verdicts: dict[Pin, Verdict] = {}
    if osv is not None and pinned:
        try:
            answers = osv(pinned)
        except Unreachable as exc:
            notes.append(f"OSV unreachable ({exc}); falling back to PyPI's JSON API")
        else:
            osv_verdicts = {p: judge_osv(p, ids) for p, ids in zip(pinned, answers, strict=True)}
            notes.append("OSV answered for every exact version")

    def from_pypi(pin: Pin) -> Verdict:
        try:
            return judge_pypi(pin, fetch(pin.name))
        except NotOnIndex:
            return Verdict(pin, "UNKNOWN", "PyPI has no project of this name")
        except Unreachable as exc:
            return Verdict(pin, "UNREACHABLE", str(exc))

    if pinned:
        # one probe first: when PyPI is down, do not wait for every package in turn
        pypi = {pinned[0]: from_pypi(pinned[0])}
        if pypi[pinned[0]].status == "UNREACHABLE":
            down = pypi[pinned[0]].detail
            notes.append(f"PyPI unreachable ({down})")
            pypi.update({p: Verdict(p, "UNREACHABLE", down) for p in pinned[1:]})
        else:
            with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
                pypi.update(zip(pinned[1:], pool.map(from_pypi, pinned[1:]), strict=True))
        for pin in pinned:
            verdicts[pin] = combine(osv_verdicts.get(pin), pypi[pin])
    return [verdicts[p] for p in pins]


def exit_status(verdicts: list[Verdict]) -> int:
    """1 when anything is known to be vulnerable or yanked, else 0."""
    return 1 if any(v.status in FINDINGS for v in verdicts) else 0


def report(verdicts: list[Verdict], notes: list[str], out=None, err=None) -> None:
    """Print one line per pin, the sources' notes, a summary and the warnings."""
    out = out or sys.stdout
    err = err or sys.stderr
    for note in notes:
        print(f"audit: {note}", file=out)
    order = {s: i for i, s in enumerate((*FINDINGS, *UNCHECKED, "OK"))}
    for v in sorted(verdicts, key=lambda v: (order.get(v.status, 9), v.pin.name)):
        version = v.pin.version or "-"
        print(f"  {v.status:<11} {v.pin.name} {version} ({v.pin.origin}): {v.detail}", file=out)
    counts = {s: sum(1 for v in verdicts if v.status == s) for s in order}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    print(f"audit: {len(verdicts)} packages: {summary}", file=out)
    out.flush()
    unchecked = [v for v in verdicts if v.status in UNCHECKED]
    if unchecked:
        bar = "!" * 78
        print(bar, file=err)
        print(
            f"WARNING: {len(unchecked)} of {len(verdicts)} packages could NOT be checked for "
            "known vulnerabilities (see UNVERIFIED/UNREACHABLE/UNKNOWN/UNPINNED above).",
            file=err,
        )
        print(bar, file=err)
    if exit_status(verdicts):
        found = [f"{v.pin.name} {v.pin.version}" for v in verdicts if v.status in FINDINGS]
        print(f"audit: FAILED: known-vulnerable or yanked: {', '.join(found)}", file=err)


def main(argv: list[str] | None = None) -> int:
    """Run the audit from the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requirements", nargs="*", type=Path, default=None)
    parser.add_argument(
        "--resolve",
        action="store_true",
        help="also audit what the pins pull in (pip install --dry-run --report)",
    )
    parser.add_argument("--no-osv", action="store_true", help="do not try OSV")
    parser.add_argument("--pypi-url", default=PYPI_URL)
    args = parser.parse_args(argv)
    paths = args.requirements or [Path(__file__).resolve().parents[1] / "requirements-dev.txt"]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"audit: no such requirements file: {', '.join(missing)}", file=sys.stderr)
        return 2
    pins = list(dict.fromkeys(p for path in paths for p in parse_requirements(path)))
    notes: list[str] = []
    if args.resolve:
        try:
            resolved = resolve(paths)
        except Unreachable as exc:
            notes.append(f"{exc}; auditing the pins only")
        else:
            pinned_names = {p.name for p in pins}
            pins += [p for p in resolved if p.name not in pinned_names]
            notes.append(f"resolved {len(resolved)} packages with pip (pins and what they need)")
    verdicts = audit(
        pins,
        lambda name: fetch_pypi(name, args.pypi_url),
        None if args.no_osv else query_osv,
        notes,
    )
    report(verdicts, notes)
    return exit_status(verdicts)


if __name__ == "__main__":
    sys.exit(main())
