"""The suites ship inside the installed package, identical to the top-level expectations/."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from datacheck.checks._gx import load_suites, suites_folder
from tests.conftest import NETGUARD, ROOT


def test_suites_in_use_are_the_top_level_ones():
    for path in (ROOT / "expectations").glob("*.json"):
        assert (suites_folder() / path.name).read_bytes() == path.read_bytes()


def test_every_expectation_names_a_registered_check():
    from datacheck.checks import REGISTRY

    for suite in load_suites():
        for expectation in suite.expectations:
            assert expectation["meta"]["check"] in REGISTRY, expectation


def test_wheel_carries_identical_suites(tmp_path):
    pytest.importorskip("hatchling")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("datacheck-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name.rsplit("/", 1)[-1]: archive.read(name)
            for name in archive.namelist()
            if name.startswith("datacheck/expectations/") and name.endswith(".json")
        }
        schema = archive.read("datacheck/report/schema.json")
    top = {p.name: p.read_bytes() for p in (ROOT / "expectations").glob("*.json")}
    assert shipped == top
    assert schema == (ROOT / "src/datacheck/report/schema.json").read_bytes()


def _build(tmp_path):
    """`python -m build` (without build isolation, which would download hatchling)."""
    pytest.importorskip("build")
    out = tmp_path / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return next(out.glob("datacheck-*.whl")), next(out.glob("datacheck-*.tar.gz"))


def _offline(command):
    """`command` with no network at all where this machine allows (a network namespace of
    its own), else as it is; the network guard is loaded either way."""
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return ["unshare", "-n", *command] if probe.returncode == 0 else command


def test_the_built_wheel_installs_offline_in_a_fresh_venv_and_audits_the_sample(tmp_path):
    import os
    import sysconfig
    import tarfile

    wheel, sdist = _build(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for shipped in [
        "datacheck/expectations/volume.json", "datacheck/report/templates/report.html.j2",
        "datacheck/report/templates/report.css", "datacheck/report/schema.json",
        "datacheck/plan/vocab/gpt2.tiktoken.gz", "datacheck/plan/models.py",
    ]:  # fmt: skip
        assert shipped in names, shipped
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"expectations/volume.json", "action.yml", "docs/checks.md"} <= in_sdist

    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # the dependencies come from this environment (the network is closed to the install);
    # a path line in a .pth file adds the folder without running the editable install's hooks
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {**os.environ, "PYTHONPATH": str(NETGUARD), "PIP_NO_INDEX": "1"}
    env.pop("VIRTUAL_ENV", None)
    install = subprocess.run(
        _offline([str(python), "-m", "pip", "install", "--no-index", "--no-deps", str(wheel)]),
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    where = subprocess.run(
        [str(python), "-c", "import datacheck; print(datacheck.__file__)"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    ).stdout.strip()  # fmt: skip
    assert where.startswith(str(venv)), where  # the wheel's copy, not the source tree
    sample = tmp_path / "tickets.jsonl"
    sample.write_bytes((ROOT / "sample_data" / "tickets.jsonl").read_bytes())
    audit = subprocess.run(
        _offline([str(venv / "bin" / "datacheck"), "audit", str(sample), "--json", "r.json",
                  "--html", "r.html"]),
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert audit.returncode == 1, audit.stderr  # the sample is not ready, by design
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["verdict"] == "not_ready"
    assert all(t["exact"] for t in report["tokens"].values())  # vocabularies found offline
    assert (tmp_path / "r.html").stat().st_size > 1_000_000  # plotly.js inlined
