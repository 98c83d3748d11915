"""The README documents every command and every setting (datasette's tests/test_docs.py idea)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Config

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_docs_every_command_in_readme_with_help(command):
    assert f"pressfacts {command}" in README
    assert main.commands[command].help, f"{command} has no --help text"
    assert "Example" in main.commands[command].help, f"{command}'s help has no example"


@pytest.mark.parametrize("field", sorted(Config.model_fields))
def test_docs_every_setting_in_readme(field):
    assert f"{field} =" in README, f"setting {field!r} is not documented in the README's settings block"
