"""One switch for the performance paths, so tests can prove they change nothing.

With `DATACHECK_SLOW_PATHS=1` in the environment: JSON Lines and CSV are read line by line
instead of by polars' bulk readers, and every text is tokenized on its own instead of once per
distinct text. Results must be identical either way.
"""

from __future__ import annotations

import os


def fast() -> bool:
    return os.environ.get("DATACHECK_SLOW_PATHS", "") not in ("1", "true", "yes")
