"""The models datacheck estimates for: the guide's open models and OpenAI's fine-tunable ones."""

from __future__ import annotations

from dataclasses import dataclass

#: When the API prices and limits below were taken from OpenAI's published pricing and
#: fine-tuning guides. Override prices in configuration (`[prices]`).
PRICES_AS_OF = "2025-06"


@dataclass(frozen=True)
class OpenModel:
    """An open-weights model from the guide's model matrix."""

    name: str
    title: str
    tokenizer: str
    parameters: float  # count of parameters
    context: int
    guide_memory_gb: int  # the guide's "Resource Requirements"


@dataclass(frozen=True)
class ApiModel:
    """A model OpenAI fine-tunes as a service, billed per training token."""

    name: str
    tokenizer: str
    usd_per_million: float
    example_limit: int  # tokens per training example


OPEN_MODELS: dict[str, OpenModel] = {
    m.name: m
    for m in (
        OpenModel("llama-3.1-8b", "Llama 3.1 8B", "llama-3.1", 8.03e9, 131_072, 16),
        OpenModel("llama-3.1-70b", "Llama 3.1 70B", "llama-3.1", 70.6e9, 131_072, 80),
        OpenModel("mistral-7b", "Mistral 7B v0.3", "mistral-7b-v0.3", 7.25e9, 32_768, 16),
        OpenModel("phi-2", "Phi-2", "phi-2", 2.78e9, 2_048, 8),
    )
}  # fmt: skip

API_MODELS: dict[str, ApiModel] = {
    m.name: m
    for m in (
        ApiModel("gpt-4o-mini-2024-07-18", "o200k_base", 3.00, 65_536),
        ApiModel("gpt-4o-2024-08-06", "o200k_base", 25.00, 65_536),
        ApiModel("gpt-4.1-2025-04-14", "o200k_base", 25.00, 65_536),
        ApiModel("gpt-4.1-mini-2025-04-14", "o200k_base", 5.00, 65_536),
        ApiModel("gpt-4.1-nano-2025-04-14", "o200k_base", 1.50, 65_536),
        ApiModel("gpt-3.5-turbo-0125", "cl100k_base", 8.00, 16_385),
    )
}


@dataclass(frozen=True)
class Gpu:
    name: str
    bf16_tflops: float  # dense peak
    memory_gb: int
    usd_per_hour: float


GPUS: dict[str, Gpu] = {
    "A100-80GB": Gpu("A100-80GB", 312.0, 80, 1.80),
    "H100": Gpu("H100", 989.0, 80, 3.00),
}
