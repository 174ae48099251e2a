import os
from pathlib import Path

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


def test_devices_and_pipes_are_written_to_never_replaced(tmp_path):
    import os
    import stat
    import threading

    from datacheck.report._write import is_special, write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_atomic(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not a file renamed over it
    assert (
        is_special(Path("/dev/null"))
        and not is_special(tmp_path)
        and not is_special(fifo.with_name("x"))
    )
    write_atomic(Path("/dev/null"), "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_bad_output_paths_are_refused_before_the_audit(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from datacheck import _audit
    from datacheck.cli import cli

    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "a", "label": "x"}\n')
    (tmp_path / "out").mkdir()
    monkeypatch.setattr(_audit, "audit", lambda *a, **k: pytest.fail("the audit ran"))
    for args, message in [
        (["--json", str(tmp_path / "out")], "is a folder; give a file name"),
        (["--html", str(data)], "refusing to write the report over the input data"),
        (["--junit", str(data)], "refusing to write the report over the input data"),
    ]:
        result = CliRunner().invoke(cli, ["audit", str(data), *args])
        assert result.exit_code == 2 and message in result.output, result.output
    assert data.read_text() == '{"text": "a", "label": "x"}\n'
