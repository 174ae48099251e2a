"""The suites ship inside the installed package, identical to the top-level expectations/."""

import subprocess
import sys
import zipfile

import pytest

from datacheck.checks._gx import load_suites, suites_folder
from tests.conftest import ROOT


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
