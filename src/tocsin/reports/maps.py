"""PNG choropleth of a country's hotspot index, with the sources and licences in the caption."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never needs a display

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from tocsin.geo.hotspots import HotspotResult


def hotspot_map(result: HotspotResult, path: Path, label_top: int = 5, dpi: int = 150) -> Path:
    """Draw the admin-1 units coloured by total (darker = more vulnerable; grey hatched = no data)."""
    gdf = result.units[["code", "geometry"]].merge(result.table[["code", "name", "rank", "total"]], on="code")
    fig, ax = plt.subplots(figsize=(8.5, 8.5))
    has = gdf[gdf["total"].notna()]
    none = gdf[gdf["total"].isna()]
    if len(has):
        has.plot(column="total", ax=ax, cmap="OrRd", vmin=0, vmax=1, edgecolor="#444444", linewidth=0.5,
                 legend=True,
                 legend_kwds={"label": "Vulnerability index (0 = lowest, 1 = highest in the country)",
                              "shrink": 0.6, "orientation": "horizontal", "pad": 0.02})
    if len(none):
        none.plot(ax=ax, color="#dddddd", edgecolor="#888888", linewidth=0.4, hatch="///")
    for row in has.sort_values("rank").head(label_top).itertuples():
        pt = row.geometry.representative_point()
        ax.annotate(f"{int(row.rank)}. {row.name}", (pt.x, pt.y), ha="center", fontsize=8, weight="bold",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75})
    ax.set_axis_off()
    ax.set_title(f"{result.country}: subnational vulnerability hotspots, {result.year}", fontsize=13)
    if len(none):
        ax.legend(handles=[Patch(facecolor="#dddddd", edgecolor="#888888", hatch="///", label="no data")],
                  loc="lower left", fontsize=8, frameon=False)
    used = [k for k, w in result.weights.items() if w > 0 and k not in result.missing]
    wsum = sum(result.weights[k] for k in used) or 1.0
    weights = ", ".join(f"{k} {result.weights[k] / wsum:.2f}" for k in used)
    lines = [f"Effective weights: {weights or 'none'} (components without data, reweighted: "
             f"{', '.join(result.missing) or 'none'})."]
    lines += [f"Source: {pub} — licence: {lic}." for pub, lic, _ in result.credits()]
    caption = "\n".join(textwrap.fill(line, 120) for line in lines)
    fig.text(0.01, 0.01, caption, fontsize=6.5, va="bottom", ha="left", color="#333333")
    fig.subplots_adjust(bottom=0.05 + 0.018 * caption.count("\n"), top=0.94)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
