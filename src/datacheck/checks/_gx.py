"""The only module that talks to Great Expectations.

Suites are JSON files in GX 1.x's own format (`expectations/*.json`). Each expectation carries
`meta.check` (the datacheck check it decides) and `meta.frame` (which derived table it
validates). We run them with an ephemeral context: no files written, no network, no progress
bars. GX objects never leave this module: callers get `Outcome`s.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import math
import sys
import threading
import types
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from datacheck.checks._tables import Table
from datacheck.errors import ConfigError


@dataclass(frozen=True)
class Outcome:
    """One expectation's verdict, in plain data."""

    check: str
    expectation: str
    success: bool
    kwargs: dict[str, Any]
    observed_value: Any = None
    #: key-column values of the failing rows, all of them (GX's index list is not capped)
    unexpected_keys: tuple[Any, ...] = field(default_factory=tuple)
    #: the key column those values come from ("example_id", "category", ...)
    key: str = ""


@dataclass(frozen=True)
class Suite:
    name: str
    path: str
    expectations: tuple[dict[str, Any], ...]


def suites_folder() -> Path:
    """Where the suites are: inside the installed package, or the source tree's top level."""
    packaged = Path(str(resources.files("datacheck"))) / "expectations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "expectations"


def load_suites(folder: Path | None = None) -> list[Suite]:
    folder = folder or suites_folder()
    suites = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the suite ({exc}).") from exc
        for i, expectation in enumerate(data.get("expectations", [])):
            meta = expectation.get("meta", {})
            if "check" not in meta or "frame" not in meta:
                raise ConfigError(
                    f"{path}: expectation {i + 1} ({expectation.get('type')}) needs "
                    "meta.check and meta.frame."
                )
        suites.append(Suite(data["name"], str(path), tuple(data.get("expectations", []))))
    if not suites:
        raise ConfigError(f"{folder}: no expectation suites found.")
    return suites


_warming: threading.Thread | None = None

#: modules GX imports at start-up only for an expectation no suite here uses
#: (`expect_column_kl_divergence_to_be_less_than`: `from scipy import stats` for its metric,
#: `import altair` for its chart): `scipy.stats` was 0.65 of the 2 CPU-seconds its import
#: took; `altair` then 1.2 of the 5.9 s it took on a slower day, and 22 MiB of 209
_NOT_NEEDED_AT_IMPORT = ("scipy.stats", "altair")


def warm_up() -> None:
    """Start importing Great Expectations in the background (it takes about a second):
    the audit goes on meanwhile, and `validate` waits for it only if needed."""
    global _warming
    if _warming is None and "great_expectations" not in sys.modules:
        _warming = threading.Thread(target=_import_gx, daemon=True)
        _warming.start()


def _import_gx() -> Any:
    """Great Expectations, with the modules it does not need yet left to load on first use."""
    if "great_expectations" not in sys.modules:
        for name in _NOT_NEEDED_AT_IMPORT:
            _defer(name)
    return importlib.import_module("great_expectations")


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is first read, then imports it and
    hands that attribute on. The standard library's `LazyLoader` would not do: the import
    system reads `__spec__` on `import name`, and any attribute read runs a lazy module."""

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            sys.modules.pop(self.__name__, None)
        return getattr(importlib.import_module(self.__name__), attr)


def _defer(name: str) -> None:
    """Make `import name` and `from parent import child` free for the module `name`: it runs
    when one of its attributes is first read. Already imported or not installed: nothing to
    do."""
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return
    if spec is None:
        return
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, stand_in)


def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def validate(
    suites: Iterable[Suite],
    tables: dict[str, Table],
    parameters: dict[str, Any],
    *,
    wanted: set[str] | None = None,
) -> dict[str, list[Outcome]]:
    """Validate each table with the expectations aimed at it; outcomes keyed by check id.

    Expectations for tables that are absent (not built for this data) or for checks not in
    `wanted` are not run.
    """
    by_frame: dict[str, list[tuple[Suite, dict[str, Any]]]] = {}
    for suite in suites:
        for expectation in suite.expectations:
            meta = expectation["meta"]
            if meta["frame"] in tables and (wanted is None or meta["check"] in wanted):
                by_frame.setdefault(meta["frame"], []).append((suite, expectation))
    outcomes: dict[str, list[Outcome]] = {}
    if not by_frame:
        return outcomes
    if _warming is not None:
        _warming.join()
    gx = _import_gx()
    context = _context()
    source = context.data_sources.add_pandas("datacheck")
    # one asset serves every table: each batch brings its own frame, and each asset or batch
    # definition added re-saves the context's whole configuration as YAML
    batches = source.add_dataframe_asset("tables").add_batch_definition_whole_dataframe("all")
    with _no_fingerprints():
        for frame_name in sorted(by_frame):
            entries = by_frame[frame_name]
            for outcome in _validated(
                gx, batches, frame_name, tables[frame_name], entries, parameters
            ):
                outcomes.setdefault(outcome.check, []).append(outcome)
            _forget_batches(source)
    context.data_sources.delete(source.name)
    return outcomes


def _validated(
    gx: Any,
    batches: Any,
    frame_name: str,
    table: Table,
    entries: list[tuple[Suite, dict[str, Any]]],
    parameters: dict[str, Any],
) -> list[Outcome]:
    """The outcomes of the expectations `entries` on one table."""
    configs = [{k: v for k, v in e.items() if k != "id"} for _s, e in entries]
    suite = gx.ExpectationSuite(name=f"datacheck.{frame_name}", expectations=configs)
    if len(suite.expectations) != len(configs):
        known = {e.expectation_type for e in suite.expectations}
        lost = [f"{s.path}: {e['type']}" for s, e in entries if e["type"] not in known]
        raise ConfigError(
            "Great Expectations does not know these expectation types: " + "; ".join(lost)
        )
    frame = _to_pandas(table.frame, table.key, _columns_read(configs))
    batch = batches.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite,
        expectation_parameters=parameters,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [_INDEX],
            "return_unexpected_index_query": False,
            "exclude_unexpected_values": True,
        },
    )
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        payload = item.result or {}
        outcomes.append(
            Outcome(
                check=(config.meta or {})["check"],
                expectation=config.type,
                success=bool(item.success),
                kwargs={k: _plain(v) for k, v in config.kwargs.items() if k != "batch_id"},
                observed_value=_plain(payload.get("observed_value")),
                unexpected_keys=_unexpected_keys(payload.get("unexpected_index_list")),
                key=table.key,
            )
        )
    return outcomes


@contextmanager
def _no_fingerprints() -> Iterator[None]:
    """GX's pandas engine fingerprints every batch under 1 GB, hashing all of its rows, for
    a batch marker nothing here reads: on the tables of 1M chat rows, 1.3 of the 1.8 s that
    validating took, on one core at the audit's end. Turned off while we validate (by the
    engine's own size bound), and restored after, for any other user of GX in the process."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    bound = getattr(engine, "HASH_THRESHOLD", None)
    if bound is None:  # another GX release: nothing to turn off
        yield
        return
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = bound


def _forget_batches(source: Any) -> None:
    """GX keeps every batch's data for as long as its context lives (and the last context
    stays current after we return); each of ours is validated once, so let it go."""
    manager = source.get_execution_engine().batch_manager
    manager.reset_batch_cache()
    manager.batch_data_cache.clear()


#: the pandas index GX reports unexpected rows by: a copy of the table's key. With a named
#: index and `exclude_unexpected_values`, GX lists the keys as they are; with a key column it
#: reads each unexpected row's key with `DataFrame.at`, a Python call per row (1.5 s for
#: 52,000 rows of a 1M-row audit)
_INDEX = "_datacheck_key"


#: expectation types that read only the columns their kwargs name (GX 1.x's families)
_COLUMN_SCOPED = (
    "expect_column_",  # and expect_column_pair_
    "expect_multicolumn_",
    "expect_compound_columns_",
    "expect_select_column_",
)
_ROW_COUNT = ("expect_table_row_count_to_equal", "expect_table_row_count_to_be_between")
_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")


def _columns_read(configs: list[dict[str, Any]]) -> set[str] | None:
    """The columns the expectations `configs` read, or None when one may read any (a row
    condition, a table-shape expectation, a column's position)."""
    names: set[str] = set()
    for config in configs:
        kwargs, kind = config.get("kwargs", {}), config["type"]
        if kwargs.get("row_condition") or "column_index" in kwargs:
            return None
        if kind in _ROW_COUNT:
            continue
        if not kind.startswith(_COLUMN_SCOPED):
            return None
        for name in _COLUMN_KWARGS:
            value = kwargs.get(name)
            if isinstance(value, list):
                names.update(value)
            elif value is not None:
                names.add(value)
    return names


def _to_pandas(frame: pl.DataFrame, key: str, columns: set[str] | None = None) -> Any:
    """`frame` as pandas, indexed by its key: only `columns` (and the key) when given. Text
    columns become a Python object per row, which pandas and GX never give back whole: at
    1M rows, the tables' label and problem columns the suites never read held 150-200 MiB
    after the audit's validation."""
    plain = frame.select(
        c
        for c, t in frame.schema.items()
        if not isinstance(t, (pl.List, pl.Struct)) and (columns is None or c in columns or c == key)
    )
    table = plain.to_pandas()
    table.index = table[key].rename(_INDEX)
    return table


def _unexpected_keys(listed: Any) -> tuple[Any, ...]:
    """The keys of the unexpected rows from GX's `unexpected_index_list` (one mapping of the
    index name to every key, as `exclude_unexpected_values` makes it)."""
    if not listed:
        return ()
    return tuple(_plain(k) for part in listed for k in part[_INDEX])


def _plain(value: Any) -> Any:
    """numpy scalars to Python, NaN to None: outcomes must serialise as strict JSON."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
