"""datacheck: is this labeled data ready to fine-tune an LLM, and if not, what holds it back?

>>> import datacheck
>>> result = datacheck.audit("tickets.jsonl")
>>> result.verdict
'not_ready'
"""

from datacheck._version import __version__
from datacheck.audit import audit
from datacheck.errors import ConfigError, DatacheckError, InputError
from datacheck.result import AuditResult

__all__ = [
    "AuditResult",
    "ConfigError",
    "DatacheckError",
    "InputError",
    "__version__",
    "audit",
]
