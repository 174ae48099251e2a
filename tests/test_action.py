"""The GitHub Action's shell steps, run here as a runner would run them: inputs reach the
shell through the environment, outputs through $GITHUB_OUTPUT, the summary through
$GITHUB_STEP_SUMMARY. The install step is left out (this environment has datacheck), and
the `uses:` steps are GitHub's own actions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import NETGUARD, ROOT, SAMPLES

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _inputs(**given):
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(defaults)
    assert not unknown, unknown
    return {**defaults, **given}


def _value(expression, inputs, outputs):
    if expression.startswith("inputs."):
        return inputs[expression.removeprefix("inputs.")]
    if expression.startswith("steps."):
        step, _, name = expression.removeprefix("steps.").split(".", 2)
        return outputs.get(step, {}).get(name, "")
    if expression == "github.action_path":
        return str(ROOT)
    raise AssertionError(f"an expression this test cannot evaluate: {expression}")


def _outputs_of(path):
    found = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        found[key] = value
    return found


def run_action(tmp_path, **given):
    """Every shell step but the install; each step's exit code and outputs, and the summary."""
    inputs = _inputs(**given)
    summary = tmp_path / "summary.md"
    outputs: dict[str, dict[str, str]] = {}
    codes, printed = {}, []
    bin_folder = str(Path(shutil.which("datacheck") or sys.executable).parent)
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or step["id"] == "install":
            continue
        out_file = tmp_path / f"{step['id']}.out"
        out_file.write_text("")
        env = {
            **os.environ,
            **{
                key: _EXPRESSION.sub(lambda m: _value(m.group(1), inputs, outputs), str(value))
                for key, value in step.get("env", {}).items()
            },
            "GITHUB_OUTPUT": str(out_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "PATH": os.pathsep.join([bin_folder, os.environ.get("PATH", "")]),
            "PYTHONPATH": os.pathsep.join([str(NETGUARD), str(ROOT / "src")]),
        }
        assert not _EXPRESSION.search(step["run"]), "inputs must reach the script through env"
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        codes[step["id"]] = done.returncode
        outputs[step["id"]] = _outputs_of(out_file)
        printed.append(done.stdout + done.stderr)
    return codes, outputs, summary.read_text() if summary.exists() else "", "".join(printed)


def test_the_action_declares_the_inputs_the_issue_names():
    assert {"path", "eval-path", "config", "fail-on", "baseline"} <= set(ACTION["inputs"])
    assert ACTION["runs"]["using"] == "composite"
    uses = [s["uses"].split("@")[0] for s in ACTION["runs"]["steps"] if "uses" in s]
    assert uses == ["actions/setup-python", "actions/upload-artifact"]
    upload = next(s for s in ACTION["runs"]["steps"] if "upload-artifact" in s.get("uses", ""))
    assert "inputs.html" in upload["with"]["path"] and "always()" in upload["if"]


def test_a_not_ready_sample_annotates_summarises_reports_and_fails_at_the_gate(tmp_path):
    data = tmp_path / "tickets.jsonl"
    shutil.copy(SAMPLES / "tickets.jsonl", data)
    codes, outputs, summary, printed = run_action(
        tmp_path, path=str(data), tokenizers="cl100k_base"
    )
    assert codes["audit"] == 0  # the audit step records; the gate step fails
    assert outputs["audit"] == {"exit-code": "1", "verdict": "not_ready"}
    assert codes["gate"] == 1
    assert "::error file=" in printed and "line=1207" in printed
    assert summary.startswith("## datacheck: ❌ Not ready")
    report = json.loads((tmp_path / "datacheck-report.json").read_text())
    assert report["verdict"] == "not_ready"
    assert (tmp_path / "datacheck-report.html").read_text().startswith("<!doctype html>")


def test_against_its_own_baseline_the_gate_passes(tmp_path):
    data = tmp_path / "tickets.jsonl"
    shutil.copy(SAMPLES / "tickets.jsonl", data)
    run_action(tmp_path, path=str(data), tokenizers="cl100k_base", json="first.json")
    codes, outputs, summary, _ = run_action(
        tmp_path, path=str(data), tokenizers="cl100k_base", baseline="first.json"
    )
    assert outputs["audit"]["exit-code"] == "0" and codes["gate"] == 0
    assert "No change against the baseline (first.json)" in summary


@pytest.mark.parametrize("name", ["missing.jsonl", "a file; echo INJECTED"])
def test_an_unreadable_path_fails_the_gate_with_2_and_runs_nothing_else(tmp_path, name):
    codes, outputs, _summary, printed = run_action(tmp_path, path=name)
    assert outputs["audit"] == {"exit-code": "2", "verdict": "unreadable"}
    assert codes["gate"] == 2
    assert "INJECTED" not in printed.replace(name, "")


def test_the_pre_commit_hook_runs_the_fast_lint_on_data_files_only(run_cli, tmp_path):
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    assert all(pattern.search(n) for n in ["d/train.jsonl", "x.csv", "t.parquet", "a.jsonl.gz"])
    assert not any(pattern.search(n) for n in ["package.json", "README.md", "x.jsonl.bak"])
    program, command = hook["entry"].split()
    assert program == "datacheck"
    shutil.copy(SAMPLES / "tickets.jsonl", tmp_path / "tickets.jsonl")
    done = run_cli(command, "tickets.jsonl")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("tickets.jsonl: NOT READY")
    assert "format.readable" in done.stdout and "volume." not in done.stdout
    assert not list(tmp_path.glob("*.html")), "a hook writes no report"
