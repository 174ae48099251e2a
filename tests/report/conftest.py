"""Results built by hand, so a renderer's test needs no audit (and runs in milliseconds)."""

import pytest

from datacheck.result import AuditResult, Finding, SourceInfo


def finding(check_id="volume.total", status="fail", severity="error", **fields):
    values = {
        "id": check_id, "title": f"title of {check_id}", "severity": severity, "status": status,
        "observed": 1, "required": 2, "message": f"message of {check_id}",
        "fix": f"fix of {check_id}", "rows": (), "row_count": 0,
    }  # fmt: skip
    values.update(fields)
    return Finding(**values)


@pytest.fixture
def make_result():
    def make(checks=(), *, path="data/train.jsonl", position="line", verdict="not_ready", **over):
        source = SourceInfo(
            path=path, format="jsonl", sha256="0" * 64, rows=1234, position=position,
            load_errors=(), load_error_count=0,
        )  # fmt: skip
        values = {
            "source": source,
            "detected": {"schema": "text_label", "task": "classification", "confidence": 0.9,
                         "reasons": [], "text_field": "text", "label_field": "label"},
            "config": {"fail_on": "error", "output": {}},
            "profile": {}, "labels": None, "checks": tuple(checks), "assessment": (),
            "verdict": verdict, "generated_at": "2026-12-05T00:00:00+00:00",
        }  # fmt: skip
        values.update(over)
        return AuditResult(**values)

    return make
