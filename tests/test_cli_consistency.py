"""One spelling per option across commands: `--json [FILE]` means the same everywhere (a file,
or standard output with `-` or no FILE), `--tokenizers NAMES` is a comma-separated list."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from datacheck.cli import cli
from tests.conftest import SAMPLES

COMMANDS = [
    ["checks"],
    ["models"],
    ["cost", str(SAMPLES / "orders_chat.jsonl"), "--tokenizers", "cl100k_base"],
    ["tokens", "Where is my refund?"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_json_goes_to_stdout_or_to_a_file_alike(tmp_path, command):
    runner = CliRunner()
    bare = runner.invoke(cli, [*command, "--json"])
    dash = runner.invoke(cli, [*command, "--json", "-"])
    assert bare.exit_code == dash.exit_code == 0, bare.output
    assert json.loads(bare.output) == json.loads(dash.output)
    target = tmp_path / "out.json"
    to_file = runner.invoke(cli, [*command, "--json", str(target)])
    assert to_file.exit_code == 0 and to_file.output == ""
    assert json.loads(target.read_text()) == json.loads(bare.output)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_json_is_listed_the_same_way_in_help(command):
    text = CliRunner().invoke(cli, [command[0], "--help"]).output
    assert "--json [FILE]" in text and "standard output" in text


def test_tokens_takes_the_same_tokenizers_option_as_audit_and_cost():
    runner = CliRunner()
    listed = runner.invoke(
        cli, ["tokens", "hello world", "--tokenizers", "phi-2,cl100k_base", "--json"]
    )
    assert set(json.loads(listed.output)) == {"phi-2", "cl100k_base"}
    for command in (["tokens", "x"], ["cost", "x"], ["audit", "x"]):
        assert "--tokenizers NAMES" in runner.invoke(cli, [*command, "--help"]).output
    unknown = runner.invoke(cli, ["tokens", "x", "--tokenizers", "gpt-7"])
    assert unknown.exit_code == 2 and "gpt-7" in unknown.output


def test_checks_json_lists_every_registered_check():
    from datacheck.checks import REGISTRY

    listed = json.loads(CliRunner().invoke(cli, ["checks", "--json"]).output)
    assert [c["id"] for c in listed] == sorted(REGISTRY)
    assert all(c["fix"] and c["description"] and c["severity"] for c in listed)


def test_models_json_names_the_windows_and_tokenizers():
    from datacheck.plan.models import OPEN_MODELS

    data = json.loads(CliRunner().invoke(cli, ["models", "--json"]).output)
    assert {m["name"]: m["context"] for m in data["open_models"]} == {
        m.name: m.context for m in OPEN_MODELS.values()
    }


def test_shell_completion_is_documented_and_works(run_cli):
    assert "_DATACHECK_COMPLETE=bash_source datacheck" in CliRunner().invoke(cli, ["--help"]).output
    proc = run_cli(env={"_DATACHECK_COMPLETE": "bash_source"})
    assert proc.returncode == 0 and "_datacheck_completion" in proc.stdout


def test_long_phases_report_counts_for_a_time_remaining(tmp_path):
    import datacheck
    from tests.conftest import write_jsonl

    class Observer:
        def __init__(self):
            self.phases, self.steps = [], []

        def __call__(self, phase):
            self.phases.append(phase)

        def step(self, phase, done, total):
            self.steps.append((phase, done, total))

    seen = Observer()
    path = write_jsonl(
        tmp_path / "d.jsonl", [{"text": f"t {i}", "label": "AB"[i % 2]} for i in range(6)]
    )
    result = datacheck.audit(path, progress=seen, tokenizers=["cl100k_base", "phi-2"])
    assert seen.phases == ["load", "detect", "tokenize", "checks"]
    assert [s for s in seen.steps if s[0] == "tokenize"] == [("tokenize", 1, 2), ("tokenize", 2, 2)]
    checks = [s for s in seen.steps if s[0] == "checks"]
    ran = sum(c.status != "skip" for c in result.checks)
    assert checks[-1] == ("checks", ran, ran) and len(checks) == ran
    calls = []  # a plain function, as the API always took, still works
    datacheck.audit(path, progress=calls.append, tokenizers=["cl100k_base"])
    assert calls == ["load", "detect", "tokenize", "checks"]


def test_the_progress_display_shows_counts_and_time_left():
    from datacheck.cli import _Progress

    class Bar:
        def __init__(self):
            self.updates = []

        def add_task(self, description, total):
            self.updates.append(("add", description, total))
            return len(self.updates)

        def update(self, task, **fields):
            self.updates.append(("update", task, fields))

    bar = Bar()
    shown = _Progress(bar)
    shown("tokenize")
    shown.step("tokenize", 1, 5)
    shown("checks")
    assert bar.updates[0] == ("add", "Counting tokens", None)
    assert bar.updates[1] == ("update", 1, {"completed": 1, "total": 5})
    assert ("update", 1, {"completed": 1, "total": 1, "visible": False}) in bar.updates
