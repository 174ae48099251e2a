import json

import pytest
from click.testing import CliRunner

from datacheck._audit import estimate_cost
from datacheck.cli import cli
from datacheck.plan.cost import default_epochs
from datacheck.plan.models import API_MODELS, GPUS, OPEN_MODELS
from tests.conftest import SAMPLES


@pytest.mark.parametrize(
    ("examples", "epochs"), [(10, 10), (20, 5), (33, 4), (34, 3), (500, 3), (8_333, 3),
                             (8_334, 2), (20_000, 1), (200_000, 1), (3, 25)]
)  # fmt: skip
def test_openai_default_epochs(examples, epochs):
    assert default_epochs(examples) == epochs


def _api(report, model="gpt-4o-mini-2024-07-18"):
    return next(r for r in report["cost"] if r["model"] == model)


def test_api_cost_follows_the_formula_and_epochs_override():
    chat = SAMPLES / "orders_chat.jsonl"
    base = estimate_cost(chat, tokenizers=["o200k_base"])
    row = _api(base)
    per_epoch = row["tokens"] // row["epochs"]
    assert row["epochs"] == 3  # 640 examples
    assert row["usd"] == round(per_epoch * 3 * 3.00 / 1e6, 2)
    two = _api(estimate_cost(chat, tokenizers=["o200k_base"], epochs=2))
    assert two["tokens"] == per_epoch * 2
    assert two["usd"] == round(per_epoch * 2 * 3.00 / 1e6, 2)
    assert "$3 per 1M" in row["assumptions"]


def test_price_from_config_changes_the_figure(tmp_path):
    config = tmp_path / "datacheck.toml"
    config.write_text('[prices]\n"gpt-4o-mini-2024-07-18" = 6.0\n')
    chat = SAMPLES / "orders_chat.jsonl"
    cheap = _api(estimate_cost(chat, tokenizers=["o200k_base"]))
    dear = _api(estimate_cost(chat, tokenizers=["o200k_base"], config=config))
    assert dear["tokens"] == cheap["tokens"]
    assert dear["usd"] == round(dear["tokens"] * 6.0 / 1e6, 2)
    assert "(configured)" in dear["assumptions"]


def test_gpu_hours_follow_6nd_and_4nd():
    report = estimate_cost(SAMPLES / "orders_chat.jsonl", tokenizers=["llama-3.1"], gpu="H100")
    model, gpu = OPEN_MODELS["llama-3.1-8b"], GPUS["H100"]
    rows = {r["method"]: r for r in report["cost"] if r["model"] == "llama-3.1-8b"}
    for method, factor in (("full", 6), ("lora", 4)):
        row = rows[method]
        expected = (
            factor * model.parameters * row["tokens"] / (gpu.bf16_tflops * 1e12 * 0.35) / 3600
        )
        assert row["gpu_hours"] == pytest.approx(expected, abs=5e-4)
    assert rows["qlora"]["memory_gb"] < rows["lora"]["memory_gb"] < rows["full"]["memory_gb"]
    assert rows["full"]["gpu"].startswith("2x")  # 8B x 16 bytes x 1.2 > 80 GB


def test_cost_command_prints_dollars_hours_and_assumptions(run_cli):
    proc = run_cli("cost", str(SAMPLES / "orders_chat.jsonl"), "--epochs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "gpt-4o-mini-2024-07-18" in proc.stdout and "$" in proc.stdout
    assert "GPU-h" in proc.stdout and "MFU 0.35" in proc.stdout
    assert "x 2 epochs" in proc.stdout


def test_cost_command_json():
    result = CliRunner().invoke(cli, ["cost", str(SAMPLES / "orders_chat.jsonl"), "--json"])
    report = json.loads(result.output)
    assert {r["model"] for r in report["cost"]} >= set(API_MODELS) | set(OPEN_MODELS)


def test_tokens_command_json_and_stdin(run_cli):
    proc = run_cli("tokens", "-", "--json", input="  Hello World")
    counts = json.loads(proc.stdout)
    assert counts["phi-2"] == {"tokens": 3, "exact": True}
    assert set(counts) == {"llama-3.1", "mistral-7b-v0.3", "phi-2", "cl100k_base", "o200k_base"}
    one = CliRunner().invoke(
        cli, ["tokens", "This is a test sentence.", "--tokenizer", "llama-3.1", "--json"]
    )
    assert json.loads(one.output) == {"llama-3.1": {"tokens": 6, "exact": True}}


def test_tokens_command_unknown_tokenizer_is_exit_2():
    result = CliRunner().invoke(cli, ["tokens", "x", "--tokenizer", "gpt-7"])
    assert result.exit_code == 2 and "gpt-7" in result.output


def test_models_command_lists_every_model_as_exact():
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0
    for name in [*OPEN_MODELS, *API_MODELS]:
        assert name in result.output
    assert "ESTIMATE" not in result.output


def test_audit_fills_tokens_for_all_five_exactly(run_cli, tmp_path):
    proc = run_cli("audit", str(SAMPLES / "tickets.jsonl"), "--json", "out.json")
    report = json.loads((tmp_path / "out.json").read_text())
    assert set(report["tokens"]) == {
        "llama-3.1", "mistral-7b-v0.3", "phi-2", "cl100k_base", "o200k_base",
    }  # fmt: skip
    for summary in report["tokens"].values():
        assert summary["exact"] is True
        assert summary["total"] > summary["examples"] > 3000
    assert "Tokens (exact)" in proc.stdout


@pytest.mark.parametrize("held_out", ["validation", "test", "eval"])
def test_rows_held_out_under_any_split_name_are_not_trained_on(tmp_path, held_out):
    """Token totals, cost and the context check count the training rows only, whatever the
    held-out split is called (a dataset's `validation` or `test`, as `--eval` gives
    `eval`): the same figures as the training rows audited alone."""
    import datacheck

    train = [{"text": f"please route ticket number {i} to billing", "label": "billing"}
             for i in range(30)]  # fmt: skip
    held = [{"text": f"a much longer held out ticket {i} " * 20, "label": "billing"}
            for i in range(10)]  # fmt: skip
    (tmp_path / "split.json").write_text(json.dumps({"train": train, held_out: held}))
    (tmp_path / "train.json").write_text(json.dumps(train))
    options = {"tokenizers": ["cl100k_base", "llama-3.1"]}
    split = datacheck.audit(tmp_path / "split.json", **options)
    alone = datacheck.audit(tmp_path / "train.json", **options)
    assert split.source.rows == 40
    for name in ("cl100k_base", "llama-3.1"):
        assert split.tokens[name]["examples"] == 30
        assert split.tokens[name] == alone.tokens[name]
    assert split.cost == alone.cost
    assert split.recommendation == alone.recommendation
