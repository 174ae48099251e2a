"""`datacheck explain` and `docs/checks.md` come from the checks themselves; the thresholds a
check declares are the ones its code and its suite expectations read."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap

import pytest
from click.testing import CliRunner

from datacheck.checks import REGISTRY
from datacheck.checks._gx import load_suites
from datacheck.checks.explain import explain
from datacheck.cli import cli
from datacheck.errors import DatacheckError
from datacheck.profiles import PROFILES, threshold_names

#: suite parameters computed from thresholds and the data (see `checks._run`), and the
#: thresholds they come from (the context window is the recommended model's, no threshold)
_DERIVED = {
    "min_total": {"min_examples", "min_per_category"},
    "min_share_with_spans": {"max_share_without_spans"},
    "length_low": {"length_outlier_iqr"},
    "length_high": {"length_outlier_iqr"},
    "context_window": set(),
}


def _read_in_class(cls):
    """The `threshold("...")` names read in the check's class body and its bases'."""
    names = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("datacheck.checks") and klass.__name__ not in ("Check",):
            source = textwrap.dedent(inspect.getsource(klass))
            names |= set(re.findall(r'threshold\("([a-z_]+)"\)', source))
            if "min_per_category" in {
                n.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Attribute)
            }:
                names.add("min_per_category")
    return names


def _read_by_suites():
    read = {}
    for suite in load_suites():
        for expectation in suite.expectations:
            params = re.findall(r"'\$PARAMETER': '([a-z_]+)'", str(expectation["kwargs"]))
            for param in params:
                read.setdefault(expectation["meta"]["check"], set()).update(
                    _DERIVED.get(param, {param})
                )
    return read


@pytest.mark.parametrize("check_id", sorted(REGISTRY))
def test_a_check_declares_every_threshold_it_reads(check_id):
    cls = REGISTRY[check_id]
    read = _read_in_class(cls) | _read_by_suites().get(check_id, set())
    assert read <= set(cls.config_keys), read - set(cls.config_keys)
    assert set(cls.config_keys) <= threshold_names()


def test_explain_per_category_gives_the_guides_figure_and_the_config_key():
    done = CliRunner().invoke(cli, ["explain", "volume.per_category"])
    assert done.exit_code == 0
    text = done.output
    assert text.startswith("volume.per_category — Enough examples in every category\n")
    guide = PROFILES["classification"]["guide_requirement"]
    assert f"min_per_category = 1000  # classification (guide: {guide})" in text
    assert "[thresholds]" in text and '"volume.per_category" = "error"' in text
    assert REGISTRY["volume.per_category"].fix in text
    assert inspect.cleandoc(REGISTRY["volume.per_category"].__doc__).splitlines()[0] in text


def test_explain_lists_a_task_specific_threshold_for_every_task_that_has_it():
    text = explain("volume.total")
    for task, profile in PROFILES.items():
        if "min_examples" in profile:
            assert f"min_examples = {profile['min_examples']}  # {task} " in text


def test_a_check_without_thresholds_says_only_its_severity_key():
    text = explain("format.readable")
    assert "[thresholds]" not in text and '"format.readable" = "error"' in text


def test_an_unknown_id_is_bad_usage_with_the_nearest_ids():
    with pytest.raises(DatacheckError, match="Did you mean volume.per_category"):
        explain("volume.percategory")
    done = CliRunner().invoke(cli, ["explain", "nothing.like_it"])
    assert done.exit_code == 2 and "datacheck checks" in done.output


def test_checks_json_carries_the_config_keys():
    import json

    done = CliRunner().invoke(cli, ["checks", "--json", "-"])
    keys = {c["id"]: c["config_keys"] for c in json.loads(done.output)}
    assert keys["hygiene.near_duplicates"] == list(REGISTRY["hygiene.near_duplicates"].config_keys)
