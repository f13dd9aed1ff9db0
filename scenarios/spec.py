"""What-if scenarios: a small YAML/JSON document of overrides on a base data set.

Document (every section optional; ``name`` required)::

    name: double11_east_x3
    description: Double 11 demand x3 in the East region
    demand:                      # demand x factor for some items / locations / dates
      - factor: 3.0              # >= 0 (0 = no demand)
        start: 2020-11-09
        end: 2020-11-11
        locations: [EAST]        # any location ids; a region covers its stores (parent_id)
        items: [OJ01, OJ02]      # default: every item
        categories: [juice-premium]
    suppliers:
      - supplier: S1
        lead_time_add_days: 7    # added to every sourcing row of S1 (result must stay >= 0)
        capacity_factor: 0.5     # x capacity_per_week
        items: [OJ01]            # default: every item S1 supplies
    warehouses:
      - warehouse: W2
        closed_start: 2020-10-02 # closed (no shipping, no receiving) from .. to, inclusive
        closed_end: 2020-10-15
        capacity_factor: 0.8     # x capacity_volume_m3 and outbound_units_per_day
    presale:
      share: 0.5                 # share of demand sold by presale (deposits) before ordering
      items: [NEW01]             # default: every item
    service_level:
      default: 0.95              # target cycle service level / quantile, in (0, 1)
      items: {OJ01: 0.98}
    budget:
      per_week: 250000           # purchase budget per week (currency), > 0

Validation happens in two steps, both before anything runs, and each collects every problem
before raising :class:`SpecError` (a ``ValueError``): :func:`parse_spec` checks the document
itself (unknown keys, types, factor < 0, shares outside [0, 1], end before start) and
:func:`validate_against` checks it against the data (unknown item, category, location,
supplier or warehouse; dates outside the data — before the first sales date or more than
:data:`PLANNING_REACH_DAYS` after the last).

What :func:`apply` changes in :class:`~scenarios.datasets.planning_data.PlanningData`:

* demand — ``sales.qty`` in scope and window × factor (the history a replay sees); future
  dates are not in the data: :func:`adjust_forecast` applies the same factor to forecasts;
* suppliers — ``itemsuppliers.lead_time_days`` + days, ``capacity_per_week`` × factor;
* warehouses — an ``events`` row of kind ``closure`` per closed window, and
  ``capacity_volume_m3`` / ``outbound_units_per_day`` × factor;
* presale share, service levels and budget are not data: the planning run reads them from the
  spec (:func:`adjust_forecast` turns the presale share into narrower forecast quantiles).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.datasets.planning_data import PlanningData

#: How far past the last sales date a scenario may reach (the planning horizon's limit).
PLANNING_REACH_DAYS = 365


class SpecError(ValueError):
    """A scenario document is invalid; ``problems`` lists every one."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"scenario {source}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class DemandOverride:
    factor: float
    start: pd.Timestamp
    end: pd.Timestamp
    locations: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupplierOverride:
    supplier_id: str
    lead_time_add_days: float = 0.0
    capacity_factor: float = 1.0
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class WarehouseOverride:
    warehouse_id: str
    closed_start: pd.Timestamp | None = None
    closed_end: pd.Timestamp | None = None
    capacity_factor: float = 1.0


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    description: str = ""
    demand: tuple[DemandOverride, ...] = ()
    suppliers: tuple[SupplierOverride, ...] = ()
    warehouses: tuple[WarehouseOverride, ...] = ()
    presale_share: float | None = None
    presale_items: tuple[str, ...] = ()
    service_level_default: float | None = None
    service_level_items: dict[str, float] = field(default_factory=dict)
    budget_per_week: float | None = None

    def service_level(self, item_id: str, base: float) -> float:
        """Target service level of an item: item override, else default, else ``base``."""
        return self.service_level_items.get(item_id, self.service_level_default or base)

    def to_dict(self) -> dict:
        def d(x):
            return None if x is None else pd.Timestamp(x).strftime("%Y-%m-%d")
        out: dict = {"name": self.name, "description": self.description}
        if self.demand:
            out["demand"] = [{"factor": o.factor, "start": d(o.start), "end": d(o.end),
                              "locations": list(o.locations), "items": list(o.items),
                              "categories": list(o.categories)} for o in self.demand]
        if self.suppliers:
            out["suppliers"] = [{"supplier": o.supplier_id, "lead_time_add_days": o.lead_time_add_days,
                                 "capacity_factor": o.capacity_factor, "items": list(o.items)}
                                for o in self.suppliers]
        if self.warehouses:
            out["warehouses"] = [{"warehouse": o.warehouse_id, "closed_start": d(o.closed_start),
                                  "closed_end": d(o.closed_end), "capacity_factor": o.capacity_factor}
                                 for o in self.warehouses]
        if self.presale_share is not None:
            out["presale"] = {"share": self.presale_share, "items": list(self.presale_items)}
        if self.service_level_default is not None or self.service_level_items:
            out["service_level"] = {"default": self.service_level_default, "items": dict(self.service_level_items)}
        if self.budget_per_week is not None:
            out["budget"] = {"per_week": self.budget_per_week}
        return out


BASELINE = ScenarioSpec(name="baseline", description="no overrides")

_SECTIONS = {"name", "description", "demand", "suppliers", "warehouses", "presale", "service_level", "budget"}
_KEYS = {
    "demand": {"factor", "start", "end", "locations", "items", "categories"},
    "suppliers": {"supplier", "lead_time_add_days", "capacity_factor", "items"},
    "warehouses": {"warehouse", "closed_start", "closed_end", "capacity_factor"},
    "presale": {"share", "items"},
    "service_level": {"default", "items"},
    "budget": {"per_week"},
}


class _Reader:
    """Collects problems while reading fields of the document."""

    def __init__(self):
        self.problems: list[str] = []

    def number(self, obj: dict, key: str, where: str, default=None, lo=None, hi=None,
               lo_open=False, required=False):
        if key not in obj or obj[key] is None:
            if required:
                self.problems.append(f"{where}.{key}: required")
            return default
        v = obj[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
            self.problems.append(f"{where}.{key}: must be a number (got {v!r})")
            return default
        if lo is not None and (v <= lo if lo_open else v < lo):
            self.problems.append(f"{where}.{key}: must be {'>' if lo_open else '>='} {lo:g} (got {v!r})")
        if hi is not None and v > hi:
            self.problems.append(f"{where}.{key}: must be <= {hi:g} (got {v!r})")
        return float(v)

    def date(self, obj: dict, key: str, where: str, required=True):
        if key not in obj or obj[key] is None:
            if required:
                self.problems.append(f"{where}.{key}: required (a date YYYY-MM-DD)")
            return None
        try:
            return pd.Timestamp(str(obj[key])).normalize()
        except (ValueError, TypeError):
            self.problems.append(f"{where}.{key}: not a date YYYY-MM-DD (got {obj[key]!r})")
            return None

    def ids(self, obj: dict, key: str, where: str) -> tuple[str, ...]:
        v = obj.get(key) or []
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, (str, int)) for x in v):
            self.problems.append(f"{where}.{key}: must be a list of ids (got {v!r})")
            return ()
        return tuple(str(x) for x in v)

    def keys(self, obj, allowed: set[str], where: str) -> bool:
        if not isinstance(obj, dict):
            self.problems.append(f"{where}: must be a mapping (got {type(obj).__name__})")
            return False
        extra = sorted(set(obj) - allowed)
        if extra:
            self.problems.append(f"{where}: unknown key(s) {extra}; allowed: {sorted(allowed)}")
        return True

    def window(self, start, end, where: str, a="start", b="end"):
        if start is not None and end is not None and end < start:
            self.problems.append(f"{where}: {b} {end.date()} is before {a} {start.date()}")


def parse_spec(doc: dict, source: str = "<document>") -> ScenarioSpec:
    """Check the document's structure and values; return the spec or raise :class:`SpecError`."""
    r = _Reader()
    if not r.keys(doc, _SECTIONS, "document"):
        raise SpecError(source, r.problems)
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        r.problems.append("name: required, a non-empty text")
    lists = {}
    for section in ("demand", "suppliers", "warehouses"):
        v = doc.get(section) or []
        if not isinstance(v, list):
            r.problems.append(f"{section}: must be a list of overrides")
            v = []
        lists[section] = v
    demand = []
    for k, o in enumerate(lists["demand"]):
        w = f"demand[{k}]"
        if not r.keys(o, _KEYS["demand"], w):
            continue
        start, end = r.date(o, "start", w), r.date(o, "end", w)
        r.window(start, end, w)
        demand.append(DemandOverride(r.number(o, "factor", w, 1.0, lo=0, required=True), start, end,
                                     r.ids(o, "locations", w), r.ids(o, "items", w), r.ids(o, "categories", w)))
    suppliers = []
    for k, o in enumerate(lists["suppliers"]):
        w = f"suppliers[{k}]"
        if not r.keys(o, _KEYS["suppliers"], w):
            continue
        if not o.get("supplier"):
            r.problems.append(f"{w}.supplier: required")
        suppliers.append(SupplierOverride(str(o.get("supplier", "")),
                                          r.number(o, "lead_time_add_days", w, 0.0),
                                          r.number(o, "capacity_factor", w, 1.0, lo=0),
                                          r.ids(o, "items", w)))
    warehouses = []
    for k, o in enumerate(lists["warehouses"]):
        w = f"warehouses[{k}]"
        if not r.keys(o, _KEYS["warehouses"], w):
            continue
        if not o.get("warehouse"):
            r.problems.append(f"{w}.warehouse: required")
        cs, ce = r.date(o, "closed_start", w, required=False), r.date(o, "closed_end", w, required=False)
        if (cs is None) != (ce is None):
            r.problems.append(f"{w}: closed_start and closed_end go together")
        r.window(cs, ce, w, "closed_start", "closed_end")
        warehouses.append(WarehouseOverride(str(o.get("warehouse", "")), cs, ce,
                                            r.number(o, "capacity_factor", w, 1.0, lo=0)))
    presale = doc.get("presale") or {}
    share, presale_items = None, ()
    if r.keys(presale, _KEYS["presale"], "presale") and presale:
        share = r.number(presale, "share", "presale", None, lo=0, hi=1, required=True)
        presale_items = r.ids(presale, "items", "presale")
    sl = doc.get("service_level") or {}
    sl_default, sl_items = None, {}
    if r.keys(sl, _KEYS["service_level"], "service_level") and sl:
        sl_default = r.number(sl, "default", "service_level", None, lo=0, hi=0.9999, lo_open=True)
        items = sl.get("items") or {}
        if not isinstance(items, dict):
            r.problems.append("service_level.items: must map item ids to levels")
            items = {}
        for item in items:
            v = r.number(items, item, "service_level.items", None, lo=0, hi=0.9999, lo_open=True, required=True)
            if v is not None:
                sl_items[str(item)] = v
    budget = doc.get("budget") or {}
    per_week = None
    if r.keys(budget, _KEYS["budget"], "budget") and budget:
        per_week = r.number(budget, "per_week", "budget", None, lo=0, lo_open=True, required=True)
    if r.problems:
        raise SpecError(source, r.problems)
    return ScenarioSpec(name=name.strip(), description=str(doc.get("description") or ""),
                        demand=tuple(demand), suppliers=tuple(suppliers), warehouses=tuple(warehouses),
                        presale_share=share, presale_items=presale_items,
                        service_level_default=sl_default, service_level_items=sl_items,
                        budget_per_week=per_week)


def load_spec(path: str | Path) -> ScenarioSpec:
    """Read a ``.yaml`` / ``.yml`` / ``.json`` scenario file and :func:`parse_spec` it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such scenario file")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            doc = json.loads(text)
        elif path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            doc = yaml.safe_load(text)
        else:
            raise SpecError(path.name, ["file must end in .yaml, .yml or .json"])
    except (json.JSONDecodeError, ValueError) as exc:
        if isinstance(exc, SpecError):
            raise
        raise SpecError(path.name, [f"not valid JSON/YAML: {exc}"]) from None
    except Exception as exc:  # yaml.YAMLError has no common base with ValueError
        raise SpecError(path.name, [f"not valid YAML: {exc}"]) from None
    return parse_spec(doc if doc is not None else {}, path.name)


# ------------------------------------------------------------------------ against the data
def descendants(data: PlanningData, roots: tuple[str, ...] | list[str]) -> set[str]:
    """The given locations and every location below them (``parent_id`` hierarchy)."""
    children: dict[str, list[str]] = {}
    for loc, parent in zip(data.locations["location_id"], data.locations["parent_id"]):
        if isinstance(parent, str):
            children.setdefault(parent, []).append(loc)
    out, stack = set(), list(roots)
    while stack:
        loc = stack.pop()
        if loc not in out:
            out.add(loc)
            stack.extend(children.get(loc, []))
    return out


def data_window(data: PlanningData) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates a scenario may touch: first sales date .. last + PLANNING_REACH_DAYS."""
    if data.sales.empty:
        raise SpecError("data", ["the data has no sales history to apply a scenario to"])
    return data.sales["date"].min(), data.sales["date"].max() + pd.Timedelta(days=PLANNING_REACH_DAYS)


def validate_against(spec: ScenarioSpec, data: PlanningData) -> None:
    """Every id the spec names exists in the data and every date lies within
    :func:`data_window`; raise :class:`SpecError` listing all problems otherwise."""
    problems: list[str] = []
    items = set(data.items["item_id"])
    cats = set(data.items["category"].dropna())
    locs = set(data.locations["location_id"])
    sups = set(data.suppliers["supplier_id"]) | set(data.itemsuppliers["supplier_id"])
    whs = set(data.warehouses()["location_id"])
    first, last = data_window(data)

    def check_ids(ids, known, what, where):
        for x in ids:
            if x not in known:
                problems.append(f"{where}: unknown {what} {x!r}")

    def check_dates(where, *dates):
        for d in dates:
            if d is not None and not first <= d <= last:
                problems.append(f"{where}: date {d.date()} outside the data ({first.date()} .. "
                                f"{last.date()}: the sales history plus {PLANNING_REACH_DAYS} days)")

    for k, o in enumerate(spec.demand):
        w = f"demand[{k}]"
        check_ids(o.items, items, "item", w)
        check_ids(o.locations, locs, "location", w)
        check_ids(o.categories, cats, "category", w)
        check_dates(w, o.start, o.end)
    for k, o in enumerate(spec.suppliers):
        w = f"suppliers[{k}]"
        check_ids([o.supplier_id], sups, "supplier", w)
        check_ids(o.items, items, "item", w)
        rows = data.itemsuppliers[data.itemsuppliers["supplier_id"] == o.supplier_id]
        if o.items:
            rows = rows[rows["item_id"].isin(o.items)]
        if o.supplier_id in sups and rows.empty:
            problems.append(f"{w}: supplier {o.supplier_id!r} supplies none of the items named")
        if not rows.empty and (rows["lead_time_days"] + o.lead_time_add_days < 0).any():
            problems.append(f"{w}.lead_time_add_days: lead time of supplier {o.supplier_id!r} would drop below 0")
    for k, o in enumerate(spec.warehouses):
        w = f"warehouses[{k}]"
        if o.warehouse_id not in whs:
            what = "location is not a warehouse" if o.warehouse_id in locs else "unknown warehouse"
            problems.append(f"{w}: {what} {o.warehouse_id!r}")
        check_dates(w, o.closed_start, o.closed_end)
    check_ids(spec.presale_items, items, "item", "presale")
    check_ids(spec.service_level_items, items, "item", "service_level.items")
    if problems:
        raise SpecError(spec.name, problems)


def _demand_mask(o: DemandOverride, data: PlanningData, frame: pd.DataFrame) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    if o.items:
        mask &= frame["item_id"].isin(o.items)
    if o.categories:
        cat_items = data.items.loc[data.items["category"].isin(o.categories), "item_id"]
        mask &= frame["item_id"].isin(cat_items)
    if o.locations:
        mask &= frame["location_id"].isin(descendants(data, o.locations))
    return mask


def apply(spec: ScenarioSpec, data: PlanningData) -> PlanningData:
    """The data with the spec's overrides (validated first; the input is not modified)."""
    validate_against(spec, data)
    changes: dict[str, pd.DataFrame] = {}
    if spec.demand:
        sales = data.sales.copy()
        for o in spec.demand:
            m = _demand_mask(o, data, sales) & (sales["date"] >= o.start) & (sales["date"] <= o.end)
            sales.loc[m, "qty"] = sales.loc[m, "qty"] * o.factor
        changes["sales"] = sales
    if spec.suppliers:
        sup = data.itemsuppliers.copy()
        for o in spec.suppliers:
            m = sup["supplier_id"] == o.supplier_id
            if o.items:
                m &= sup["item_id"].isin(o.items)
            sup.loc[m, "lead_time_days"] = sup.loc[m, "lead_time_days"] + o.lead_time_add_days
            sup.loc[m, "capacity_per_week"] = sup.loc[m, "capacity_per_week"] * o.capacity_factor
        changes["itemsuppliers"] = sup
    if spec.warehouses:
        locs = data.locations.copy()
        events = [data.events]
        for k, o in enumerate(spec.warehouses):
            m = locs["location_id"] == o.warehouse_id
            for col in ("capacity_volume_m3", "outbound_units_per_day"):
                locs.loc[m, col] = locs.loc[m, col] * o.capacity_factor
            if o.closed_start is not None:
                events.append(pd.DataFrame([{
                    "event_id": f"scenario-{spec.name}-closure-{k + 1}",
                    "name": f"{o.warehouse_id} closed (scenario {spec.name})", "kind": "closure",
                    "start_date": o.closed_start, "end_date": o.closed_end, "item_id": np.nan,
                    "location_id": o.warehouse_id, "demand_factor": np.nan}]))
        changes["locations"] = locs
        changes["events"] = pd.concat([e for e in events if not e.empty], ignore_index=True)[data.events.columns] \
            if len(events) > 1 else data.events
    return data.replace(**changes)


def adjust_forecast(spec: ScenarioSpec, forecasts: pd.DataFrame, data: PlanningData,
                    bucket_days: int = 7) -> pd.DataFrame:
    """Apply the spec's demand factors and presale share to a forecast frame (``item_id,
    location_id, date, mean`` + ``pXX`` columns; ``date`` starts a bucket of ``bucket_days``).

    * A demand factor ``f`` covering ``k`` of a bucket's days scales the bucket by
      ``1 + (f − 1)·k/bucket_days`` (mean and every quantile).
    * Presale share ``s``: that share of demand is committed by deposits before ordering, so
      only the rest is uncertain: ``q' = mean + (1 − s)·(q − mean)`` for every quantile ``q``.
    """
    out = forecasts.copy()
    out["date"] = pd.to_datetime(out["date"])
    value_cols = [c for c in out.columns if c == "mean" or (c.startswith("p") and c[1:].replace(".", "").isdigit())]
    for o in spec.demand:
        m = _demand_mask(o, data, out)
        start = out["date"]
        end = start + pd.Timedelta(days=bucket_days - 1)
        lo = np.maximum(start.values.astype("datetime64[D]"), np.datetime64(o.start.date()))
        hi = np.minimum(end.values.astype("datetime64[D]"), np.datetime64(o.end.date()))
        overlap = np.clip((hi - lo).astype(int) + 1, 0, bucket_days)
        scale = 1.0 + (o.factor - 1.0) * overlap / bucket_days
        scale = np.where(m.to_numpy(), scale, 1.0)
        for c in value_cols:
            out[c] = out[c] * scale
    if spec.presale_share is not None and "mean" in out.columns:
        m = out["item_id"].isin(spec.presale_items) if spec.presale_items else pd.Series(True, index=out.index)
        s = spec.presale_share
        for c in value_cols:
            if c != "mean":
                out.loc[m, c] = (out.loc[m, "mean"] + (1 - s) * (out.loc[m, c] - out.loc[m, "mean"])).clip(lower=0)
    return out
