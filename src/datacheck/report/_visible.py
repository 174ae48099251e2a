"""Control characters from the data, made visible before a report prints them.

A label or text may hold bytes a terminal acts on (an escape sequence can recolour or
rewrite the screen) or XML 1.0 forbids (a JUnit file with one is unreadable). The terminal,
JUnit and GitHub outputs show them as `\\xNN` instead; JSON escapes them itself and HTML
escaping leaves them inert.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
#: the same, carriage return aside: XML can carry it as `&#13;`
_CONTROL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def visible(text: str, *, xml: bool = False) -> str:
    """`text` with control characters (other than tab and new line, and with `xml` carriage
    return) as `\\xNN` escapes."""
    pattern = _CONTROL_XML if xml else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def visible_all(value: Any, *, xml: bool = False) -> Any:
    """`value` (a report's dict, lists and strings) with every string made `visible`."""
    if isinstance(value, str):
        return visible(value, xml=xml)
    if isinstance(value, dict):
        return {visible_all(k, xml=xml): visible_all(v, xml=xml) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [visible_all(v, xml=xml) for v in value]
    return value
