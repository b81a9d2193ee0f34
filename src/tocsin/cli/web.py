"""Commands: tocsin serve, tocsin brief."""

from __future__ import annotations

from pathlib import Path

import typer

from tocsin.cli.common import app, console, friendly, settings


# --- web commands: serve, brief ----------------------------------------------------------------------------
@app.command("serve")
@friendly
def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=32, help="Server processes (one per core is typical)."),
) -> None:
    """Serve the offline dashboard and JSON API (OpenAPI at /openapi.json); no asset comes from elsewhere."""
    import uvicorn

    from tocsin.web.app import create_app

    s = settings()
    console.print(f"Tocsin dashboard on http://{host}:{port}/ (reads the latest run under {s.runs_dir})")
    if workers == 1:
        uvicorn.run(create_app(s), host=host, port=port, log_level="warning", access_log=False)
    else:  # each worker process builds its own app from the same environment
        uvicorn.run("tocsin.web.app:dashboard_from_env", factory=True, workers=workers, host=host, port=port,
                    log_level="warning", access_log=False)


@app.command("brief")
@friendly
def brief_cmd(
    country: str = typer.Argument(..., help="Country name, variant, ISO3 or GW/COW code, e.g. 'Burma/Myanmar'."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the brief as PDF (one or two A4 pages)."),
    html: Path | None = typer.Option(None, "--html", help="Write the brief as a self-contained HTML file."),
    run: str | None = typer.Option(None, "--run", help="Brief from this run (id or prefix) instead of the latest."),
) -> None:
    """A five-minute country brief: risk now, trend, rank, drivers, hotspots, alerts, prevention, sources."""
    from tocsin.reports.brief import write_brief
    from tocsin.reports.dossier import DataContext

    s = settings()
    if pdf is None and html is None:
        pdf = s.reports_dir / f"brief_{country.replace('/', '_').replace(' ', '_')}.pdf"
    b = write_brief(DataContext(s, run_id=run), country, pdf=pdf, html=html)
    console.print(b.headline, highlight=False, soft_wrap=True)
    console.print("Wrote " + ", ".join(str(p) for p in (pdf, html) if p is not None))


# --- end web commands --------------------------------------------------------------------------------------

