"""Backtest: replay real sales history day by day under a replenishment rule, re-planning each
review with only the data known then, and compare rules on the KPIs of :mod:`scenarios.kpis`.

Set-up (see :mod:`scenarios.simulation.network` for the series):

* series are item × warehouse; each warehouse's demand is the recorded sales of the sales
  locations it serves (cheapest lane), spread evenly over the days of each sales bucket;
* the backtest runs from ``start`` (default: 26 weeks after the first sales date, so every rule
  has half a year of history) to ``end`` (default: the end of the history); the first
  ``warmup_weeks`` (default 8) are simulated but left out of the KPIs;
* every rule starts with the same stock: ``m·(L + 7 + safety_days)`` with ``m`` the mean
  daily demand of the 13 weeks before ``start``; nothing on order;
* lead times are drawn per order from N(lead_time_days, lead_time_std_days²) (rounded, >= 1
  day), with the same seed for every rule; MOQ and case packs from the sourcing file apply;
* unmet demand is lost (``mode="lost_sales"``, the default: a shopper who finds no stock buys
  elsewhere) or backordered.

Rules (:mod:`scenarios.backtest_policies`): ``minmax`` (ERP min/max), ``order_up_to`` (periodic
order-up-to with fixed cover) and ``stockpilot`` (forecasting package + quantile order-up-to).

Information: every rule sees the recorded sales up to the review day. ``stockpilot`` also sees
the retailer's promotion calendar for the weeks ahead (``use_promo_calendar``, on by default:
the sales files' ``promo`` flag — Dominick's in-store deals, which the retailer plans in
advance), as a planned-promotion input of :func:`forecasting.forecast`; the baselines have no
use for it. ``use_promo_calendar=False`` replays stockpilot without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios.datasets.planning_data import PlanningData
from scenarios.simulation.engine import SimulationConfig, SimulationResult, simulate
from scenarios.simulation.network import daily_demand, daily_promo, history_end, series_setup
from scenarios.simulation.summary import series_kpis, summarize

POLICIES = ("stockpilot", "minmax", "order_up_to")
BENCH_KPIS = ("fill_rate", "turnover_days", "slow_moving_rate", "stockout_days", "total_cost")


@dataclass(frozen=True)
class BacktestConfig:
    """Knobs of a backtest (defaults as documented in the module docstring)."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    warmup_weeks: int = 8
    min_history_weeks: int = 26
    mode: str = "lost_sales"
    service_level: float = 0.95
    safety_days: float = 14.0
    cover_days: float = 28.0
    window_days: int = 91
    random_lead_times: bool = True
    short_ship_probability: float = 0.0
    slow_moving_days: int = 90
    seed: int = 0
    use_promo_calendar: bool = True
    stockpilot_review_days: int = 1
    stockpilot_spread: str = "service_quantile"
    stockpilot_fill_rate: float | None = None
    #: options of :func:`forecasting.forecast` for the stockpilot rule: four rolling-origin
    #: windows for the model choice and the average of the five best models (the package's
    #: defaults are two and three), chosen by replaying the bundled sample (docs/benchmarks)
    forecast_options: dict = field(default_factory=lambda: {"cv_windows": 4, "combine": 5})

    def __post_init__(self):
        if not 0 < self.service_level < 1:
            raise ValueError("service_level must be in (0, 1)")
        for name in ("safety_days", "cover_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.warmup_weeks < 0 or self.min_history_weeks < 4:
            raise ValueError("warmup_weeks must be >= 0 and min_history_weeks >= 4")


@dataclass(frozen=True)
class BacktestResult:
    policy: str
    kpis: dict
    series: pd.DataFrame
    trace: SimulationResult
    start: pd.Timestamp
    end: pd.Timestamp


def backtest_window(data: PlanningData, cfg: BacktestConfig) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The replayed period; raises ``ValueError`` naming the rule a date breaks."""
    if data.sales.empty:
        raise ValueError("backtest: the data has no sales history")
    first, last = data.sales["date"].min(), history_end(data)
    earliest = first + pd.Timedelta(weeks=cfg.min_history_weeks)
    start = pd.Timestamp(cfg.start) if cfg.start is not None else earliest
    end = pd.Timestamp(cfg.end) if cfg.end is not None else last
    if start < earliest:
        raise ValueError(f"backtest start {start.date()}: needs {cfg.min_history_weeks} weeks of history "
                         f"before it (sales begin {first.date()}; earliest start {earliest.date()})")
    if end > last:
        raise ValueError(f"backtest end {end.date()}: after the end of the sales history ({last.date()})")
    if (end - start).days + 1 <= 7 * cfg.warmup_weeks + 7:
        raise ValueError(f"backtest {start.date()} .. {end.date()}: shorter than the {cfg.warmup_weeks}-week "
                         "warm-up plus one measured week")
    return start, end


def make_policy(name: str, pre: np.ndarray, keys: pd.DataFrame, setup: pd.DataFrame,
                history_start: pd.Timestamp, cfg: BacktestConfig, promo_daily: np.ndarray | None = None):
    from scenarios.backtest_policies import MinMaxRule, OrderUpToRule, StockpilotRule

    lead = setup["lead_time_days"].to_numpy()
    if name == "minmax":
        return MinMaxRule(pre, lead, cfg.safety_days, cfg.cover_days, cfg.window_days)
    if name == "order_up_to":
        return OrderUpToRule(pre, lead, cfg.safety_days, cfg.window_days)
    if name == "stockpilot":
        return StockpilotRule(pre, keys, history_start, lead, setup["lead_time_std_days"].to_numpy(),
                              cfg.service_level, cfg.forecast_options, seed=cfg.seed,
                              promo_daily=promo_daily if cfg.use_promo_calendar else None,
                              review_period_days=cfg.stockpilot_review_days, spread=cfg.stockpilot_spread,
                              fill_rate_target=cfg.stockpilot_fill_rate)
    raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICIES)}")


def run_backtest(data: PlanningData, policies=POLICIES, cfg: BacktestConfig = BacktestConfig(),
                 progress=None) -> dict[str, BacktestResult]:
    """Replay the history under each rule in ``policies``; results keyed by rule name.

    ``progress``: optional callable ``(policy_name) -> None`` called before each rule runs."""
    for name in policies:
        if name not in POLICIES:
            raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICIES)}")
    start, end = backtest_window(data, cfg)
    first = data.sales["date"].min()
    keys, pre_dates, pre, _ = daily_demand(data, first, start - pd.Timedelta(days=1))
    keys2, dates, demand, closed = daily_demand(data, start, end)
    assert keys.equals(keys2)
    setup = series_setup(data, keys, on_hand=pd.Series(dtype=float), as_of=start)
    m = pre[:, -91:].mean(axis=1)
    setup["initial_on_hand"] = np.round(m * (setup["lead_time_days"].to_numpy() + 7 + cfg.safety_days))
    promo = None
    if cfg.use_promo_calendar and "stockpilot" in policies:
        promo = daily_promo(data, first, end + pd.Timedelta(days=7 * 26))
    out = {}
    for name in policies:
        if progress is not None:
            progress(name)
        policy = make_policy(name, pre, keys, setup, pre_dates[0], cfg, promo)
        if name == "stockpilot":
            policy.unit_cost = setup["unit_cost"].to_numpy()
        period = policy.review_period_days
        sim_cfg = SimulationConfig(mode=cfg.mode, review_period_days=period, review_offset_days=period - 1,
                                   random_lead_times=cfg.random_lead_times,
                                   short_ship_probability=cfg.short_ship_probability,
                                   warmup_days=7 * cfg.warmup_weeks, seed=cfg.seed)
        trace = simulate(setup, demand, policy, sim_cfg, dates, closed)
        kp = summarize(trace, slow_moving_days=cfg.slow_moving_days)
        out[name] = BacktestResult(name, kp, series_kpis(trace), trace, start, end)
    return out


def comparison_table(results: dict[str, BacktestResult], kpis=None) -> pd.DataFrame:
    """KPIs (rows) × rules (columns)."""
    frame = pd.DataFrame({name: r.kpis for name, r in results.items()})
    return frame.loc[list(kpis)] if kpis else frame


def plot_comparison(results: dict[str, BacktestResult], path) -> None:
    """Bar charts of the headline KPIs, one panel per KPI, one bar per rule (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    show = ("fill_rate", "turnover_days", "stockout_days", "aged_stock_rate", "avg_inventory_value", "total_cost")
    fig, axes = plt.subplots(2, 3, figsize=(12, 6))
    names = list(results)
    for ax, k in zip(axes.ravel(), show):
        vals = [results[n].kpis[k] for n in names]
        ax.bar(names, vals, color=["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"][: len(names)])
        ax.set_title(k)
        ax.tick_params(axis="x", labelrotation=20)
    fig.suptitle("Backtest: real sales replayed")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def load_bench_data(sales_path=None, seed: int = 7) -> tuple[PlanningData, str]:
    """The bundled sample (default) or a sales file in the sales shape / one of the public
    sets in shared/data/sales, with the supply side from the seeded generator."""
    from scenarios.datasets.files import read_dir
    from scenarios.datasets.sample import sample_dir

    if sales_path is None:
        return read_dir(sample_dir()), "bundled sample (scenarios/sample)"
    from scenarios.datasets.generator import generate_supply_side
    from scenarios.datasets.real import is_real_dataset, load_real_sales

    raw = pd.read_csv(sales_path)
    if is_real_dataset(raw.columns):
        sales = load_real_sales(sales_path)
    else:
        need = {"item_id", "location_id", "date", "qty"}
        if not need <= set(raw.columns):
            raise ValueError(f"{sales_path}: needs columns {sorted(need)} or one of the public data sets' columns")
        sales = raw.assign(date=pd.to_datetime(raw["date"]), item_id=raw["item_id"].astype(str),
                           location_id=raw["location_id"].astype(str))
    import tempfile

    from scenarios.datasets.files import write_dir

    frames = generate_supply_side(sales, seed=seed)
    frames["sales"] = sales
    with tempfile.TemporaryDirectory() as tmp:   # through the files: validated and typed
        write_dir(frames, tmp, fmt="csv")
        data = read_dir(tmp)
    return data, str(sales_path)


def bench_backtest(sales_path=None, seed: int = 7, cfg: BacktestConfig = BacktestConfig(),
                   progress=None) -> dict:
    """``stockpilot bench backtest``: every rule on the same replayed history; JSON-ready dict
    with the headline KPIs per rule, the ratios to min/max and whether the goal is met."""
    import time
    from dataclasses import replace

    data, label = load_bench_data(sales_path, seed)
    t0 = time.perf_counter()
    results = run_backtest(data, POLICIES, cfg, progress)
    wall = time.perf_counter() - t0
    variants = {}
    if cfg.use_promo_calendar:   # the same rule without the promotion calendar, for reference
        alt = run_backtest(data, ["stockpilot"], replace(cfg, use_promo_calendar=False), progress)["stockpilot"]
        variants["stockpilot_without_promo_calendar"] = {k: alt.kpis[k] for k in BENCH_KPIS}
    policies = {n: {k: r.kpis[k] for k in BENCH_KPIS} | {"aged_stock_rate": r.kpis["aged_stock_rate"],
                                                        "lost_sales_units": r.kpis["lost_sales_units"],
                                                        "avg_inventory_value": r.kpis["avg_inventory_value"]}
                for n, r in results.items()}
    sp, mm = policies["stockpilot"], policies["minmax"]
    ratios = {"turnover_days_vs_minmax": sp["turnover_days"] / mm["turnover_days"],
              "fill_rate_minus_minmax": sp["fill_rate"] - mm["fill_rate"],
              "total_cost_vs_minmax": sp["total_cost"] / mm["total_cost"]}
    goal = {"fill_rate_at_least_minmax": bool(sp["fill_rate"] >= mm["fill_rate"]),
            "turnover_at_most_0.6x_minmax": bool(ratios["turnover_days_vs_minmax"] <= 0.6),
            "slow_moving_below_8pct": bool(sp["slow_moving_rate"] < 0.08)}
    any_r = next(iter(results.values()))
    return {"data": label, "seed": seed, "start": str(any_r.start.date()), "end": str(any_r.end.date()),
            "series": int(len(any_r.series)), "mode": cfg.mode, "service_level": cfg.service_level,
            "use_promo_calendar": cfg.use_promo_calendar, "stockpilot_spread": cfg.stockpilot_spread,
            "policies": policies, "variants": variants, "ratios": ratios,
            "goal": goal | {"met": all(goal.values())}, "wall_s": round(wall, 2)}
