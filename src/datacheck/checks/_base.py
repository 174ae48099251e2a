"""What a check is: a declared unit with an id, a title, a severity, a fix, and a docstring
that says what it measures and why it matters. Checks register themselves with `@register`."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import polars as pl

from datacheck._words import listing
from datacheck.checks._gx import Outcome
from datacheck.checks._tables import Table
from datacheck.config import Settings
from datacheck.detect import Detection
from datacheck.profiles import PROFILES, Profile
from datacheck.result import Finding

if TYPE_CHECKING:
    from datacheck.load._base import LoadError
    from datacheck.plan.token_counts import Counts

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
#: key columns of tables whose rows are named things rather than examples
NAMED_KEYS = ("category", "label", "slot", "value_key")
#: the tasks whose outputs are JSON objects
JSON_TASKS = ("extraction", "document_parsing")

T = TypeVar("T")


@dataclass
class Context:
    """Everything a check may look at. Built once per audit."""

    detection: Detection
    settings: Settings
    profile: Profile
    frame: pl.DataFrame
    train: pl.DataFrame
    #: rows in the source per row audited (above 1 under --sample)
    scale: float = 1.0
    #: lines (or rows, or records: `position`) that could not be read
    load_errors: tuple[LoadError, ...] = ()
    position: str = "line"
    #: the eval file's, when there is one (`--eval`, or `eval` in the config)
    eval_load_errors: tuple[LoadError, ...] = ()
    eval_position: str = "line"
    eval_path: str | None = None
    token_counts: dict[str, Counts] = field(default_factory=dict)
    token_summary: dict[str, dict[str, Any]] = field(default_factory=dict)
    recommendation: dict[str, Any] | None = None
    #: frames the suites validate, by name (see `checks._tables`)
    tables: dict[str, Table] = field(default_factory=dict)
    #: the other derived tables (hygiene analysis, facts of JSON outputs...), by name
    facts: dict[str, object] = field(default_factory=dict)
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)
    #: derived tables being built in the background (see `checks._tables.start_tables`)
    pending: dict[str, Future[Any]] = field(default_factory=dict, repr=False)
    #: set once the audit waits for those tables: from then on they have the cores to
    #: themselves, where until then tokenizing needed one
    waiting: threading.Event = field(default_factory=threading.Event, repr=False)
    #: told (what, done, total) as long work inside the checks goes (embedding texts), for
    #: a progress display
    step: Callable[[str, int, int], None] | None = field(default=None, repr=False)

    @property
    def task(self) -> str:
        return self.profile.task

    @property
    def labelled(self) -> bool:
        """Whether examples carry a category to count: a classification label, or the intent
        beside span annotations."""
        return self.task == "classification" or (
            self.detection.schema == "spans" and self.detection.label_field is not None
        )

    @property
    def min_per_category(self) -> int:
        """Examples each category needs: the task's figure, or for intents beside span
        annotations the guide's bar for classification (intents are categories)."""
        if "min_per_category" in self.profile.thresholds:
            return int(self.profile.thresholds["min_per_category"])
        return int(PROFILES["classification"]["min_per_category"]) if self.labelled else 0

    @property
    def json_outputs(self) -> bool:
        """Whether the outputs are JSON objects to parse (not span annotations)."""
        return self.task in JSON_TASKS and self.detection.schema != "spans"

    def threshold(self, name: str) -> Any:
        return self.profile.thresholds[name]

    def fact(self, name: str, kind: type[T]) -> T:
        """The derived fact `name`, which must be a `kind`."""
        value = self.facts[name]
        if not isinstance(value, kind):
            raise TypeError(f"table {name!r} is a {type(value).__name__}, not a {kind.__name__}")
        return value

    def scaled(self, count: float) -> int:
        """A count from the rows audited, scaled to the whole source (differs under --sample)."""
        return round(count * self.scale)

    @property
    def approx(self) -> str:
        """ "≈" when figures are estimates from a sample, else nothing."""
        return "≈" if self.scale != 1.0 else ""

    def where(self, lines: list[int], limit: int = 5, *, eval_side: bool = False) -> str:
        """Lines (rows, records) named for a message: "line 4", "lines 4, 9 and 3 more"."""
        position = self.eval_position if eval_side else self.position
        numbers = listing(lines, limit)  # "36, 3041", never "36, 3,041"
        return f"{position}{'s' if len(lines) != 1 else ''} {numbers}"

    def lines_of(self, example_ids: list[int] | tuple[int, ...]) -> list[int]:
        """Source line numbers of training examples, sorted."""
        if not example_ids:
            return []
        lines = self.train.filter(pl.col("example_id").is_in(list(example_ids)))["source_line"]
        return sorted(lines.to_list())


class Check:
    """Base class. Subclasses set the class attributes and implement `evaluate`."""

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[str] = "error"
    fix: ClassVar[str]
    #: the `[thresholds]` keys that set its bars (`datacheck explain ID` shows their values)
    config_keys: ClassVar[tuple[str, ...]] = ()

    def applies(self, ctx: Context) -> bool | str:
        """True to run, False when irrelevant to this data (not reported), or a string: the
        reason it is skipped (reported as `skip`)."""
        return True

    def evaluate(self, ctx: Context) -> Finding:
        raise NotImplementedError

    @classmethod
    def describe(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    # helpers for subclasses ------------------------------------------------------------

    def outcomes(self, ctx: Context) -> list[Outcome]:
        return ctx.outcomes.get(self.id, [])

    def gx_passed(self, ctx: Context) -> bool:
        found = self.outcomes(ctx)
        if not found:
            raise RuntimeError(f"no Great Expectations result for {self.id}")
        return all(o.success for o in found)

    def failing_keys(self, ctx: Context) -> list[Any]:
        keys: dict[Any, None] = {}  # first-seen order, each once (a list test is quadratic)
        for outcome in self.outcomes(ctx):
            keys.update(dict.fromkeys(outcome.unexpected_keys))
        return list(keys)

    def failing_names(self, ctx: Context) -> tuple[str, ...]:
        """The failing keys that name things (categories, labels, slots, output values), not
        rows, sorted: what a baseline comparison matches between two audits."""
        names = {
            str(key)
            for outcome in self.outcomes(ctx)
            if outcome.key in NAMED_KEYS
            for key in outcome.unexpected_keys
        }
        return tuple(sorted(names))

    def expectation(self, ctx: Context) -> str | None:
        found = self.outcomes(ctx)
        return ", ".join(sorted({o.expectation for o in found})) if found else None

    def result(
        self,
        ctx: Context,
        *,
        passed: bool,
        observed: Any,
        required: Any,
        message: str,
        rows: list[int] | None = None,
        row_count: int | None = None,
        fix: str | None = None,
        details: dict[str, Any] | None = None,
        rows_split: str = "train",
        eval_rows: list[int] | None = None,
        impact: int | None = None,
    ) -> Finding:
        rows = rows or []
        count = len(rows) if row_count is None else row_count
        return Finding(
            id=self.id,
            title=self.title,
            severity=self.severity,
            status="pass" if passed else "fail",
            observed=observed,
            required=required,
            message=message,
            fix=fix or self.fix,
            rows=tuple(rows),
            row_count=count,
            rows_split=rows_split,
            eval_rows=tuple(eval_rows or ()),
            impact=count + len(eval_rows or ()) if impact is None else impact,
            expectation=self.expectation(ctx),
            details=details or {},
            failing=() if passed else self.failing_names(ctx),
        )
