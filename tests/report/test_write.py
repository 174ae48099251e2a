import os

import pytest

from datacheck.errors import DatacheckError
from datacheck.report._write import write_atomic


def test_a_failed_write_leaves_no_file_behind(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(DatacheckError, match="r.json: cannot write the report .No space left"):
        write_atomic(tmp_path / "r.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_the_message_names_what_was_being_written(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text("{}\n")
    with pytest.raises(DatacheckError, match="refusing to write the configuration over the input"):
        write_atomic(data, "x = 1", inputs=[data], what="the configuration")
    assert data.read_text() == "{}\n"
