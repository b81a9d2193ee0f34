"""The model-ready frame: the EWP panel plus dynamics and the nontraditional drivers, with one registry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from tocsin.features.dynamics import dynamics_features, dynamics_registry_entries
from tocsin.features.panel import KEY, PANEL_TABLES, base_registry, build_panel
from tocsin.features.registry import FeatureRegistry
from tocsin.warehouse.store import Warehouse


@dataclass
class FeatureFrame:
    frame: pd.DataFrame
    registry: FeatureRegistry
    driver_unmatched: dict[str, list[str]]


def build_features(tables: Mapping[str, pd.DataFrame], *, drivers: bool = True) -> FeatureFrame:
    panel = build_panel(tables)
    registry = base_registry()
    dyn = dynamics_features(panel, tables)
    for f in dynamics_registry_entries(list(dyn.columns)):
        registry.add(f)
    frame = panel.merge(dyn, on=KEY, how="left")
    if drivers:
        from tocsin.features.drivers import DRIVER_FEATURES, build_driver_features

        drv = build_driver_features(tables, panel[[*KEY, "iso3"]])
        for f in DRIVER_FEATURES:
            if f.name in drv.columns and f.name not in registry:
                registry.add(f)
        extra = [c for c in drv.columns if c not in KEY and c not in frame.columns]
        frame = frame.merge(drv[[*KEY, *extra]], on=KEY, how="left")
    return FeatureFrame(frame, registry, {})


def feature_tables(warehouse: Warehouse, *, drivers: bool = True) -> dict[str, pd.DataFrame]:
    names = [*PANEL_TABLES, "ewp_in_coups_all"]
    if drivers:
        from tocsin.features.drivers import OPTIONAL_TABLES, REQUIRED_TABLES

        names += [t for t in REQUIRED_TABLES if t not in names]
        names += [t for t in OPTIONAL_TABLES if warehouse.has(t)]
    return {t: warehouse.read(t) for t in names}


def load_features(warehouse: Warehouse, *, drivers: bool = True) -> FeatureFrame:
    return build_features(feature_tables(warehouse, drivers=drivers), drivers=drivers)
