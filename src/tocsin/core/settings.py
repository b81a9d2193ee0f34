"""Typed settings, read from the environment (prefix TOCSIN_) and passed down explicitly: no singleton."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path(user_data_dir("tocsin", appauthor=False))


class Settings(BaseSettings):
    """Every setting Tocsin reads. Each field is documented in the README (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="TOCSIN_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Folder for the warehouse, reports, databases.")
    data_mirror: Path | None = Field(
        default=None,
        description="Folder laid out as HOST/PATH; when set, downloads read it and never touch the network.",
    )
    enable_emdat: bool = Field(
        default=False, description="Load EM-DAT drought impact (its terms forbid redistribution)."
    )
    monitor_db_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the monitoring database (default: SQLite under home)."
    )
    token_ttl_days: int = Field(
        default=30, ge=1, le=365, description="Days an API token of the monitoring API stays valid (1 to 365)."
    )
    seed: int = Field(default=20240, description="Random seed for every stochastic step.")
    n_jobs: int = Field(default=2, description="Worker processes for backtests.")
    dask_scheduler: str | None = Field(
        default=None,
        description="Address of a Dask distributed scheduler (tcp://host:8786): walk-forward fits, bootstrap "
        "replicates and the driver ablation run on that cluster instead of local processes.",
    )
    cache: bool = Field(default=True, description="Reuse walk-forward fits cached by content under home/cache.")
    page_cache_seconds: float = Field(
        default=300.0, ge=0,
        description="How long the dashboard keeps an anonymous answer in memory (0: off); a new run is seen at once.",
    )
    playbook_path: Path | None = Field(
        default=None,
        description="Your own prevention playbook (TOML); default: the one shipped in tocsin.prevention.",
    )

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def cache_dir(self) -> Path | None:
        return self.home / "cache" if self.cache else None

    @property
    def monitor_url(self) -> str:
        return self.monitor_db_url or f"sqlite:///{self.home / 'monitor.sqlite'}"
