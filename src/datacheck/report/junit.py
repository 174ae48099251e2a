"""JUnit XML: one testcase per check, so CI test-report viewers list datacheck's findings.

Failing errors are `<failure>`s; failing warnings are too when the run fails on warnings,
otherwise they pass with the finding in `<system-out>`; skipped checks are `<skipped>`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from datacheck.report._format import RenderOptions
from datacheck.report._refs import row_refs
from datacheck.report._visible import visible_all
from datacheck.report.json import report_dict

if TYPE_CHECKING:
    from datacheck.result import AuditResult


def render(result: AuditResult, options: RenderOptions) -> str:
    report = visible_all(report_dict(result), xml=True)
    seconds = {f.id: f.seconds for f in result.checks}
    fail_on = options.fail_on or report["config"]["fail_on"]
    checks = report["checks"]
    failing = [
        c for c in checks
        if c["status"] == "fail" and (c["severity"] == "error" or fail_on == "warning"
                                      and c["severity"] == "warning")
    ]  # fmt: skip
    suites = ET.Element("testsuites", name="datacheck")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"datacheck: {report['source']['path']}",
        tests=str(len(checks)),
        failures=str(len(failing)),
        errors="0",
        skipped=str(sum(c["status"] == "skip" for c in checks)),
        time=f"{sum(report['timings'].values()):.3f}",
        timestamp=report["generated_at"],
    )
    for check in checks:
        refs = row_refs(check, report)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"datacheck.{check['id'].split('.')[0]}",
            name=f"{check['id']}: {check['title']}",
            file=refs[0].file if refs else report["source"]["path"],
            time=f"{seconds.get(check['id'], 0.0):.3f}",
        )
        detail = (
            f"{check['message']}\nFix: {check['fix']}\n"
            + "".join(f"{ref.where(50)}\n" for ref in refs)
            + f"observed: {_json(check['observed'])}\nrequired: {_json(check['required'])}"
        )
        if check in failing:
            failure = ET.SubElement(
                case, "failure", message=check["message"], type=check["severity"]
            )
            failure.text = detail
        elif check["status"] == "skip":
            ET.SubElement(case, "skipped", message=check["message"])
        elif check["status"] == "fail":
            ET.SubElement(case, "system-out").text = f"WARNING: {detail}"
    ET.indent(suites)
    text = ET.tostring(suites, encoding="unicode").replace("\r", "&#13;")  # a parser keeps it
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
