import json
import os
import subprocess
import sys

from click.testing import CliRunner

from datacheck.cli import cli
from tests.conftest import ROOT, SAMPLES, write_jsonl


def test_help_teaches_with_examples():
    result = CliRunner().invoke(cli, ["audit", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "datacheck audit tickets.jsonl" in result.output


def test_version():
    from datacheck import __version__

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_missing_file_exits_2_and_names_the_path(tmp_path):
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl" in result.output


def test_empty_file_exits_2_with_a_reason(tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "empty.jsonl")])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_eval_data_of_another_shape_exits_2_without_a_traceback():
    args = ["audit", str(SAMPLES / "tickets.jsonl"), "--eval", str(SAMPLES / "orders_chat.jsonl")]
    result = CliRunner().invoke(cli, [*args, "--no-html"])
    assert result.exit_code == 2
    assert "(the eval data): has no" in result.output and "Traceback" not in result.output


def test_bad_option_is_usage_error():
    result = CliRunner().invoke(cli, ["audit", "x.jsonl", "--task", "poetry"])
    assert result.exit_code == 2


def test_json_to_stdout_is_pure_json(tmp_path):
    path = write_jsonl(
        tmp_path / "d.jsonl", [{"text": "a", "label": "x"}, {"text": "b", "label": "y"}]
    )
    result = CliRunner().invoke(cli, ["audit", str(path), "--json", "-"])
    report = json.loads(result.stdout)
    assert report["source"]["rows"] == 2
    assert report["detected"]["schema"] == "text_label"


def test_report_is_never_written_over_the_input(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "a", "label": "x"}])
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["audit", str(path), "--json", str(path)])
    assert result.exit_code == 2
    assert "refusing" in result.output
    assert path.read_bytes() == before


def test_subprocess_audit_of_the_sample(run_cli, tmp_path):
    proc = run_cli("audit", str(SAMPLES / "tickets.jsonl"), "--json", "out.json")
    assert proc.returncode == 1, proc.stderr
    verdicts = [
        line for line in proc.stdout.splitlines() if line.startswith(("NOT READY", "READY"))
    ]
    assert verdicts == ["NOT READY — 4 errors, 4 warnings, 7 checks passed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"], "writes only what was asked"
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["source"]["load_errors"][0]["line"] == 1207
    assert "line 1207" in proc.stdout
    assert "Technical" in proc.stdout


def test_subprocess_json_to_a_pipe_arrives_whole(run_cli):
    """The process ends without the interpreter's clean-up: what it wrote must be flushed."""
    proc = run_cli("audit", str(SAMPLES / "tickets.jsonl"), "--json", "-", "--no-html", "-q")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["verdict"] == "not_ready"
    assert len(proc.stdout) > 10_000


def test_subprocess_missing_file(run_cli):
    proc = run_cli("audit", "missing.jsonl")
    assert proc.returncode == 2
    assert "missing.jsonl" in proc.stderr


def test_subprocess_ready_sample_exits_0(run_cli):
    proc = run_cli("audit", str(SAMPLES / "troubleshooting_prompt_completion.jsonl"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "READY" in proc.stdout


def test_every_command_has_help_with_examples_and_is_in_the_readme():
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert "Examples:" in result.output, f"{name} --help has no examples"
        assert f"datacheck {name}" in readme, f"README does not show `datacheck {name}`"


def test_tokens_of_text_that_is_not_utf8_exits_2_with_where(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café crème".encode("latin-1"))
    from_file = CliRunner().invoke(cli, ["tokens", "--file", str(path)])
    from_stdin = CliRunner().invoke(cli, ["tokens", "-"], input=path.read_bytes())
    assert from_file.exit_code == from_stdin.exit_code == 2
    assert "latin1.txt: not valid UTF-8 (byte 0xe9 at offset 3)" in from_file.output
    assert "<stdin>: not valid UTF-8 (byte 0xe9 at offset 3)" in from_stdin.output


def test_tokens_reads_utf8_from_a_file_and_standard_input(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("Where is my refund?", encoding="utf-8")
    args = ["--tokenizer", "cl100k_base", "--json"]
    from_file = CliRunner().invoke(cli, ["tokens", "--file", str(path), *args])
    from_stdin = CliRunner().invoke(cli, ["tokens", "-", *args], input=path.read_bytes())
    direct = CliRunner().invoke(cli, ["tokens", "Where is my refund?", *args])
    assert (
        json.loads(from_file.output) == json.loads(from_stdin.output) == json.loads(direct.output)
    )
    assert json.loads(direct.output)["cl100k_base"]["tokens"] == 5  # Where| is| my| refund|?


def test_an_empty_path_is_a_usage_error_not_the_current_folder():
    result = CliRunner().invoke(cli, ["audit", "", "--no-html"])
    assert result.exit_code == 2
    assert "no data file given" in result.output


def test_init_on_a_file_without_rows_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.csv").write_text("text,label\n")
    result = CliRunner().invoke(cli, ["init", "d.csv"])
    assert result.exit_code == 2
    assert "contains no examples (it has columns (text, label) but no rows)" in result.output
    assert not (tmp_path / "datacheck.toml").exists()


def test_the_report_does_not_depend_on_string_hashing(run_cli, tmp_path):
    """Issue 22: two runs with different PYTHONHASHSEED give the same JSON report."""
    reports = []
    for seed in ("0", "4242"):
        out = tmp_path / f"report-{seed}.json"
        data = str(SAMPLES / "orders_chat.jsonl")
        proc = run_cli(
            "audit", data, "--eval", data, "--json", str(out), "--no-html", "-q",
            env={"PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert proc.returncode == 1, proc.stderr
        report = json.loads(out.read_text())
        del report["generated_at"], report["timings"]
        reports.append(report)
    assert reports[0] == reports[1]
    assert json.dumps(reports[0]) == json.dumps(reports[1])  # in the same order too


def test_a_killed_run_leaves_the_previous_report_intact(tmp_path):
    """Issue 22: reports are written through a temporary file and a rename, so a run killed
    at any point leaves the last complete report as it was."""
    import signal
    import time

    rows = [
        {"text": f"ticket {i} about order {i * 7}", "label": "AB"[i % 2]} for i in range(60_000)
    ]
    data = write_jsonl(tmp_path / "data.jsonl", rows)  # audited in well over the 1.5 s below
    out = tmp_path / "report.json"
    out.write_text('{"previous": true}\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "datacheck", "audit", str(data), "--json", str(out), "--no-html",
         "-q"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.5)  # mid-audit
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert out.read_text() == '{"previous": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl", "report.json"]
