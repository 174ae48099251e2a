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
