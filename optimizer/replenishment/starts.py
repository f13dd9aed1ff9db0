"""MIP starts for the purchase-order model: a greedy order-up-to plan, and an earlier plan
trimmed to a budget share. Both are complete column vectors checked against the model's rows
and bounds before HiGHS sees them."""

from __future__ import annotations

import numpy as np

from optimizer.replenishment.model import Component, Layout
from optimizer.solver import MatrixModel


def heuristic_start(comp: Component, lay: Layout, model: MatrixModel) -> np.ndarray | None:
    """A feasible starting plan: each SKU orders from its preferred source (priority, then
    cost) whenever its projected stock on arrival would fall below the safety stock, enough for
    the safety stock plus one period (at least the MOQ, whole case packs, within the upper
    bound). Falls back to ordering nothing when that plan breaks a budget or volume row;
    ``None`` if neither fits (e.g. a hard safety stock)."""
    K, T = lay.K, lay.T
    A_n = len(comp.src_sku)
    qty = np.zeros((A_n, T))
    best = -np.ones(K, dtype=int)
    if A_n:
        order = np.lexsort((comp.unit_cost + comp.tiebreak, comp.tiebreak))
        for a in order[::-1]:
            best[comp.src_sku[a]] = a
    arrivals = np.zeros((K, T))
    has = best >= 0
    ks = np.nonzero(has)[0]
    a_of = best[ks]
    for t in range(T):
        ok = comp.allowed[a_of, t]
        if not ok.any():
            continue
        k_ok, a_ok = ks[ok], a_of[ok]
        r = t + comp.lead[a_ok]
        # projected level at the end of period r with lost sales
        level = comp.on_hand[k_ok].copy()
        for tau in range(int(r.max()) + 1):
            act = tau <= r
            level = np.where(act, np.maximum(level + comp.receipts[k_ok, tau] + arrivals[k_ok, tau]
                                              - comp.demand[k_ok, tau], 0.0), level)
        nxt = np.minimum(r + 1, T - 1)
        target = comp.safety_stock[k_ok, r] + comp.demand[k_ok, nxt] * (r + 1 <= T - 1)
        need = target - level
        go = need > 1e-9
        if not go.any():
            continue
        mult = comp.multiple[a_ok]
        q = np.maximum(np.ceil(need / mult - 1e-9) * mult, comp.moq[a_ok])
        q = np.minimum(q, comp.upper[a_ok, t])
        q = np.where(go & (q >= comp.moq[a_ok] - 1e-9), q, 0.0)
        qty[a_ok, t] = q
        np.add.at(arrivals, (k_ok, r), q)
    for plan in (qty, np.zeros_like(qty)):
        x = _state(comp, lay, plan)
        act = model.A @ x
        if np.all(act >= model.row_lower - 1e-6) and np.all(act <= model.row_upper + 1e-6) and \
                np.all(x >= model.col_lower - 1e-9) and np.all(x <= model.col_upper + 1e-9):
            return x
    return None


def trimmed_start(comp: Component, lay: Layout, model: MatrixModel, qty: np.ndarray,
                  budget=None) -> np.ndarray | None:
    """An earlier plan ``qty`` (A,T) made feasible for ``model``: in each period over its
    ``budget`` the cheapest lines are dropped until it fits (dropping lines never breaks another
    rule: stock only falls, lost sales absorb the gap). ``None`` if it still does not fit."""
    qty = np.where(comp.allowed, qty, 0.0)
    if budget is not None:
        b = np.asarray(budget, dtype=float)
        for t in range(qty.shape[1]):
            if not np.isfinite(b[t]):
                continue
            value = qty[:, t] * comp.unit_cost
            for a in np.argsort(value):
                if value.sum() <= b[t] + 1e-6:
                    break
                if value[a] > 0:
                    qty[a, t] = 0.0
                    value[a] = 0.0
    x = _state(comp, lay, qty)
    act = model.A @ x
    ok = (np.all(act >= model.row_lower - 1e-6) and np.all(act <= model.row_upper + 1e-6)
          and np.all(x >= model.col_lower - 1e-9) and np.all(x <= model.col_upper + 1e-9))
    return x if ok else None


def _state(comp: Component, lay: Layout, qty: np.ndarray) -> np.ndarray:
    """The full column vector implied by order quantities ``qty`` (A,T)."""
    K, T = lay.K, lay.T
    nI = K * T
    x = np.zeros(lay.n_total)
    arrivals = np.zeros((K, T))
    a_idx, t_idx = np.nonzero(qty)
    np.add.at(arrivals, (comp.src_sku[a_idx], t_idx + comp.lead[a_idx]), qty[a_idx, t_idx])
    level = comp.on_hand.astype(float).copy()
    inv, lost = np.zeros((K, T)), np.zeros((K, T))
    for t in range(T):
        level = level + comp.receipts[:, t] + arrivals[:, t] - comp.demand[:, t]
        lost[:, t] = np.maximum(-level, 0.0)
        level = np.maximum(level, 0.0)
        inv[:, t] = level
    x[:nI] = inv.ravel()
    x[nI:2 * nI] = lost.ravel()
    x[2 * nI:3 * nI] = np.maximum(comp.safety_stock - inv, 0.0).ravel()
    m = lay.n_cols >= 0
    x[lay.n_cols[m]] = (qty / comp.multiple[:, None])[m]
    ym = lay.y_cols >= 0
    x[lay.y_cols[ym]] = (qty > 0)[ym]
    for g in range(lay.z_cols.shape[0]):
        zm = lay.z_cols[g] >= 0
        placed = (qty[comp.src_group == g] > 0).any(axis=0)
        x[lay.z_cols[g][zm]] = placed[zm]
    e0 = lay.n_total - K
    x[e0:] = np.minimum(inv[:, -1], comp.end_cover)
    return x
