"""Run every registered check that applies: build the derived tables, let GX decide, then let
each check word its finding."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from datacheck.checks._base import SEVERITY_ORDER, Check, Context, Finding
from datacheck.checks._gx import Suite, validate
from datacheck.checks._registry import REGISTRY
from datacheck.checks._tables import build_tables
from datacheck.plan.models import OPEN_MODELS


def parameters(ctx: Context) -> dict[str, Any]:
    """The suites' `$PARAMETER` values: the profile's thresholds plus data-derived bounds."""
    thresholds = ctx.profile.thresholds
    params = dict(thresholds)
    if ctx.task == "classification":
        categories = ctx.tables["categories"].frame.height
        params["min_total"] = int(thresholds["min_per_category"]) * max(categories, 2)
    else:
        params["min_total"] = int(thresholds["min_examples"])
        params["min_per_category"] = ctx.min_per_category
    params["length_low"], params["length_high"] = ctx.fact("length_bounds", tuple)
    if "max_share_without_spans" in thresholds:
        params["min_share_with_spans"] = 1 - float(thresholds["max_share_without_spans"])
    if ctx.scale != 1.0:  # a --sample: hold the sample to the same bar, scaled down
        for key in ("min_total", "min_per_category", "min_per_output_value"):
            params[key] = params[key] / ctx.scale
    if ctx.recommendation is not None:
        params["context_window"] = OPEN_MODELS[ctx.recommendation["model"]].context
    return params


def run_checks(
    ctx: Context, suites: list[Suite], step: Callable[[int, int], None] | None = None
) -> list[Finding]:
    """Every check that applies, evaluated; `step(done, total)` after each, for progress."""
    build_tables(ctx)
    severities = ctx.settings.checks
    active: list[Check] = []
    skipped: list[Finding] = []
    for check_id, cls in sorted(REGISTRY.items()):
        if severities.get(check_id) == "off":
            continue
        check = cls()
        verdict = check.applies(ctx)
        if verdict is True:
            active.append(check)
        elif isinstance(verdict, str):
            skipped.append(_skip(check, verdict, severities.get(check_id)))
    ctx.outcomes = validate(suites, ctx.tables, parameters(ctx), wanted={c.id for c in active})
    findings = []
    for done, check in enumerate(active, start=1):
        started = time.perf_counter()
        finding = check.evaluate(ctx)
        finding = replace(finding, seconds=round(time.perf_counter() - started, 4))
        if check.id in severities:
            finding = replace(finding, severity=severities[check.id])
        findings.append(finding)
        if step is not None:
            step(done, len(active))
    return _one_cause(findings) + skipped


def _one_cause(findings: list[Finding]) -> list[Finding]:
    """Too few examples in total because categories are short is one cause: the finding with
    the smaller shortfall names the other, which the verdict and top fixes present."""
    by_id = {f.id: f for f in findings}
    total, per = by_id.get("volume.total"), by_id.get("volume.per_category")
    if total is None or per is None or not total.status == per.status == "fail":
        return findings
    total_short, per_short = total.impact, per.impact  # the examples each is short
    smaller, larger = (total, per) if total_short <= per_short else (per, total)
    note = (
        f" — the same shortfall as {larger.id} ({per_short:,} examples across the short categories)"
        if larger is per
        else f" — the same shortfall as {larger.id} ({total_short:,} examples in total)"
    )
    merged = replace(smaller, same_cause_as=larger.id, message=smaller.message + note)
    return [merged if f is smaller else f for f in findings]


def _skip(check: Check, reason: str, severity: str | None) -> Finding:
    return Finding(
        id=check.id,
        title=check.title,
        severity=severity or check.severity,
        status="skip",
        observed=None,
        required=None,
        message=f"skipped: {reason}",
        fix=check.fix,
    )


def verdict(findings: list[Finding], fail_on: str = "error") -> str:
    failed = {f.severity for f in findings if f.status == "fail"}
    if "error" in failed or (fail_on == "warning" and "warning" in failed):
        return "not_ready"
    if "warning" in failed:
        return "ready_with_warnings"
    return "ready"


def ordered(findings: list[Finding]) -> list[Finding]:
    """Failing checks first, most severe first; then passes; then skips; ids break ties."""
    status = {"fail": 0, "pass": 1, "skip": 2}
    return sorted(
        findings, key=lambda f: (status[f.status], SEVERITY_ORDER.get(f.severity, 3), f.id)
    )
