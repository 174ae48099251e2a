"""Configuration: `datacheck.toml` or `[tool.datacheck]` in `pyproject.toml`, then CLI options.

Files are found by walking up from the current folder; `--config PATH` names one. An unknown key
or a value of the wrong type is an error that names the key and the file. Keys and types are
checked here, light enough for a CLI to import; the ids under `[checks]` are checked against
the registry when an audit starts (`datacheck.checks.check_severities`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from datacheck.errors import ConfigError
from datacheck.profiles import HARD_TO_VERIFY, threshold_names
from datacheck.tasks import TASKS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

SEVERITIES = ("error", "warning", "info", "off")
#: past this a cost estimate means nothing (fine-tuning runs take 1 to 10 epochs)
MAX_EPOCHS = 1_000
FAIL_ON = ("error", "warning")


@dataclass(frozen=True)
class Settings:
    """The effective configuration of one audit (file values, then options on top)."""

    task: str | None = None
    use_case: str | None = None
    text_field: str | None = None
    label_field: str | None = None
    labels: tuple[str, ...] | None = None
    label_fields: tuple[str, ...] | None = None
    required_fields: tuple[str, ...] | None = None
    eval: str | None = None
    fail_on: str = "error"
    thresholds: dict[str, float] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)
    output: dict[str, str] = field(default_factory=dict)
    tokenizers: tuple[str, ...] | None = None
    epochs: int | None = None
    model: str | None = None
    gpu: str = "A100-80GB"
    gpu_memory_gb: float | None = None
    mfu: float = 0.35
    gpu_usd_per_hour: float | None = None
    prices: dict[str, float] = field(default_factory=dict)
    limits: dict[str, float] = field(default_factory=dict)
    format: str | None = None
    sample: int | None = None
    seed: int = 0
    #: run the meaning-level checks (`datacheck[semantic]`): embeddings of every text
    semantic: bool = False
    source: str | None = None

    def merged(self, **options: Any) -> Settings:
        """These settings with every option that is not None laid over them."""
        given = {k: v for k, v in options.items() if v is not None}
        for key in _LISTS:
            if key in given:
                value = given[key]
                if isinstance(value, str):  # "a,b" as on the command line, not its letters
                    value = [v.strip() for v in value.split(",") if v.strip()]
                given[key] = tuple(value)
        for key in _TABLES:
            if key in given:
                given[key] = {**getattr(self, key), **given[key]}
        unknown = set(given) - {f.name for f in fields(self)}
        if unknown:
            raise ConfigError(f"unknown option(s): {', '.join(sorted(unknown))}")
        settings = replace(self, **given)
        _validate_values(settings, "options")
        return settings

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(sorted(value.items()))
            out[f.name] = value
        return out


_LISTS = ("labels", "label_fields", "required_fields", "tokenizers")
_STRINGS = (
    "task",
    "use_case",
    "text_field",
    "label_field",
    "eval",
    "fail_on",
    "model",
    "gpu",
    "format",
)
_NUMBERS = ("epochs", "gpu_memory_gb", "mfu", "gpu_usd_per_hour", "sample", "seed")
_BOOLS = ("semantic",)
_TABLES = ("thresholds", "checks", "output", "prices", "limits")
#: what `--format` may name (the readers of files with no telling name)
INPUT_FORMATS = ("jsonl", "json", "csv", "tsv", "parquet")
_OUTPUT_KEYS = ("json", "html", "junit")


def find_config(start: Path | None = None) -> Path | None:
    """The nearest `datacheck.toml`, or `pyproject.toml` with `[tool.datacheck]`, walking up."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "datacheck.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "datacheck" in _tool_tables(_read_toml(pyproject)):
            return pyproject
    return None


def load_settings(path: Path | None = None, *, discover: bool = True) -> Settings:
    """Read settings from `path`, or from the file found by walking up, or defaults."""
    if path is None and discover:
        path = find_config()
    if path is None:
        return Settings()
    if not path.is_file():
        raise ConfigError(f"{path}: no such configuration file.")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        where = f"{path} [tool.datacheck]"
        data = _tool_tables(data).get("datacheck", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: must be a table of settings, not {data!r}.")
    else:
        where = str(path)
    return _from_mapping(data, where, path)


def _tool_tables(data: dict[str, Any]) -> dict[str, Any]:
    """A pyproject's `[tool]` tables (none when `tool` is not a table)."""
    tool = data.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}); TOML files are UTF-8: re-save it as UTF-8."
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc}).") from exc


def _from_mapping(data: dict[str, Any], where: str, path: Path) -> Settings:
    known = set(_LISTS) | set(_STRINGS) | set(_NUMBERS) | set(_BOOLS) | set(_TABLES)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key `{key}`. Known keys: {', '.join(sorted(known))}."
            )
        if key in _LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: `{key}` must be a list of strings.")
            values[key] = tuple(value)
        elif key in _STRINGS:
            if not isinstance(value, str):
                raise ConfigError(f"{where}: `{key}` must be a string.")
            values[key] = value
        elif key in _NUMBERS:
            if not _is_number(value) or value < 0 or (value == 0 and key != "seed"):
                raise ConfigError(f"{where}: `{key}` must be a positive number, not {value}.")
            values[key] = value
        elif key in _BOOLS:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `{key}` must be true or false.")
            values[key] = value
        else:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `[{key}]` must be a table.")
            values[key] = dict(value)
    if "eval" in values and not Path(values["eval"]).is_absolute():
        values["eval"] = str(path.parent / values["eval"])
    settings = Settings(**values, source=str(path))
    _validate_values(settings, where)
    return settings


def _is_number(value: object) -> bool:
    """A finite int or float (TOML also has inf and nan; a bool is not a number here)."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _at_least_one(value: object) -> bool:
    return isinstance(value, (int, float)) and _is_number(value) and int(value) == value >= 1


def _validate_values(settings: Settings, where: str) -> None:
    if settings.task is not None and settings.task not in TASKS:
        raise ConfigError(f"{where}: `task` must be one of {', '.join(TASKS)}.")
    if settings.use_case is not None and settings.use_case not in HARD_TO_VERIFY:
        raise ConfigError(
            f"{where}: `use_case` must be one of {', '.join(HARD_TO_VERIFY)} "
            "(the guide's hard-to-verify use cases); leave it out otherwise."
        )
    if settings.fail_on not in FAIL_ON:
        raise ConfigError(f"{where}: `fail_on` must be one of {', '.join(FAIL_ON)}.")
    names = threshold_names()
    for key, threshold in settings.thresholds.items():
        if key not in names:
            raise ConfigError(
                f"{where}: unknown threshold `{key}`. Known: {', '.join(sorted(names))}."
            )
        if not _is_number(threshold) or threshold < 0:
            raise ConfigError(f"{where}: threshold `{key}` must be a non-negative number.")
    for key, value in settings.checks.items():
        if value not in SEVERITIES:
            raise ConfigError(f"{where}: [checks] `{key}` must be one of {', '.join(SEVERITIES)}.")
    from datacheck.plan.models import API_MODELS, GPUS, OPEN_MODELS
    from datacheck.plan.tokenizers import NAMES

    for name in settings.tokenizers or ():
        if name not in NAMES and settings.tokenizers != ("none",):
            raise ConfigError(
                f"{where}: unknown tokenizer `{name}`; choose from {', '.join(NAMES)}, or none."
            )
    if settings.model is not None and settings.model not in OPEN_MODELS:
        raise ConfigError(f"{where}: `model` must be one of {', '.join(OPEN_MODELS)}.")
    if settings.gpu not in GPUS:
        raise ConfigError(f"{where}: `gpu` must be one of {', '.join(GPUS)}.")
    if settings.epochs is not None and not _at_least_one(settings.epochs):
        raise ConfigError(f"{where}: `epochs` must be a whole number of at least 1.")
    if settings.epochs is not None and settings.epochs > MAX_EPOCHS:
        raise ConfigError(
            f"{where}: `epochs` must be at most {MAX_EPOCHS:,} (fine-tuning runs take 1 to 10)."
        )
    if settings.sample is not None and not _at_least_one(settings.sample):
        raise ConfigError(f"{where}: `sample` must be a whole number of rows, at least 1.")
    memory = settings.gpu_memory_gb
    if memory is not None and (not _is_number(memory) or memory <= 0):
        raise ConfigError(f"{where}: `gpu_memory_gb` must be a positive number of GB.")
    if not _is_number(settings.mfu) or not 0 < settings.mfu <= 1:
        raise ConfigError(f"{where}: `mfu` must be between 0 and 1.")
    for key, price in settings.prices.items():
        if key not in API_MODELS:
            raise ConfigError(
                f"{where}: [prices] `{key}` is not a fine-tunable API model; known: "
                f"{', '.join(API_MODELS)}."
            )
        if not _is_number(price) or price < 0:
            raise ConfigError(f"{where}: [prices] `{key}` must be dollars per 1M tokens.")
    if settings.format is not None and settings.format not in INPUT_FORMATS:
        raise ConfigError(f"{where}: `format` must be one of {', '.join(INPUT_FORMATS)}.")
    _validate_limits(settings.limits, where)
    for key, value in settings.output.items():
        if key not in _OUTPUT_KEYS or not isinstance(value, str):
            raise ConfigError(
                f"{where}: [output] takes {', '.join(_OUTPUT_KEYS)} as file names; "
                f"`{key}` is not one of them."
            )


def _validate_limits(limits: dict[str, Any], where: str) -> None:
    from datacheck.limits import LIMIT_KEYS

    for key, value in limits.items():
        if key not in LIMIT_KEYS:
            raise ConfigError(
                f"{where}: [limits] `{key}` is not a limit; known: {', '.join(LIMIT_KEYS)}."
            )
        whole = LIMIT_KEYS[key] == "int"
        if not _is_number(value) or value <= 0 or (whole and int(value) != value):
            kind = "a positive whole number" if whole else "a positive number"
            raise ConfigError(f"{where}: [limits] `{key}` must be {kind}, not {value!r}.")
