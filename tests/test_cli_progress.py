"""Long commands say what stage they are in when their output is a log, not a terminal (CliRunner is not a TTY)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from rich.console import Console
from rich.progress import Progress
from typer.testing import CliRunner

from tocsin.cli import common
from tocsin.cli.main import app as tocsin_app


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def work() -> None:
        with common.progress_bar() as prog:
            t = prog.add_task("fitting members", total=20)
            for _ in range(20):
                prog.advance(t)
            u = prog.add_task("explaining", total=None)
            prog.advance(u, 2)
            prog.update(u, description="explaining the last year")
        with common.err_console.status("writing the report"):
            pass

    return app


def _stages(output: str) -> list[str]:
    return [line.rsplit(" (", 1)[0] for line in output.splitlines()]


def test_in_a_log_each_stage_starts_and_ends_with_a_line_and_tenths_are_counted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "PLAIN_INTERVAL", 3600.0)
    res = CliRunner().invoke(_app(), [])
    assert res.exit_code == 0, res.output
    assert _stages(res.output) == [
        "fitting members: 0/20", *[f"fitting members: {n}/20" for n in range(2, 21, 2)],
        "explaining: started", "explaining the last year: 2 done",
        "fitting members: done 20/20", "explaining the last year: done",  # when the `with` block ends
        "writing the report ...",
    ]
    assert all(line.endswith("s)") for line in res.output.splitlines() if ":" in line)  # elapsed seconds


def test_with_no_total_a_line_comes_every_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "PLAIN_INTERVAL", 0.0)
    res = CliRunner().invoke(_app(), [])
    assert "explaining: 2 done" in _stages(res.output)


def test_on_a_terminal_the_live_bar_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "err_console", Console(force_terminal=True))
    assert isinstance(common.progress_bar(), Progress)


@pytest.mark.integration
def test_data_pull_into_a_log_says_what_it_is_doing(mirror: Path, tmp_path: Path) -> None:
    env = {"TOCSIN_HOME": str(tmp_path), "TOCSIN_DATA_MIRROR": str(mirror)}
    res = CliRunner().invoke(tocsin_app, ["data", "pull", "--source", "ewp_coefficients"], env=env)
    assert res.exit_code == 0, res.output
    stages = _stages(res.output)
    assert stages[:5] == ["pulling sources: 0/1", "pulling ewp_coefficients: 0/1", "pulling ewp_coefficients: 1/1",
                          "pulled: 1/1", "pulled: done 1/1"]
