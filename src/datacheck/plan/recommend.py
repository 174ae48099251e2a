"""Which base model to start with: the guide's decision tree, fed by evidence from the data.

    structured output?      yes -> Llama 3.1 8B base
    complex reasoning?      yes -> Llama 3.1 70B
    resource constrained?   yes -> Phi-2
                            no  -> Mistral 7B

Then base vs instruction-tuned: structured extraction and classification start from the base
model; chat-style use cases from the instruction-tuned one.
"""

from __future__ import annotations

from typing import Any

from datacheck._frames import number
from datacheck._words import plural
from datacheck.normalize import training
from datacheck.plan.models import OPEN_MODELS
from datacheck.plan.token_counts import Counts

STRUCTURED_TASKS = ("classification", "extraction", "document_parsing")
#: median target length (Llama tokens) from which outputs count as long, reasoned answers
COMPLEX_TARGET_TOKENS = 400


def recommend(
    *,
    task: str,
    schema: str,
    json_share: float,
    counts: dict[str, Counts],
    gpu_memory_gb: float | None,
    model: str | None = None,
) -> dict[str, Any]:
    path: list[dict[str, Any]] = []
    structured = task in STRUCTURED_TASKS or json_share >= 0.8
    evidence = f"task is {task.replace('_', ' ')}" + (
        f"; {json_share:.0%} of outputs are JSON objects" if json_share else ""
    )
    path.append({"question": "Structured output?", "answer": structured, "evidence": evidence})
    chosen = "llama-3.1-8b"
    if not structured:
        median = _median_target(counts)
        complex_ = median is not None and median >= COMPLEX_TARGET_TOKENS
        path.append(
            {
                "question": "Complex reasoning?",
                "answer": complex_,
                "evidence": (
                    f"median target {median:,.0f} Llama tokens "
                    f"({'at least' if complex_ else 'under'} {COMPLEX_TARGET_TOKENS}: long, "
                    "reasoned answers)"
                    if median is not None
                    else "no target lengths counted"
                ),
            }
        )
        chosen = "llama-3.1-70b"
        if not complex_:
            constrained = gpu_memory_gb is not None and gpu_memory_gb < 16
            path.append(
                {
                    "question": "Resource constrained?",
                    "answer": constrained,
                    "evidence": f"GPU memory budget {gpu_memory_gb:g} GB "
                    "(the 7-8B models need 16 GB)"
                    if gpu_memory_gb is not None
                    else "no GPU memory budget given (--gpu-memory)",
                }
            )
            chosen = "phi-2" if constrained else "mistral-7b"
    over_phi = _over(counts, "phi-2", OPEN_MODELS["phi-2"].context)
    alternatives = []
    if chosen == "phi-2" and over_phi:
        alternatives.append(
            f"{plural(over_phi, 'example')} exceed Phi-2's 2,048-token window: consider Mistral 7B "
            "with QLoRA instead"
        )
    if chosen != "llama-3.1-8b":
        alternatives.append("Llama 3.1 8B: the guide's default for well-scoped tasks")
    if chosen != "mistral-7b":
        alternatives.append("Mistral 7B: reliable instruction following at moderate cost")
    overridden = model is not None and model != chosen
    if model is not None:
        chosen = model
    chat_style = schema == "chat" and task in ("open_chat", "response_generation")
    variant = "instruct" if chat_style else "base"
    return {
        "model": chosen,
        "title": OPEN_MODELS[chosen].title,
        "variant": variant,
        "variant_reason": (
            "chat-style use case: start from the instruction-tuned model"
            if chat_style
            else "well-scoped output: start from the base model, which aligns to the format"
        ),
        "path": path,
        "overridden": overridden,
        "alternatives": alternatives,
        "guide": "Start with the smallest model that meets your needs; scale up if necessary.",
    }


def _median_target(counts: dict[str, Counts]) -> float | None:
    for name in ("llama-3.1", *counts):
        if name in counts:
            value = counts[name].frame["target_tokens"].median()
            return None if value is None else number(value)
    return None


def _over(counts: dict[str, Counts], name: str, window: int) -> int:
    if name not in counts:
        return 0
    return int((training(counts[name].frame)["total"] > window).sum())
