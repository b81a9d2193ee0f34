"""The README documents every command and every setting (a new one fails here until it is written up)."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from tocsin.cli.main import app
from tocsin.core.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands(cmd, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    if hasattr(cmd, "commands"):
        out: list[tuple[str, ...]] = []
        for name, sub in cmd.commands.items():
            out += _commands(sub, (*prefix, name))
        return out
    return [prefix]


def test_every_command_is_in_the_readme() -> None:
    missing = []
    for path in _commands(get_command(app)):
        leaf = path[-1]
        parent = " ".join(path[:-1])
        # Sub-commands may be listed as "tocsin group a|b|c".
        if f"tocsin {' '.join(path)}" not in README and not (
            parent and any(f"tocsin {parent} " in line and leaf in line for line in README.splitlines())
        ):
            missing.append(" ".join(path))
    assert not missing, f"commands missing from README: {missing}"


def test_every_setting_is_in_the_readme() -> None:
    missing = [f"TOCSIN_{k.upper()}" for k in Settings.model_fields if f"TOCSIN_{k.upper()}" not in README]
    assert not missing, f"settings missing from README: {missing}"


def test_every_setting_has_a_description() -> None:
    assert all(f.description for f in Settings.model_fields.values())
