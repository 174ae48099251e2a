"""What a fine-tune costs: API dollars for OpenAI's fine-tunable models, GPU hours and memory
for the guide's open models. Every figure carries the assumptions it rests on."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from datacheck._frames import number
from datacheck.normalize import training
from datacheck.plan.models import API_MODELS, GPUS, OPEN_MODELS, PRICES_AS_OF
from datacheck.plan.token_counts import Counts

# Training FLOPs per parameter per token: forward + backward with weight gradients (full
# fine-tune), or forward + backward through frozen weights without their gradients (LoRA).
FLOPS_PER_PARAM_TOKEN = {"full": 6.0, "lora": 4.0, "qlora": 4.0}
# GPU memory per parameter (GB per 1e9 parameters), before activations:
# full = bf16 weights + grads + fp32 AdamW states (~16 bytes); LoRA = bf16 frozen weights;
# QLoRA = 4-bit weights with quantisation constants.
BYTES_PER_PARAM = {"full": 16.0, "lora": 2.0, "qlora": 0.55}
ACTIVATION_OVERHEAD = 1.2


@dataclass(frozen=True)
class CostOptions:
    epochs: int | None = None
    gpu: str = "A100-80GB"
    mfu: float = 0.35
    gpu_usd_per_hour: float | None = None
    prices: dict[str, float] = field(default_factory=dict)
    #: rows in the source per row counted (a --sample scales its token counts up)
    scale: float = 1.0


def default_epochs(examples: int) -> int:
    """OpenAI's documented default: 3 epochs, raised so examples x epochs >= 100 (at most 25),
    lowered so it stays <= 25,000 (at least 1)."""
    if examples <= 0:
        return 1
    epochs = 3
    if examples * epochs < 100:
        epochs = min(25, math.ceil(100 / examples))
    elif examples * epochs > 25_000:
        epochs = max(1, 25_000 // examples)
    return epochs


def _train(counts: Counts) -> pl.DataFrame:
    """The training rows' counts: held-out rows (any of `EVAL_SPLITS`) are not trained on."""
    return training(counts.frame)


def api_costs(counts: dict[str, Counts], options: CostOptions) -> list[dict[str, Any]]:
    rows = []
    for model in API_MODELS.values():
        if model.tokenizer not in counts:
            continue
        frame = _train(counts[model.tokenizer])
        examples = round(frame.height * options.scale)
        epochs = options.epochs or default_epochs(examples)
        clipped = frame["total"].clip(upper_bound=model.example_limit).sum()
        per_epoch = round(number(clipped) * options.scale)
        price = options.prices.get(model.name, model.usd_per_million)
        billed = per_epoch * epochs
        template = counts[model.tokenizer].template
        source = "" if options.epochs else f" (OpenAI's default for {examples:,} examples)"
        priced = (
            " (configured)" if model.name in options.prices else f" (list price {PRICES_AS_OF})"
        )
        rows.append(
            {
                "model": model.name,
                "method": "api",
                "epochs": epochs,
                "tokens": billed,
                "usd": round(billed * price / 1e6, 2),
                "gpu_hours": None,
                "gpu": None,
                "memory_gb": None,
                "exact": counts[model.tokenizer].exact and options.scale == 1.0,
                "assumptions": (
                    f"{_estimated(options)}{per_epoch:,} billed tokens per epoch "
                    f"({model.tokenizer}, {template}, "
                    f"examples cut at {model.example_limit:,}) x {epochs} epochs{source} "
                    f"x ${price:g} per 1M training tokens{priced}"
                ),
            }
        )
    return rows


def open_costs(counts: dict[str, Counts], options: CostOptions) -> list[dict[str, Any]]:
    gpu = GPUS[options.gpu]
    hourly = options.gpu_usd_per_hour if options.gpu_usd_per_hour is not None else gpu.usd_per_hour
    rows = []
    for model in OPEN_MODELS.values():
        if model.tokenizer not in counts:
            continue
        frame = _train(counts[model.tokenizer])
        epochs = options.epochs or 3
        per_epoch = round(
            number(frame["total"].clip(upper_bound=model.context).sum()) * options.scale
        )
        tokens = per_epoch * epochs
        for method in ("lora", "qlora", "full"):
            flops = FLOPS_PER_PARAM_TOKEN[method] * model.parameters * tokens
            hours = flops / (gpu.bf16_tflops * 1e12 * options.mfu) / 3600
            memory = model.parameters / 1e9 * BYTES_PER_PARAM[method] * ACTIVATION_OVERHEAD
            gpus_needed = max(1, math.ceil(memory / gpu.memory_gb))
            rows.append(
                {
                    "model": model.name,
                    "method": method,
                    "epochs": epochs,
                    "tokens": tokens,
                    "usd": round(hours * hourly, 2),
                    "gpu_hours": round(hours, 3),
                    "gpu": f"{gpus_needed}x {gpu.name}",
                    "memory_gb": round(memory, 1),
                    "guide_memory_gb": model.guide_memory_gb,
                    "exact": counts[model.tokenizer].exact and options.scale == 1.0,
                    "assumptions": (
                        f"{_estimated(options)}{FLOPS_PER_PARAM_TOKEN[method]:g} x "
                        f"{model.parameters / 1e9:.2f}B "
                        f"params x {tokens:,} tokens ({per_epoch:,} per epoch x {epochs}) = "
                        f"{flops:.2e} FLOPs; {gpu.name} bf16 peak {gpu.bf16_tflops:g} TFLOP/s "
                        f"at MFU {options.mfu:g}; ${hourly:g}/GPU-hour; memory "
                        f"{BYTES_PER_PARAM[method]:g} bytes/param x {ACTIVATION_OVERHEAD} for "
                        f"activations (the guide says {model.guide_memory_gb} GB)"
                    ),
                }
            )
    return rows


def _estimated(options: CostOptions) -> str:
    if options.scale == 1.0:
        return ""
    return f"estimated from a sample (x{options.scale:,.2f}): "


def estimate(counts: dict[str, Counts], options: CostOptions) -> list[dict[str, Any]]:
    return api_costs(counts, options) + open_costs(counts, options)
