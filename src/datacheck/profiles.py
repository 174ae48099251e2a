"""Use-case profiles: how much and what kind of data each fine-tuning task needs.

The figures come from the fine-tuning starter guide's "Good vs Not-So-Good Use Cases" table;
every threshold can be overridden in configuration (`[thresholds]`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The guide's data requirement per good use case, in its own terms.
PROFILES: dict[str, dict[str, Any]] = {
    "classification": {
        "use_case": "Domain-specific classification",
        "guide_requirement": "1,000+ labeled examples per category",
        "min_per_category": 1000,
    },
    "extraction": {
        "use_case": "Structured data extraction",
        "guide_requirement": "500-1,000 annotated examples",
        "min_examples": 500,
        "recommended_examples": 1000,
        "min_per_slot": 500,
        "max_share_without_spans": 0.5,
    },
    "response_generation": {
        "use_case": "Standardized response generation",
        "guide_requirement": "500+ pairs of queries and approved responses",
        "min_examples": 500,
    },
    "document_parsing": {
        "use_case": "Form/document parsing",
        "guide_requirement": "300+ annotated documents",
        "min_examples": 300,
    },
    "code_comments": {
        "use_case": "Code comment generation",
        "guide_requirement": "1,000+ function/docstring pairs",
        "min_examples": 1000,
    },
    "open_chat": {
        "use_case": "Open-ended chat",
        "guide_requirement": "hard to verify: no volume makes it a good starter project",
        "min_examples": 500,
    },
}

#: The guide's challenging use cases and the alternative it suggests for each.
HARD_TO_VERIFY: dict[str, tuple[str, str]] = {
    "open_chat": (
        "Open-ended chat: success is hard to measure and the format is inconsistent",
        "use instruction tuning or prompt engineering instead",
    ),
    "creative_writing": (
        "Creative writing: quality is subjective, with no clear metric",
        "focus on specific formats or templates rather than open creativity",
    ),
    "general_qa": (
        "General knowledge QA: too broad, accuracy is hard to validate",
        "narrow it down to one knowledge domain, or use retrieval (RAG)",
    ),
    "complex_decisions": (
        "Complex decision making: many dependencies, hard to verify",
        "break it into smaller, measurable subtasks",
    ),
    "realtime_generation": (
        "Real-time content generation: consistency and timing constraints",
        "use templates or a hybrid approach",
    ),
}

#: Thresholds every task shares.
COMMON: dict[str, Any] = {
    "max_imbalance_ratio": 10.0,
    "min_per_output_value": 20,
    "max_output_field_values": 30,
    "length_outlier_iqr": 3.0,
    "min_output_compression": 0.15,
    "near_duplicate_threshold": 0.8,
    "max_near_duplicate_share": 0.05,
    "max_conflict_share": 0.01,
    "max_label_drift": 0.10,
    "min_eval_per_label": 10,
    "paraphrase_similarity": 0.9,
    "max_suspect_share": 0.01,
    "expected_accuracy": 0.9,
    "max_eval_margin": 0.05,
}


def threshold_names() -> set[str]:
    names = set(COMMON)
    for profile in PROFILES.values():
        names |= {k for k, v in profile.items() if isinstance(v, (int, float))}
    return names


@dataclass(frozen=True)
class Profile:
    """The thresholds in force for one audit: the task's profile, the common ones, overrides."""

    task: str
    thresholds: dict[str, Any]
    use_case: str
    guide_requirement: str
    overridden: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "use_case": self.use_case,
            "guide_requirement": self.guide_requirement,
            "thresholds": dict(sorted(self.thresholds.items())),
            "overridden": list(self.overridden),
        }


def profile_for(task: str, overrides: dict[str, Any] | None = None) -> Profile:
    base = PROFILES[task]
    thresholds = {k: v for k, v in base.items() if isinstance(v, (int, float))}
    thresholds.update(COMMON)
    overrides = overrides or {}
    thresholds.update(overrides)
    return Profile(
        task=task,
        thresholds=thresholds,
        use_case=base["use_case"],
        guide_requirement=base["guide_requirement"],
        overridden=tuple(sorted(overrides)),
    )
