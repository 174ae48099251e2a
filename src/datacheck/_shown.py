"""What a result shows of long lists and long texts: 100,000 labels, a 200,000-line cluster
or a label of a million characters would make a report nobody can open. Counts stay whole;
only what is listed is cut, and what was cut is said."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from datacheck.result import Finding

#: characters of one text (a label, a message) a report shows
MAX_CHARS = 1_000
#: line numbers listed per duplicate group or cluster (`size` keeps the whole count)
MAX_LINES = 1_000


def cut(text: str, chars: int = MAX_CHARS) -> str:
    """`text`, or its first `chars` characters and what follows in words."""
    if len(text) <= chars:
        return text
    return f"{text[:chars]}… ({len(text) - chars:,} more characters)"


def shown_labels(labels: dict[str, int] | None, limit: int) -> tuple[dict[str, int] | None, Any]:
    """The `limit` most frequent labels (ties by name), and what the rest hold, or None."""
    if labels is None or len(labels) <= limit:
        return _short_keys(labels), None
    ranked = sorted(labels.items(), key=lambda item: (-item[1], item[0]))
    rest = ranked[limit:]
    hidden = {"labels": len(rest), "examples": sum(count for _label, count in rest)}
    return _short_keys(dict(ranked[:limit])), hidden


def _short_keys(labels: dict[str, int] | None) -> dict[str, int] | None:
    return None if labels is None else {cut(str(k)): v for k, v in labels.items()}


def shown_finding(finding: Finding, limit: int) -> Finding:
    """`finding` with lists and mappings of more than `limit` entries in `observed` and
    `details` cut to their first `limit`, long texts cut, and `details.not_shown` giving the
    full length of each list or mapping that was cut."""
    not_shown: dict[str, int] = {}
    observed = _shown(finding.observed, limit, "observed", not_shown)
    details = _shown(finding.details, limit, "details", not_shown)
    if not_shown:
        details = {**details, "not_shown": not_shown}
    return replace(
        finding,
        observed=observed,
        details=details,
        message=cut(finding.message),
        fix=cut(finding.fix),
        failing=tuple(cut(name) for name in finding.failing[:limit]),
    )


def _shown(value: Any, limit: int, where: str, not_shown: dict[str, int]) -> Any:
    if isinstance(value, str):
        return cut(value)
    if isinstance(value, dict):
        if len(value) > limit:
            not_shown[where] = len(value)
            value = dict(list(value.items())[:limit])
        return {
            cut(k) if isinstance(k, str) else k: _shown(v, limit, f"{where}.{k}", not_shown)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        if len(value) > limit and not _numbers(value):
            not_shown[where] = len(value)
            value = value[:limit]
        elif len(value) > MAX_LINES:
            not_shown[where] = len(value)
            value = value[:MAX_LINES]
        return [_shown(v, limit, where, not_shown) for v in value]
    return value


def shown_hygiene(hygiene: dict[str, Any], limit: int) -> dict[str, Any]:
    """Duplicate groups and clusters cut to `limit`, their lines to `MAX_LINES` (each keeps
    its `size`; the counts beside them stay whole), labels in conflict groups cut short."""
    out: dict[str, Any] = {}
    for name, part in hygiene.items():
        if isinstance(part, dict):
            part = {
                key: [_group(g) for g in value[:limit]]
                if key in ("groups", "clusters") and isinstance(value, list)
                else value
                for key, value in part.items()
            }
        out[name] = part
    return out


def _group(group: Any) -> Any:
    if not isinstance(group, dict):
        return group
    shown = dict(group)
    if isinstance(shown.get("lines"), list):
        shown["lines"] = shown["lines"][:MAX_LINES]
    if isinstance(shown.get("labels"), dict):
        shown["labels"] = {cut(str(k)): v[:MAX_LINES] for k, v in shown["labels"].items()}
    return shown


def _numbers(values: list[Any] | tuple[Any, ...]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
