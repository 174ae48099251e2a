import pytest
from click.testing import CliRunner

import datacheck
from datacheck.cli import cli
from datacheck.config import find_config, load_settings
from tests.conftest import write_jsonl


def _data(tmp_path):
    rows = [{"text": f"ticket {i} text", "label": "AB"[i % 2]} for i in range(10)]
    return write_jsonl(tmp_path / "d.jsonl", rows)


def test_discovery_walks_up_and_reads_pyproject(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.datacheck]\ntask = "classification"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config() == tmp_path / "pyproject.toml"
    assert load_settings().task == "classification"


def test_datacheck_toml_wins_in_its_folder(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.datacheck]\ntask = "extraction"\n')
    (tmp_path / "datacheck.toml").write_text('task = "classification"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings().task == "classification"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n", "unknown key `colour`"),
        ("labels = 3\n", "`labels` must be a list of strings"),
        ("[thresholds]\nmin_per_category = 'lots'\n", "must be a non-negative number"),
        ("[thresholds]\nmin_per_kitten = 5\n", "unknown threshold `min_per_kitten`"),
        ('[checks]\n"volume.total" = "fatal"\n', "must be one of error, warning, info, off"),
        ("task = [\n", "not valid TOML"),
        # TOML has inf and nan; int(inf) raised OverflowError out of the audit
        ("epochs = inf\n", "`epochs` must be a positive number, not inf"),
        ("sample = inf\n", "`sample` must be a positive number, not inf"),
        ("gpu_memory_gb = nan\n", "`gpu_memory_gb` must be a positive number, not nan"),
        ("[thresholds]\nmin_examples = nan\n", "must be a non-negative number"),
        ("[prices]\ngpt-4o-mini-2024-07-18 = inf\n", "must be dollars per 1M tokens"),
    ],
)
def test_bad_config_names_key_and_file(tmp_path, text, message):
    path = tmp_path / "datacheck.toml"
    path.write_text(text)
    with pytest.raises(datacheck.ConfigError) as info:
        load_settings(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_a_config_that_is_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "datacheck.toml"
    path.write_bytes("# réglages\n".encode("latin-1"))
    with pytest.raises(datacheck.ConfigError, match=r"not valid UTF-8 \(byte 0xe9 at offset 3\)"):
        load_settings(path)


def test_bad_config_is_exit_2_in_the_cli(tmp_path, monkeypatch):
    data = _data(tmp_path)
    (tmp_path / "datacheck.toml").write_text("colour = 1\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["audit", str(data)])
    assert result.exit_code == 2
    assert "colour" in result.output and "datacheck.toml" in result.output


def test_thresholds_and_severities_from_config_change_the_outcome(tmp_path, monkeypatch):
    data = _data(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["audit", str(data), "-q"]).exit_code == 1  # 5 per label
    (tmp_path / "datacheck.toml").write_text("[thresholds]\nmin_per_category = 5\n")
    assert CliRunner().invoke(cli, ["audit", str(data), "-q"]).exit_code == 0
    (tmp_path / "datacheck.toml").write_text(
        '[thresholds]\nmin_per_category = 5\n[checks]\n"volume.imbalance" = "error"\n'
        '"task.hard_to_verify" = "off"\n'
    )
    result = datacheck.audit(data, config=tmp_path / "datacheck.toml")
    ids = {c["id"]: c for c in result.to_dict()["checks"]}
    assert "task.hard_to_verify" not in ids
    assert ids["volume.imbalance"]["severity"] == "error"
    assert result.to_dict()["config"]["checks"]["volume.imbalance"] == "error"


def test_cli_options_override_config(tmp_path, monkeypatch):
    data = _data(tmp_path)
    (tmp_path / "datacheck.toml").write_text('task = "extraction"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["audit", str(data), "--task", "classification", "--json", "-"]
    )
    import json

    assert json.loads(result.stdout)["detected"]["task"] == "classification"


def test_fail_on_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default HTML report lands in the working folder
    rows = [{"text": f"ticket {i} text", "label": "A"} for i in range(40)]
    rows += [{"text": f"other {i} text", "label": "B"} for i in range(2)]
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    options = ["audit", str(data), "-q", "--no-config"]
    thresholds = tmp_path / "c.toml"
    thresholds.write_text("[thresholds]\nmin_per_category = 2\n")
    runner = CliRunner()
    assert runner.invoke(cli, [*options, "--config", str(thresholds)]).exit_code == 0
    assert (
        runner.invoke(
            cli, [*options, "--config", str(thresholds), "--fail-on", "warning"]
        ).exit_code
        == 1
    )


def test_init_writes_a_config_that_loads_and_refuses_to_overwrite(tmp_path, monkeypatch):
    data = _data(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(data)]).exit_code == 0
    settings = load_settings(tmp_path / "datacheck.toml")
    assert settings.task == "classification"
    assert settings.labels == ("A", "B")
    again = runner.invoke(cli, ["init", str(data)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(cli, ["init", str(data), "--force"]).exit_code == 0


def test_a_list_option_given_as_text_is_split_on_commas_not_letters():
    from datacheck.config import Settings

    settings = Settings().merged(tokenizers="cl100k_base, o200k_base", labels="billing")
    assert settings.tokenizers == ("cl100k_base", "o200k_base")
    assert settings.labels == ("billing",)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epochs": float("inf")}, "`epochs` must be a whole number"),
        ({"sample": float("nan")}, "`sample` must be a whole number"),
        ({"gpu_memory_gb": 0}, "`gpu_memory_gb` must be a positive number"),
        ({"mfu": float("nan")}, "`mfu` must be between 0 and 1"),
    ],
)
def test_bad_options_from_python_are_config_errors(tmp_path, options, message):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "a", "label": "x"}] * 3)
    with pytest.raises(datacheck.ConfigError, match=message):
        datacheck.audit(path, **options)


@pytest.mark.parametrize("value", ["0", "-3", "nan", "inf", "lots"])
def test_gpu_memory_must_be_a_size(value):
    result = CliRunner().invoke(cli, ["cost", "x.jsonl", "--gpu-memory", value])
    assert result.exit_code == 2
    assert "Invalid value for '--gpu-memory'" in result.output


def test_an_unknown_check_id_is_refused_when_the_audit_starts(tmp_path):
    path = tmp_path / "datacheck.toml"
    path.write_text('[checks]\n"volume.nope" = "off"\n')
    settings = load_settings(path)  # keys and types are fine: the registry decides ids
    with pytest.raises(datacheck.ConfigError) as info:
        datacheck.audit(tmp_path / "never-read.jsonl", config=settings)
    assert f"{path}: unknown check `volume.nope` in [checks]" in str(info.value)
    with pytest.raises(datacheck.ConfigError, match=r"^options: unknown check `volume\.nah`"):
        datacheck.audit(tmp_path / "never-read.jsonl", checks={"volume.nah": "off"})


def test_the_starter_limits_uncommented_are_the_defaults(tmp_path):
    from datacheck.limits import Limits
    from datacheck.starter import starter_config

    text = starter_config(None)
    limits = text[text.index("[limits]") :]
    uncommented = "\n".join(line.removeprefix("# ") for line in limits.splitlines())
    (tmp_path / "datacheck.toml").write_text(uncommented)
    settings = load_settings(tmp_path / "datacheck.toml")
    assert Limits.from_settings(settings.limits) == Limits()
    assert set(settings.limits) == {"max_bytes", "max_ratio", "max_line_bytes", "max_field_chars",
                                    "max_labels_shown", "stream_wait_seconds"}  # fmt: skip


def test_init_writes_one_spelling_per_label(tmp_path, monkeypatch):
    rows = [{"text": f"invoice question {i}", "label": "Billing"} for i in range(6)]
    rows += [{"text": f"invoice issue {i}", "label": "billing "} for i in range(2)]
    rows += [{"text": f"login {i}", "label": "account"} for i in range(3)]
    rows += [{"text": f"password {i}", "label": "Account"} for i in range(2)]
    rows += [{"text": "no label", "label": "  "}]
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init", str(data)]).exit_code == 0
    # the most common spelling of each label; a blank label is a missing one
    assert load_settings(tmp_path / "datacheck.toml").labels == ("Billing", "account")
