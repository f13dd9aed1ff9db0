"""Why each proposed line exists and why it has its size.

For a line of SKU k arriving in period ``due``, the *projection without it* counts stock on
hand, open receipts and the arrivals of the SKU's earlier lines, minus cumulative demand:
``P_τ = I0 + Σ_{≤τ} R + Σ_{≤τ} earlier arrivals − Σ_{≤τ} d``. Its *need* is the largest
``SS_τ − P_τ`` over the periods it covers (from ``due`` until the SKU's next line arrives).

Reason columns of a line
------------------------
``stockout_date_prevented``  first day of the first period from ``due`` on with ``P_τ < 0``
                             (empty when the line only rebuilds safety stock)
``safety_stock``             target at the due period [units]
``service_level``            the service level behind that target (when given)
``shaped_by``                ``;``-separated rules that set the quantity:
                             ``case_pack`` (need rounded up to whole case packs), ``moq`` (raised to
                             the minimum order), ``max_order_size``, ``supplier_capacity``,
                             ``budget`` (the period's budget has no room for one more
                             case pack and the line is below its need), ``warehouse_volume`` (no
                             room for one more case pack when it arrives), ``order_ahead`` (covers later
                             periods to save purchase-order costs), ``joint_order`` (shares the
                             purchase order with other items)
``reason``                   one sentence with the above
"""

from __future__ import annotations

import numpy as np

from optimizer.replenishment.model import Component, ComponentSolution, spend, volume_use


def line_reasons(comp: Component, sol: ComponentSolution, *, budget, volume_cap, n_wh: int,
                 supplier_of: np.ndarray, capacity_of: np.ndarray, size_max_of: np.ndarray,
                 date_of, service_level: np.ndarray) -> list[dict]:
    """One dict per line with qty > 0 (keys: a, t plus the reason columns)."""
    T = comp.shape[1]
    out: list[dict] = []
    spent = spend(comp, sol)
    vol = volume_use(comp, sol, n_wh)
    a_idx, t_idx = np.nonzero(sol.qty > 0)
    due = t_idx + comp.lead[a_idx]
    sku = comp.src_sku[a_idx]
    po_size = {}
    for a, t in zip(a_idx, t_idx):
        key = (comp.src_group[a], t)
        po_size[key] = po_size.get(key, 0) + 1
    net = comp.receipts - comp.demand  # (K,T)
    order = np.lexsort((a_idx, due, sku))
    prev_sku, earlier = -1, None
    for pos, i in enumerate(order):
        a, t, k, d = a_idx[i], t_idx[i], sku[i], due[i]
        if k != prev_sku:
            earlier = np.zeros(T)
            prev_sku = k
        level = comp.on_hand[k]
        for tau in range(d):  # lost sales before the line arrives are gone
            level = max(level + net[k, tau] + earlier[tau], 0.0)
        proj = np.full(T, np.nan)
        proj[d:] = level + np.cumsum(net[k, d:] + earlier[d:])
        nxt = T
        if pos + 1 < len(order) and sku[order[pos + 1]] == k:
            nxt = max(due[order[pos + 1]], d + 1)
        qty = sol.qty[a, t]
        window = slice(d, nxt)
        need = float(np.max(comp.safety_stock[k, window] - proj[window], initial=0.0))
        need = max(need, 0.0)
        short = np.nonzero(proj[d:] < -1e-9)[0]
        stockout = date_of(d + int(short[0])) if len(short) else None
        rules = []
        mult, moq = int(comp.multiple[a]), float(comp.moq[a])
        g = int(comp.src_index[a])
        if qty <= moq + 1e-9 and need < moq - 1e-9 and moq > mult:
            rules.append("moq")
        elif need > 0 and qty > need + 1e-9 and qty - need < mult:
            rules.append("case_pack")
        if np.isfinite(size_max_of[g]) and qty >= size_max_of[g] - 1e-9:
            rules.append("max_order_size")
        if np.isfinite(capacity_of[g]) and qty >= capacity_of[g] - 1e-9:
            rules.append("supplier_capacity")
        # a binding budget / volume: not even one more case pack would fit
        if budget is not None and np.isfinite(budget[t]) and \
                spent[t] + comp.unit_cost[a] * mult > budget[t] + 1e-6 and qty < need + mult:
            rules.append("budget")
        w = comp.warehouse[k]
        if np.isfinite(volume_cap[w, d]) and vol[w, d] + comp.volume[k] * mult > volume_cap[w, d] + 1e-9:
            rules.append("warehouse_volume")
        if qty > need + max(mult, moq) - 1e-9 and "moq" not in rules:
            rules.append("order_ahead")
        if po_size.get((comp.src_group[a], t), 0) > 1:
            rules.append("joint_order")
        ss = float(comp.safety_stock[k, d])
        sl = service_level[k]
        text = (f"prevents a stock-out from {stockout}" if stockout else
                "keeps stock at the safety-stock target" if need > 0 else "orders ahead of later needs")
        text += f"; safety stock {ss:g}" + (f" for {sl:.0%} service" if np.isfinite(sl) else "")
        text += f"; need {need:g}, ordered {qty:g}"
        if rules:
            text += " (" + ", ".join(_RULE_TEXT[r](comp, a, t) for r in rules) + ")"
        out.append({"a": int(a), "t": int(t), "stockout_date_prevented": stockout,
                    "safety_stock": ss, "service_level": float(sl) if np.isfinite(sl) else None,
                    "shaped_by": ";".join(rules), "reason": text, "supplier": supplier_of[g]})
        earlier[d] += qty
    return out


_RULE_TEXT = {
    "moq": lambda c, a, t: f"raised to the MOQ {c.moq[a]:g}",
    "case_pack": lambda c, a, t: f"rounded up to case packs of {int(c.multiple[a])}",
    "max_order_size": lambda c, a, t: "capped at the maximum order size",
    "supplier_capacity": lambda c, a, t: "capped by the supplier's capacity",
    "budget": lambda c, a, t: "the period's budget is fully used",
    "warehouse_volume": lambda c, a, t: "the warehouse is full on arrival",
    "order_ahead": lambda c, a, t: "covers later periods to save purchase-order costs",
    "joint_order": lambda c, a, t: "shares a purchase order with other items",
}
