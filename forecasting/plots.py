"""PNG plots of history, forecast and quantile bands (matplotlib, Agg backend)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def plot_series(history: pd.DataFrame, forecasts: pd.DataFrame, item_id: str, location_id: str,
                path: str | Path, history_buckets: int = 104) -> Path:
    """Draw the last ``history_buckets`` of history, the mean forecast, the p10–p90 band and
    any other quantile as dashed lines; write ``path`` (PNG) and return it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = history[(history["item_id"] == item_id) & (history["location_id"] == location_id)]
    f = forecasts[(forecasts["item_id"] == item_id) & (forecasts["location_id"] == location_id)]
    if f.empty:
        raise ValueError(f"plot: no forecast for item {item_id!r} at location {location_id!r}")
    h = h.sort_values("date").tail(history_buckets)
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(h["date"], h["qty"], color="0.3", lw=1, label="history")
    ax.fill_between(f["date"], f["p10"], f["p90"], color="tab:blue", alpha=0.25, label="p10–p90")
    ax.plot(f["date"], f["mean"], color="tab:blue", lw=1.5, label="mean")
    ax.plot(f["date"], f["p50"], color="tab:blue", lw=1, ls=":", label="p50")
    extra = [c for c in f.columns if c.startswith("p") and c not in ("p10", "p50", "p90")]
    for c in extra:
        ax.plot(f["date"], f[c], lw=0.8, ls="--", label=c)
    model = f["model"].iloc[0]
    ax.set_title(f"{item_id} @ {location_id} — {model}")
    ax.set_ylabel("quantity per bucket")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_many(history: pd.DataFrame, forecasts: pd.DataFrame, folder: str | Path,
              series: list[tuple[str, str]]) -> list[Path]:
    """One PNG per (item, location) in ``folder``, named ``<item>__<location>.png``."""
    folder = Path(folder)
    return [plot_series(history, forecasts, i, lo, folder / f"{_safe(i)}__{_safe(lo)}.png")
            for i, lo in series]
