"""Settings: every key's type and bounds, both sides of each bound, and the exact words."""

import math

import pytest

from datacheck.config import Settings, find_config, load_settings
from datacheck.errors import ConfigError


def _load(tmp_path, text):
    path = tmp_path / "datacheck.toml"
    path.write_text(text)
    return load_settings(path)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("epochs = 1\n", "epochs", 1),
        ("epochs = 4\n", "epochs", 4),
        ("seed = 0\n", "seed", 0),
        ("seed = 7\n", "seed", 7),
        ("sample = 1\n", "sample", 1),
        ("mfu = 1.0\n", "mfu", 1.0),
        ("mfu = 0.01\n", "mfu", 0.01),
        ("gpu_memory_gb = 0.5\n", "gpu_memory_gb", 0.5),
        ("gpu_usd_per_hour = 2.5\n", "gpu_usd_per_hour", 2.5),
        ("[thresholds]\nmin_per_category = 0\n", "thresholds", {"min_per_category": 0}),
        ("[thresholds]\nmax_imbalance_ratio = 25\n", "thresholds", {"max_imbalance_ratio": 25}),
        ("[prices]\ngpt-4o-mini-2024-07-18 = 0\n", "prices", {"gpt-4o-mini-2024-07-18": 0}),
        ("[checks]\n'volume.total' = 'info'\n", "checks", {"volume.total": "info"}),
        ("[checks]\n'volume.total' = 'off'\n", "checks", {"volume.total": "off"}),
        ("[output]\njson = 'r.json'\nhtml = 'r.html'\njunit = 'r.xml'\n", "output",
         {"json": "r.json", "html": "r.html", "junit": "r.xml"}),
        ("labels = ['a', 'b']\n", "labels", ("a", "b")),
        ("label_fields = []\n", "label_fields", ()),
        ("task = 'extraction'\n", "task", "extraction"),
        ("use_case = 'creative_writing'\n", "use_case", "creative_writing"),
        ("fail_on = 'warning'\n", "fail_on", "warning"),
        ("tokenizers = ['phi-2']\n", "tokenizers", ("phi-2",)),
        ("model = 'phi-2'\n", "model", "phi-2"),
        ("gpu = 'H100'\n", "gpu", "H100"),
    ],
)  # fmt: skip
def test_values_in_bounds_are_kept(tmp_path, text, key, value):
    settings = _load(tmp_path, text)
    assert getattr(settings, key) == value
    assert settings.source == str(tmp_path / "datacheck.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epochs = 0\n", "`epochs` must be a positive number, not 0."),
        ("epochs = -1\n", "`epochs` must be a positive number, not -1."),
        ("epochs = 1.5\n", "`epochs` must be a whole number of at least 1."),
        ("epochs = true\n", "`epochs` must be a positive number, not True."),
        ("seed = -1\n", "`seed` must be a positive number, not -1."),
        ("sample = 0\n", "`sample` must be a positive number, not 0."),
        ("sample = 2.5\n", "`sample` must be a whole number of rows, at least 1."),
        ("mfu = 0\n", "`mfu` must be a positive number, not 0."),
        ("mfu = 1.01\n", "`mfu` must be between 0 and 1."),
        ("gpu_memory_gb = 0\n", "`gpu_memory_gb` must be a positive number, not 0."),
        ("[thresholds]\nmin_per_category = -1\n", "threshold `min_per_category` must be a non-negative number."),
        ("[thresholds]\nmin_per_category = true\n", "threshold `min_per_category` must be a non-negative number."),
        ("[prices]\ngpt-4o-mini-2024-07-18 = -0.5\n", "[prices] `gpt-4o-mini-2024-07-18` must be dollars per 1M tokens."),
        ("[prices]\nllama = 1\n", "[prices] `llama` is not a fine-tunable API model; known: gpt-4o-mini"),
        ("[checks]\n'volume.total' = 'fatal'\n", "[checks] `volume.total` must be one of error, warning, info, off."),
        ("[output]\npdf = 'r.pdf'\n", "[output] takes json, html, junit as file names; `pdf` is not one of them."),
        ("[output]\njson = 3\n", "[output] takes json, html, junit as file names; `json` is not one of them."),
        ("labels = 'a'\n", "`labels` must be a list of strings."),
        ("labels = ['a', 1]\n", "`labels` must be a list of strings."),
        ("task = 3\n", "`task` must be a string."),
        ("task = 'poetry'\n", "`task` must be one of classification, extraction, response_generation"),
        ("use_case = 'extraction'\n", "`use_case` must be one of open_chat, creative_writing, general_qa, complex_decisions, realtime_generation (the guide's hard-to-verify use cases); leave it out otherwise."),
        ("fail_on = 'info'\n", "`fail_on` must be one of error, warning."),
        ("tokenizers = ['gpt2']\n", "unknown tokenizer `gpt2`; choose from llama-3.1"),
        ("model = 'gpt-5'\n", "`model` must be one of llama-3.1-8b, llama-3.1-70b, mistral-7b, phi-2."),
        ("gpu = 'TPU'\n", "`gpu` must be one of "),
        ("thresholds = 3\n", "`[thresholds]` must be a table."),
        ("colour = 1\n", "unknown key `colour`. Known keys: checks, epochs, eval"),
    ],
)  # fmt: skip
def test_values_out_of_bounds_are_refused_with_the_key_and_file(tmp_path, text, message):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    assert str(info.value).startswith(f"{tmp_path / 'datacheck.toml'}: ")
    assert message in str(info.value)


def test_pyproject_errors_name_the_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.datacheck]\nepochs = 0\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml \[tool.datacheck\]: `epochs`"):
        load_settings(path)


def test_a_relative_eval_path_is_read_from_the_config_folder(tmp_path):
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "datacheck.toml").write_text("eval = 'data/eval.jsonl'\n")
    assert load_settings(folder / "datacheck.toml").eval == str(folder / "data" / "eval.jsonl")
    (folder / "datacheck.toml").write_text(f"eval = '{tmp_path / 'abs.jsonl'}'\n")
    assert load_settings(folder / "datacheck.toml").eval == str(tmp_path / "abs.jsonl")


def test_no_file_and_no_discovery_give_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(discover=False) == Settings()
    assert load_settings() == Settings()  # nothing to find here
    assert find_config(tmp_path) is None
    with pytest.raises(ConfigError, match=r"nope.toml: no such configuration file\."):
        load_settings(tmp_path / "nope.toml")


def test_a_pyproject_without_the_table_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.other]\nx = 1\n")
    assert find_config(tmp_path) is None
    (tmp_path / "datacheck.toml").write_text("")
    assert find_config(tmp_path) == tmp_path / "datacheck.toml"


def test_defaults():
    settings = Settings()
    assert (settings.fail_on, settings.gpu, settings.mfu, settings.seed) == (
        "error", "A100-80GB", 0.35, 0,
    )  # fmt: skip
    assert settings.epochs is None and settings.sample is None and settings.source is None


def test_merged_lays_options_over_the_file_and_merges_tables(tmp_path):
    base = _load(
        tmp_path,
        "epochs = 2\n[thresholds]\nmin_per_category = 5\n[prices]\ngpt-4o-mini-2024-07-18 = 1\n",
    )
    merged = base.merged(
        epochs=None, labels="a, b,,c ", thresholds={"max_imbalance_ratio": 3}, fail_on="warning"
    )
    assert merged.epochs == 2  # None leaves the file's value
    assert merged.labels == ("a", "b", "c")
    assert merged.thresholds == {"min_per_category": 5, "max_imbalance_ratio": 3}
    assert merged.prices == {"gpt-4o-mini-2024-07-18": 1}
    assert merged.fail_on == "warning" and merged.source == base.source
    assert base.merged(tokenizers=["phi-2"]).tokenizers == ("phi-2",)


def test_merged_refuses_unknown_options_and_bad_values():
    with pytest.raises(ConfigError, match=r"^unknown option\(s\): colour, size$"):
        Settings().merged(size=3, colour="red")
    for mfu in (2, 0.0, -0.1):
        with pytest.raises(ConfigError, match=r"^options: `mfu` must be between 0 and 1\.$"):
            Settings().merged(mfu=mfu)
    assert Settings().merged(mfu=1).mfu == 1
    with pytest.raises(ConfigError, match=r"^options: `epochs` must be a whole number"):
        Settings().merged(epochs=0)
    for bad in (math.inf, math.nan, -1):
        with pytest.raises(ConfigError, match="gpu_memory_gb"):
            Settings().merged(gpu_memory_gb=bad)


def test_to_dict_lists_every_field_with_lists_and_sorted_tables():
    settings = Settings(labels=("b", "a"), thresholds={"z": 1, "a": 2})
    out = settings.to_dict()
    assert out["labels"] == ["b", "a"]
    assert list(out["thresholds"]) == ["a", "z"]
    assert list(out) == [
        "task", "use_case", "text_field", "label_field", "labels", "label_fields",
        "required_fields", "eval", "fail_on", "thresholds", "checks", "output", "tokenizers",
        "epochs", "model", "gpu", "gpu_memory_gb", "mfu", "gpu_usd_per_hour", "prices",
        "limits", "format", "sample", "seed", "semantic", "source",
    ]  # fmt: skip


def test_unreadable_and_invalid_files_say_so(tmp_path):
    path = tmp_path / "datacheck.toml"
    path.write_bytes(b"task = [\n")
    with pytest.raises(ConfigError, match=r"datacheck.toml: not valid TOML \("):
        load_settings(path)
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(folder)


def test_a_pyproject_without_any_tool_table_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None


def test_a_file_that_cannot_be_read_says_why(tmp_path):
    from datacheck.config import _read_toml

    with pytest.raises(ConfigError) as info:
        _read_toml(tmp_path)  # a folder: the system refuses to read it as a file
    assert str(info.value) == f"{tmp_path}: cannot read (Is a directory)."


def test_a_named_pyproject_without_the_table_gives_defaults(tmp_path):
    path = tmp_path / "pyproject.toml"
    for text in ("[project]\nname = 'x'\n", "[tool.other]\nx = 1\n"):
        path.write_text(text)
        assert load_settings(path) == Settings(source=str(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool]\ndatacheck = 3\n", "[tool.datacheck]: must be a table of settings, not 3."),
        (
            "[tool]\ndatacheck = 'strict'\n",
            "[tool.datacheck]: must be a table of settings, not 'strict'.",
        ),
    ],
)
def test_a_tool_datacheck_that_is_not_a_table_is_refused(tmp_path, monkeypatch, text, message):
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path} {message}"
    monkeypatch.chdir(tmp_path)  # found by walking up, then refused the same way
    with pytest.raises(ConfigError, match="must be a table of settings"):
        load_settings()


def test_a_tool_key_that_is_not_a_table_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text("tool = 3\n")
    assert find_config(tmp_path) is None
    assert load_settings(tmp_path / "pyproject.toml") == Settings(
        source=str(tmp_path / "pyproject.toml")
    )
