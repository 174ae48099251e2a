"""The generated reference docs are up to date: regenerate with `python -m datacheck.docs`."""

from __future__ import annotations

from datacheck import docs
from datacheck.checks import REGISTRY
from tests.conftest import ROOT


def test_the_committed_docs_are_what_the_code_generates():
    for name, text in docs.generated().items():
        on_disk = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert on_disk == text, f"docs/{name} is out of date: run `python -m datacheck.docs`"


def test_the_cli_reference_holds_every_command_and_option():
    from datacheck.cli import cli

    text = docs.cli_reference()
    for name, command in cli.commands.items():
        assert f"## datacheck {name}\n" in text
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert opt in text, (name, opt)


def test_the_check_reference_holds_every_check(tmp_path):
    text = docs.generated()["checks.md"]
    for check_id, cls in REGISTRY.items():
        assert f"\n## {check_id}\n" in text and cls.fix in text


def test_check_mode_names_stale_files_and_writing_mode_fixes_them(tmp_path, capsys):
    assert docs.main(["--check", str(tmp_path)]) == 1
    assert "cli.md: out of date" in capsys.readouterr().out
    assert docs.main([str(tmp_path)]) == 0
    assert docs.main(["--check", str(tmp_path)]) == 0
    assert (tmp_path / "checks.md").read_text() == docs.generated()["checks.md"]
