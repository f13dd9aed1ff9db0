"""Inputs of the stock deployment model: the problem dataclass, its checks and a seeded
generator of platform-shaped instances (used by ``stockpilot bench allocation`` and tests).

Frames and columns (quantities are units over the horizon unless said otherwise):

* ``items``: ``item_id``, ``unit_volume_m3``, ``lost_sale_cost`` (currency/unit)
* ``warehouses``: ``warehouse_id``, ``capacity_volume_m3``, ``outbound_units_per_day``
* ``regions``: ``region_id``
* ``demand``: ``item_id``, ``region_id``, ``mean`` and optionally ``p50``, ``p90``
* ``stock``: ``item_id``, ``warehouse_id``, ``on_hand``, ``inbound`` (arrives within horizon)
* ``lanes``: ``warehouse_id``, ``region_id``, ``transit_days``, ``cost_per_unit``
* ``transfer_lanes``: ``origin_id``, ``destination_id``, ``transit_days``, ``cost_per_unit``
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.solver import SolveInfo

#: probability that a unit of each demand segment ([0, p50], (p50, p90]) would sell
SEGMENT_SELL_PROB = (0.75, 0.3)

_COLUMNS = {
    "items": ("item_id", "unit_volume_m3", "lost_sale_cost"),
    "warehouses": ("warehouse_id", "capacity_volume_m3", "outbound_units_per_day"),
    "regions": ("region_id",),
    "demand": ("item_id", "region_id", "mean"),
    "stock": ("item_id", "warehouse_id", "on_hand", "inbound"),
    "lanes": ("warehouse_id", "region_id", "transit_days", "cost_per_unit"),
    "transfer_lanes": ("origin_id", "destination_id", "transit_days", "cost_per_unit"),
}
_KEYS = {
    "items": ("item_id",),
    "warehouses": ("warehouse_id",),
    "regions": ("region_id",),
    "demand": ("item_id", "region_id"),
    "stock": ("item_id", "warehouse_id"),
    "lanes": ("warehouse_id", "region_id"),
    "transfer_lanes": ("origin_id", "destination_id"),
}


@dataclass(frozen=True, eq=False)
class DeploymentProblem:
    items: pd.DataFrame
    warehouses: pd.DataFrame
    regions: pd.DataFrame
    demand: pd.DataFrame
    stock: pd.DataFrame
    lanes: pd.DataFrame
    transfer_lanes: pd.DataFrame
    horizon_days: float = 28.0
    promise_days: float = 2.0  # N
    promise_share: float = 0.0  # alpha in [0, 1]
    delay_cost_per_unit_day: float = 0.0
    promise_shortfall_cost: float = 1_000.0  # currency per unit below the promise
    max_lanes_per_region: int = 4
    transfer_fixed_cost: float = 0.0  # currency per transfer line (item x lane)
    transfer_min_qty: float = 0.0  # units

    @property
    def rebalance_cost_per_unit(self) -> pd.Series:
        """tau_w: half the mean cost of the transfer lanes touching w (inf: no lane)."""
        tl = self.transfer_lanes
        both = pd.concat(
            [
                tl[["origin_id", "cost_per_unit"]].rename(columns={"origin_id": "w"}),
                tl[["destination_id", "cost_per_unit"]].rename(columns={"destination_id": "w"}),
            ]
        )
        tau = 0.5 * both.groupby("w")["cost_per_unit"].mean()
        return tau.reindex(self.warehouses["warehouse_id"]).fillna(np.inf)


@dataclass(frozen=True, eq=False)
class DeploymentResult:
    """Frames (columns documented in :func:`solve_deployment`) and the solve info."""

    targets: pd.DataFrame
    flows: pd.DataFrame
    lost: pd.DataFrame
    warehouses: pd.DataFrame
    regions: pd.DataFrame
    stock_value: pd.DataFrame  # item_id, warehouse_id, marginal_value (dual of the stock row)
    info: SolveInfo
    cost: dict = field(default_factory=dict)


def _entity(frame: str, row: pd.Series) -> str:
    return f"{frame} " + ", ".join(f"{k}={row[k]}" for k in _KEYS[frame])


def validate_problem(p: DeploymentProblem) -> DeploymentProblem:
    """Raise ``ValueError`` naming the frame, entity, column and rule of the first problem of
    each kind: missing columns, NaN or negative numbers, duplicates, unknown references, a
    region with demand but no lane, committed stock above a warehouse's capacity."""
    for name, cols in _COLUMNS.items():
        frame = getattr(p, name)
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
        dup = frame.duplicated(list(_KEYS[name]))
        if dup.any():
            raise ValueError(f"{_entity(name, frame[dup].iloc[0])}: appears more than once")
        for c in cols:
            if c in _KEYS[name] or c in (
                "warehouse_id",
                "region_id",
                "item_id",
                "origin_id",
                "destination_id",
            ):
                continue
            values = pd.to_numeric(frame[c], errors="coerce").to_numpy(float)
            bad = np.isnan(values) | (values < 0) | np.isinf(values)
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raw = frame[c].iloc[k]
                shown = repr(float(raw)) if isinstance(raw, (int, float, np.number)) else repr(raw)
                raise ValueError(
                    f"{_entity(name, frame.iloc[k])}: {c} is {shown}; "
                    "it must be a finite number >= 0"
                )
    for opt in ("p50", "p90"):
        if opt in p.demand:
            v = p.demand[opt].to_numpy(float)
            if (v < 0).any():
                k = int(np.flatnonzero(v < 0)[0])
                raise ValueError(f"{_entity('demand', p.demand.iloc[k])}: {opt} must be >= 0")
    items, whs = set(p.items["item_id"]), set(p.warehouses["warehouse_id"])
    regions = set(p.regions["region_id"])
    refs = (
        ("demand", "item_id", items, "items"),
        ("demand", "region_id", regions, "regions"),
        ("stock", "item_id", items, "items"),
        ("stock", "warehouse_id", whs, "warehouses"),
        ("lanes", "warehouse_id", whs, "warehouses"),
        ("lanes", "region_id", regions, "regions"),
        ("transfer_lanes", "origin_id", whs, "warehouses"),
        ("transfer_lanes", "destination_id", whs, "warehouses"),
    )
    for frame_name, col, known, target in refs:
        frame = getattr(p, frame_name)
        unknown = ~frame[col].isin(known)
        if unknown.any():
            row = frame[unknown].iloc[0]
            raise ValueError(f"{_entity(frame_name, row)}: {col} {row[col]!r} is not in {target}")
    if not 0 <= p.promise_share <= 1:
        raise ValueError(f"promise_share must be in [0, 1], got {p.promise_share}")
    if p.horizon_days <= 0:
        raise ValueError(f"horizon_days must be positive, got {p.horizon_days}")
    if p.max_lanes_per_region < 1:
        raise ValueError("max_lanes_per_region must be at least 1")
    served = set(p.lanes["region_id"])
    pos = p.demand[p.demand["mean"] > 0]
    orphan = pos[~pos["region_id"].isin(served)]
    if len(orphan):
        r = orphan["region_id"].iloc[0]
        n_items = int((orphan["region_id"] == r).sum())
        raise ValueError(
            f"region {r}: demand for {n_items} item(s) (e.g. item "
            f"{orphan['item_id'].iloc[0]}) but no lane from any warehouse reaches it"
        )
    vol = p.items.set_index("item_id")["unit_volume_m3"]
    st = p.stock.assign(v=p.stock["item_id"].map(vol))
    committed = (st["v"] * (st["on_hand"] + st["inbound"])).groupby(st["warehouse_id"]).sum()
    inbound = (st["v"] * st["inbound"]).groupby(st["warehouse_id"]).sum()
    cap = p.warehouses.set_index("warehouse_id")["capacity_volume_m3"]
    if committed.sum() > cap.sum() + 1e-9:
        raise ValueError(
            f"committed stock (on hand + inbound) {committed.sum():.1f} m3 exceeds the "
            f"total capacity_volume_m3 {cap.sum():.1f} of all warehouses"
        )
    exits = set(p.transfer_lanes["origin_id"])
    for w, used in committed.items():
        if used > cap[w] + 1e-9 and (w not in exits or inbound.get(w, 0.0) > cap[w] + 1e-9):
            why = "its inbound alone does not fit" if w in exits else "no transfer lane leaves it"
            raise ValueError(
                f"warehouse {w}: committed stock {used:.1f} m3 (on hand + inbound) "
                f"exceeds capacity_volume_m3 {cap[w]:.1f} and {why}"
            )
    return p


def generate_deployment(
    n_items: int,
    n_warehouses: int,
    n_regions: int,
    seed: int = 0,
    horizon_days: float = 28.0,
    promise_days: float = 2.0,
    promise_share: float = 0.6,
) -> DeploymentProblem:
    """A seeded instance: warehouses and regions on a 3,000 x 2,000 km map; regional demand
    lognormal per item with Pareto-like item popularity and regional weights; stock deliberately
    misplaced (on hand drawn in proportion to a *shuffled* regional pattern) so that rebalancing
    matters; shipping 0.5 + 0.002/km per unit, transit 1 day per 600 km (+1); warehouse volumes
    at 1.3 x the committed stock on average; outbound capacity 1.4 x mean daily demand share."""
    rng = np.random.default_rng(seed)
    W = [f"W{k + 1:02d}" for k in range(n_warehouses)]
    R = [f"R{k + 1:02d}" for k in range(n_regions)]
    item_ids = [f"I{k + 1:05d}" for k in range(n_items)]
    wxy = rng.random((n_warehouses, 2)) * [3000, 2000]
    rxy = rng.random((n_regions, 2)) * [3000, 2000]
    dist = np.sqrt(((wxy[:, None] - rxy[None]) ** 2).sum(-1))
    ddist = np.sqrt(((wxy[:, None] - wxy[None]) ** 2).sum(-1))
    popularity = rng.pareto(1.5, n_items) + 0.2
    region_w = rng.dirichlet(np.ones(n_regions) * 2)
    mean = (
        popularity[:, None] * region_w[None, :] * rng.lognormal(0, 0.5, (n_items, n_regions)) * 40
    )
    mean = np.round(mean, 2)
    ii, rr = np.nonzero(mean > 0.05)
    m = mean[ii, rr]
    demand = pd.DataFrame(
        {
            "item_id": np.array(item_ids)[ii],
            "region_id": np.array(R)[rr],
            "mean": m,
            "p50": np.round(m * 0.95, 2),
            "p90": np.round(m * 1.5 + 1, 2),
        }
    )
    total = mean.sum(axis=1)
    share = rng.dirichlet(np.ones(n_warehouses), n_items)
    on_hand = np.floor(total[:, None] * 1.1 * share)
    inbound = np.floor(total[:, None] * 0.1 * rng.dirichlet(np.ones(n_warehouses), n_items))
    stock = pd.DataFrame(
        {
            "item_id": np.repeat(item_ids, n_warehouses),
            "warehouse_id": np.tile(W, n_items),
            "on_hand": on_hand.ravel(),
            "inbound": inbound.ravel(),
        }
    )
    vol = np.round(rng.uniform(0.001, 0.05, n_items), 4)
    price = np.round(rng.uniform(10, 200, n_items), 2)
    committed = ((on_hand + inbound) * vol[:, None]).sum()
    wcap = committed * 1.3 / n_warehouses * rng.uniform(0.7, 1.3, n_warehouses)
    out = mean.sum() / horizon_days * 1.4 / n_warehouses * rng.uniform(0.7, 1.3, n_warehouses)
    lanes = pd.DataFrame(
        {
            "warehouse_id": np.repeat(W, n_regions),
            "region_id": np.tile(R, n_warehouses),
            "transit_days": (1 + np.floor(dist / 600)).ravel(),
            "cost_per_unit": np.round(0.5 + 0.002 * dist, 3).ravel(),
        }
    )
    o, d = np.nonzero(~np.eye(n_warehouses, dtype=bool))
    transfer_lanes = pd.DataFrame(
        {
            "origin_id": np.array(W)[o],
            "destination_id": np.array(W)[d],
            "transit_days": 1 + np.floor(ddist[o, d] / 800),
            "cost_per_unit": np.round(0.2 + 0.001 * ddist[o, d], 3),
        }
    )
    return DeploymentProblem(
        items=pd.DataFrame(
            {"item_id": item_ids, "unit_volume_m3": vol, "lost_sale_cost": price * 0.3}
        ),
        warehouses=pd.DataFrame(
            {
                "warehouse_id": W,
                "capacity_volume_m3": np.round(wcap, 2),
                "outbound_units_per_day": np.round(out, 1),
            }
        ),
        regions=pd.DataFrame({"region_id": R}),
        demand=demand,
        stock=stock,
        lanes=lanes,
        transfer_lanes=transfer_lanes,
        horizon_days=horizon_days,
        promise_days=promise_days,
        promise_share=promise_share,
        delay_cost_per_unit_day=0.1,
        transfer_fixed_cost=20.0,
        transfer_min_qty=5.0,
    )
