"""The dependency audit's decisions (scripts/audit_deps.py), on recorded answers; no network.

``audit_fixtures/pypi_*.json`` were recorded from ``https://pypi.org/pypi/<name>/json`` on
2026-11-24 and trimmed to the fields the script reads (``info.version``, a few ``releases``
with their files' ``yanked`` flags, ``vulnerabilities``). OSV (``api.osv.dev``) cannot be
reached from this machine, so ``osv_querybatch.json`` follows the shape of OSV's documented
``/v1/querybatch`` answer (one result per query, ``{}`` for none) with real ids.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "audit_fixtures"


def _load_script():
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


audit_deps = _load_script()
Pin = audit_deps.Pin


def recorded(name: str) -> dict:
    """A recorded PyPI project document."""
    return json.loads((FIXTURES / f"pypi_{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to reach the network fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the audit tests must not use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def fake_index(projects: dict[str, dict | Exception]):
    """A fetcher answering from *projects* (an exception is raised), counting its calls."""
    calls: list[str] = []

    def fetch(name: str) -> dict:
        calls.append(name)
        answer = projects.get(name, audit_deps.NotOnIndex(name))
        if isinstance(answer, Exception):
            raise answer
        return answer

    fetch.calls = calls
    return fetch


# --- reading requirements ----------------------------------------------------------------------


def test_parse_requirements_follows_includes_extras_and_comments(tmp_path):
    """-r includes (once, even in a cycle), extras, markers, comments, -e lines and unpinned
    names are read as the pins pip would install."""
    (tmp_path / "base.txt").write_text(
        "# runtime\nFlask==3.1.3\npsycopg[binary]==3.3.9  # driver\n-r dev.txt\n",
        encoding="utf-8",
    )
    (tmp_path / "dev.txt").write_text(
        "-r base.txt\n-e .\nzope.interface == 7.1 ; python_version >= '3.9'\nloose>=1.0\n",
        encoding="utf-8",
    )
    pins = audit_deps.parse_requirements(tmp_path / "dev.txt")
    assert pins == [
        Pin("flask", "3.1.3"),
        Pin("psycopg", "3.3.9"),
        Pin("zope-interface", "7.1"),
        Pin("loose", None),
    ]


def test_the_projects_requirements_are_all_pinned():
    """Every requirement of the project (runtime and dev) is pinned with ==, so it can be
    audited; the runtime set is included in the dev set."""
    pins = audit_deps.parse_requirements(ROOT / "requirements-dev.txt")
    names = {p.name for p in pins}
    assert {"flask", "ortools", "pytest"} <= names
    assert [p.name for p in pins if p.version is None] == []


# --- what PyPI's JSON says about a pin ----------------------------------------------------------


@pytest.mark.parametrize(
    ("project", "version", "status"),
    [
        ("flask", "3.1.3", "OK"),  # the latest release, nothing listed
        ("flask", "3.1.2", "UNVERIFIED"),  # older: fixed vulnerabilities would be invisible
        ("click", "8.4.0", "UNVERIFIED"),
        ("click", "8.2.2", "YANKED"),
        ("requests", "2.32.0", "YANKED"),
        ("requests", "2.34.2", "OK"),
        ("pycrypto", "2.6.1", "VULNERABLE"),  # the latest release, four advisories
        ("pycrypto", "2.6", "VULNERABLE"),  # older, and the latest's advisories have no fix
        ("flask", "0.0.1", "UNKNOWN"),
    ],
)
def test_judge_pypi_on_recorded_answers(project, version, status):
    """Each recorded case gets the status the module documentation promises."""
    verdict = audit_deps.judge_pypi(Pin(project, version), recorded(project))
    assert verdict.status == status, verdict.detail


def test_vulnerable_verdict_names_ids_aliases_and_fixes():
    """A finding says which advisories, their CVE aliases and where they are fixed."""
    verdict = audit_deps.judge_pypi(Pin("pycrypto", "2.6.1"), recorded("pycrypto"))
    assert "PYSEC-2017-94" in verdict.ids and "CVE-2013-7459" in verdict.detail
    assert "no fixed release" in verdict.detail
    yanked = audit_deps.judge_pypi(Pin("requests", "2.32.0"), recorded("requests"))
    assert "CVE-2024-35195" in yanked.detail


@pytest.mark.parametrize(
    ("fixed_in", "status"),
    [(["2.6"], "UNVERIFIED"), (["2.5", "2.6"], "UNVERIFIED"), (["2.7"], "VULNERABLE")],
)
def test_older_pin_fixed_at_or_before_is_not_a_finding(fixed_in, status):
    """An advisory of the latest release whose fix is at or before our older pin does not
    affect us (a regression); one fixed only later does."""
    project = recorded("pycrypto")
    for advisory in project["vulnerabilities"]:
        advisory["fixed_in"] = fixed_in
    assert audit_deps.judge_pypi(Pin("pycrypto", "2.6"), project).status == status


def test_withdrawn_advisories_are_ignored():
    """A withdrawn advisory is no finding."""
    project = recorded("pycrypto")
    for advisory in project["vulnerabilities"]:
        advisory["withdrawn"] = "2025-01-01T00:00:00Z"
    assert audit_deps.judge_pypi(Pin("pycrypto", "2.6.1"), project).status == "OK"


def test_version_key_orders_releases():
    """Pre-releases < final < post-releases; trailing zeros do not matter."""
    key = audit_deps.version_key
    assert key("2.6") < key("2.6.1") < key("2.10")
    assert key("1.0") == key("1.0.0")
    assert key("1.0rc1") < key("1.0") < key("1.0.post1")
    assert key("9.9") < key("9.15.6755")


# --- the audit as a whole ----------------------------------------------------------------------

PINS = [Pin("flask", "3.1.3"), Pin("pycrypto", "2.6.1"), Pin("click", "8.4.0")]
INDEX = {name: recorded(name) for name in ("flask", "pycrypto", "click", "requests")}


def test_audit_with_pypi_only_fails_on_the_vulnerable_pin():
    """OSV unreachable: PyPI's data decides; a vulnerable pin fails, an older pin is flagged
    as unverified, and the notes say which source was used."""

    def osv_down(pins):
        raise audit_deps.Unreachable("OSV: Name or service not known")

    notes: list[str] = []
    verdicts = audit_deps.audit(PINS, fake_index(INDEX), osv_down, notes)
    assert [v.status for v in verdicts] == ["OK", "VULNERABLE", "UNVERIFIED"]
    assert audit_deps.exit_status(verdicts) == 1
    assert "OSV unreachable" in notes[0]


def test_audit_prefers_osv_exact_answers():
    """With OSV's per-version answer an older pin is checked (OK), and OSV's ids are used."""
    answer = json.loads((FIXTURES / "osv_querybatch.json").read_text(encoding="utf-8"))
    pins = [Pin("pycrypto", "2.6.1"), Pin("click", "8.4.0")]
    notes: list[str] = []
    verdicts = audit_deps.audit(
        pins, fake_index(INDEX), lambda p: audit_deps.osv_ids(answer, len(p)), notes
    )
    assert [v.status for v in verdicts] == ["VULNERABLE", "OK"]
    assert verdicts[0].ids == ("GHSA-cq27-v7xp-c356", "PYSEC-2017-94")
    assert notes == ["OSV answered for every exact version"]


def test_audit_yanked_beats_an_osv_ok():
    """A yanked release fails even when OSV lists nothing for it."""
    verdicts = audit_deps.audit(
        [Pin("requests", "2.32.0")], fake_index(INDEX), lambda pins: [[]], []
    )
    assert verdicts[0].status == "YANKED"
    assert audit_deps.exit_status(verdicts) == 1


def test_audit_with_no_source_warns_but_does_not_fail(capsys):
    """Nothing reachable: every pin is UNREACHABLE, the index is asked once (no long wait per
    package), the exit status is 0 and a loud warning says nothing was checked."""
    down = audit_deps.Unreachable("PyPI: Name or service not known")
    fetch = fake_index({name: down for name in INDEX})
    notes: list[str] = []
    verdicts = audit_deps.audit(PINS + [Pin("loose", None)], fetch, None, notes)
    assert [v.status for v in verdicts] == ["UNREACHABLE"] * 3 + ["UNPINNED"]
    assert fetch.calls == ["flask"]
    assert audit_deps.exit_status(verdicts) == 0
    audit_deps.report(verdicts, notes)
    err = capsys.readouterr().err
    assert "WARNING: 4 of 4 packages could NOT be checked" in err


def test_osv_answer_of_the_wrong_length_counts_as_unreachable():
    """A malformed OSV answer is not trusted as "nothing found"."""
    with pytest.raises(audit_deps.Unreachable):
        audit_deps.osv_ids({"results": [{}]}, 2)
    with pytest.raises(audit_deps.Unreachable):
        audit_deps.osv_ids({"error": "quota"}, 1)


def test_unknown_project_is_unknown_not_ok():
    """A name PyPI does not know (typo, private package) is reported as not checked."""
    verdicts = audit_deps.audit([Pin("no-such-thing", "1.0")], fake_index({}), None, [])
    assert verdicts[0].status == "UNKNOWN"


# --- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pins", "pypi_up", "status", "says"),
    [
        ("flask==3.1.3\n", True, 0, "1 OK"),
        ("flask==3.1.3\npycrypto==2.6.1\n", True, 1, "FAILED: known-vulnerable or yanked"),
        ("flask==3.1.3\npycrypto==2.6.1\n", False, 0, "could NOT be checked"),
    ],
    ids=["clean", "vulnerable", "unreachable"],
)
def test_main_exit_status(tmp_path, monkeypatch, capsys, pins, pypi_up, status, says):
    """Exit 1 on a finding, 0 when clean, 0 with a warning when nothing could be checked."""
    path = tmp_path / "requirements.txt"
    path.write_text(pins, encoding="utf-8")

    def fetch(name, base):
        if not pypi_up:
            raise audit_deps.Unreachable("PyPI: Name or service not known")
        return copy.deepcopy(INDEX[name])

    def osv_down(pins):
        raise audit_deps.Unreachable("OSV: Name or service not known")

    monkeypatch.setattr(audit_deps, "fetch_pypi", fetch)
    monkeypatch.setattr(audit_deps, "query_osv", osv_down)
    assert audit_deps.main([str(path)]) == status
    captured = capsys.readouterr()
    assert says in captured.out + captured.err


def test_main_missing_file_is_a_usage_error(tmp_path, capsys):
    """A requirements file that does not exist is exit 2 with the path named."""
    assert audit_deps.main([str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt" in capsys.readouterr().err


def test_ci_runs_the_audit_before_the_readme_test_command():
    """.ci/run audits the requirements before the test command, which stays the README's
    verbatim and the last command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(
        line.strip()
        for line in readme.splitlines()
        if line.strip().startswith("python3 -m venv .venv") and "pytest" in line
    )
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines[-1] == command
    audit = [i for i, line in enumerate(lines) if "scripts/audit_deps.py" in line]
    assert audit and audit[0] < len(lines) - 1
