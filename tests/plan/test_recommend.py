"""The guide's decision tree, one handmade dataset per branch."""

import polars as pl

import datacheck


def _rec(frame, **options):
    return datacheck.audit(frame, tokenizers=["llama-3.1", "phi-2"], **options).to_dict()[
        "recommendation"
    ]


def test_structured_output_takes_llama_8b_base():
    frame = pl.DataFrame({"text": [f"ticket {i}" for i in range(40)], "label": ["a", "b"] * 20})
    rec = _rec(frame)
    assert (rec["model"], rec["variant"]) == ("llama-3.1-8b", "base")
    assert [s["answer"] for s in rec["path"]] == [True]


def test_complex_reasoning_takes_llama_70b():
    answer = "Step one. " + "We weigh the evidence carefully and explain each step. " * 60
    frame = pl.DataFrame({"prompt": [f"Question {i}?" for i in range(40)],
                          "completion": [answer + str(i) for i in range(40)]})  # fmt: skip
    rec = _rec(frame)
    assert rec["model"] == "llama-3.1-70b"
    assert [s["answer"] for s in rec["path"]] == [False, True]


def _free_text():
    return pl.DataFrame(
        {"prompt": [f"How do I reset device {i}?" for i in range(40)],
         "completion": [f"Hold the power button of device {i} for ten seconds." for i in range(40)]}
    )  # fmt: skip


def test_resource_constrained_takes_phi2():
    rec = _rec(_free_text(), gpu_memory_gb=8)
    assert rec["model"] == "phi-2"
    assert [s["answer"] for s in rec["path"]] == [False, False, True]
    assert "8 GB" in rec["path"][-1]["evidence"]


def test_otherwise_mistral_7b():
    rec = _rec(_free_text(), gpu_memory_gb=24)
    assert rec["model"] == "mistral-7b"
    assert [s["answer"] for s in rec["path"]] == [False, False, False]


def test_model_option_overrides_and_the_context_check_follows_it():
    long = pl.DataFrame({"text": ["word " * 2500, "short text"] * 10, "label": ["a", "b"] * 10})
    result = datacheck.audit(long, tokenizers=["phi-2"], model="phi-2")
    rec = result.to_dict()["recommendation"]
    assert rec["model"] == "phi-2" and rec["overridden"]
    check = next(c for c in result.to_dict()["checks"] if c["id"] == "length.context_window")
    assert check["status"] == "fail" and check["row_count"] == 10
    assert check["rows"] == list(range(1, 21, 2))
