"""What changed between two audits: the findings that are new or worse, and those fixed or better.

A team adopting the gate on data that is already imperfect fails only on what got worse: a check
that failed in neither, a category newly below its bar, more rows affected, a larger shortfall.
Both audits are compared as their JSON reports (`datacheck audit --json`), so a baseline can be
any earlier report kept in the repository or as a CI artifact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datacheck.errors import InputError

#: the severities each `fail_on` gates on
_GATED = {"error": ("error",), "warning": ("error", "warning")}
_ORDER = {"new": 0, "worse": 1, "fixed": 2, "better": 3}
_REGRESSIONS = ("new", "worse")


@dataclass(frozen=True)
class Change:
    """One check whose finding differs between the two audits, and how."""

    id: str
    title: str
    severity: str
    #: "new" (fails now, did not before), "worse", "fixed" (failed before, not now) or "better"
    kind: str
    #: what differs, in words: "Account newly failing", "rows affected 24 → 60"
    reasons: tuple[str, ...]
    before: str
    after: str
    #: the check that reports the same cause (counted once, as that one)
    same_cause_as: str | None = None

    @property
    def regression(self) -> bool:
        return self.kind in _REGRESSIONS and self.same_cause_as is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "kind": self.kind,
            "reasons": list(self.reasons),
            "before": self.before,
            "after": self.after,
            "same_cause_as": self.same_cause_as,
        }


@dataclass(frozen=True)
class Diff:
    """The changes from a baseline audit to a new one; `regressions` are what a gate fails on."""

    baseline: str
    current: str
    fail_on: str
    changes: tuple[Change, ...]
    #: why the two audits may not compare like with like (another task, another shape)
    notes: tuple[str, ...] = ()

    @property
    def regressions(self) -> tuple[Change, ...]:
        """New or worse findings at a severity the gate fails on."""
        gated = _GATED[self.fail_on]
        return tuple(c for c in self.changes if c.regression and c.severity in gated)

    @property
    def exit_code(self) -> int:
        """1 when anything the gate fails on got worse, else 0."""
        return 1 if self.regressions else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "current": self.current,
            "fail_on": self.fail_on,
            "regressions": [c.id for c in self.regressions],
            "changes": [c.to_dict() for c in self.changes],
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        return text_lines(self.to_dict())

    def to_markdown(self) -> str:
        return markdown(self.to_dict())


def headline(diff: Mapping[str, Any]) -> str:
    """The comparison in one sentence, from `Diff.to_dict()` (as in the JSON report)."""
    changes = diff["changes"]
    if not changes:
        return f"No change against the baseline ({diff['baseline']})."
    gated = len(diff["regressions"])
    other = sum(c["kind"] in _REGRESSIONS and not c.get("same_cause_as") for c in changes) - gated
    improved = sum(c["kind"] not in _REGRESSIONS for c in changes)
    parts = [
        f"{gated} new or worse finding{'s that fail' if gated != 1 else ' that fails'} the gate"
    ]
    if other:
        parts.append(f"{other} more below --fail-on {diff['fail_on']}")
    if improved:
        parts.append(f"{improved} fixed or better")
    return f"Against the baseline ({diff['baseline']}): {', '.join(parts)}."


def text_lines(diff: Mapping[str, Any]) -> list[str]:
    """The comparison for a terminal: the headline, then one line per change (✗ fails the
    gate, ! worse below the gate's severity, = the same cause as another, ✓ fixed or better)."""
    notes = [f"  note: {note}" for note in diff.get("notes", [])]
    return [headline(diff), *notes] + [
        f"  {_mark(diff, change, '✗', '!', '✓')} {change['kind']:<6} {change['id']} "
        f"({change['severity']}): {'; '.join(change['reasons'])}"
        for change in diff["changes"]
    ]


def markdown(diff: Mapping[str, Any]) -> str:
    """The comparison as Markdown, for a pull request or a job summary."""
    out = [f"**{headline(diff)}**", ""]
    out += [f"> Note: {note}" for note in diff.get("notes", [])]
    if diff["changes"]:
        out += ["| | change | check | severity | what changed |", "|---|---|---|---|---|"]
    for change in diff["changes"]:
        reasons = "; ".join(change["reasons"]).replace("|", "\\|").replace("\n", " ")
        out.append(
            f"| {_mark(diff, change, '❌', '⚠️', '✅')} | {change['kind']} | `{change['id']}` | "
            f"{change['severity']} | {reasons} |"
        )
    return "\n".join(out) + "\n"


def _mark(
    diff: Mapping[str, Any], change: Mapping[str, Any], gate: str, worse: str, ok: str
) -> str:
    if change["id"] in diff["regressions"]:
        return gate
    if change.get("same_cause_as"):
        return "="
    return worse if change["kind"] in _REGRESSIONS else ok


def compare(
    baseline: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    fail_on: str = "error",
    names: tuple[str, str] = ("baseline", "current"),
) -> Diff:
    """The changes between two JSON reports (as `datacheck audit --json` writes them)."""
    if fail_on not in _GATED:
        raise ValueError(f"fail_on must be one of {', '.join(_GATED)}")
    before = {c["id"]: c for c in _checks(baseline, names[0])}
    changes = [
        change
        for check in _checks(current, names[1])
        if (change := _change(before.get(check["id"]), check)) is not None
    ]
    changes.sort(key=lambda c: (_ORDER[c.kind], c.severity != "error", c.id))
    return Diff(names[0], names[1], fail_on, tuple(changes), _notes(baseline, current))


def _notes(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[str, ...]:
    """What differs in how the two audits read their data, so that findings may differ for
    that reason rather than the data's."""
    notes = []
    for key, what in (("task", "task"), ("schema", "shape")):
        old = (baseline.get("detected") or {}).get(key)
        new = (current.get("detected") or {}).get(key)
        if old and new and old != new:
            notes.append(
                f"the baseline read the data as {what} {old!r}, this audit as {new!r}: "
                "findings may differ for that reason"
            )
    return tuple(notes)


def read_report(path: str | Path) -> dict[str, Any]:
    """A datacheck JSON report from `path`; `InputError` naming the file when it is not one."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such file; write one with `datacheck audit --json`."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc}).") from None
    try:
        report = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: line {exc.lineno}: not JSON ({exc.msg}); a baseline is the file "
            "`datacheck audit --json FILE` writes."
        ) from None
    _checks(report, str(path))
    return report


def _checks(report: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    checks = report.get("checks") if isinstance(report, Mapping) else None
    if not isinstance(checks, list) or not all(
        isinstance(c, dict) and {"id", "status", "severity"} <= set(c) for c in checks
    ):
        raise InputError(
            f"{name}: not a datacheck JSON report (no list of checks); a baseline is the file "
            "`datacheck audit --json FILE` writes."
        )
    return checks


def _change(old: dict[str, Any] | None, new: dict[str, Any]) -> Change | None:
    was = old is not None and old["status"] == "fail"
    now = new["status"] == "fail"
    if not was and not now:
        return None
    if now and not was:
        kind, reasons = "new", [new.get("message") or "fails now"]
    elif was and not now:
        assert old is not None
        kind, reasons = "fixed", [f"passes now (was: {old.get('message', 'failing')})"]
    else:
        assert old is not None
        worse, better = _compared(old, new)
        if worse:
            kind, reasons = "worse", worse + better
        elif better:
            kind, reasons = "better", better
        else:
            return None
    return Change(
        id=new["id"],
        title=new.get("title", ""),
        severity=new["severity"],
        kind=kind,
        reasons=tuple(reasons),
        before=_state(old),
        after=_state(new),
        same_cause_as=new.get("same_cause_as") if now else None,
    )


def _compared(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """What got worse and what got better in a check that fails in both audits."""
    worse: list[str] = []
    better: list[str] = []
    was, now = set(old.get("failing") or ()), set(new.get("failing") or ())
    if now - was:
        worse.append(f"newly failing: {_names(now - was)}")
    if was - now:
        better.append(f"no longer failing: {_names(was - now)}")
    counted = False
    for key, what in (("row_count", "rows affected"), ("eval_row_count", "eval rows affected")):
        before, after = int(old.get(key) or 0), int(new.get(key) or 0)
        counted = counted or bool(before or after)
        if after != before:
            (worse if after > before else better).append(f"{what} {before:,} → {after:,}")
    before, after = int(old.get("impact") or 0), int(new.get("impact") or 0)
    if not counted and after != before:  # a check of volume, whose impact is a shortfall
        (worse if after > before else better).append(f"shortfall {before:,} → {after:,}")
    return worse, better


def _names(names: set[str], limit: int = 5) -> str:
    shown = sorted(names)
    text = ", ".join(repr(n) for n in shown[:limit])
    return text + (f" and {len(shown) - limit:,} more" if len(shown) > limit else "")


def _state(check: Mapping[str, Any] | None) -> str:
    if check is None:
        return "not run"
    return str(check["status"])
