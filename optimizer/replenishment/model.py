"""The multi-period purchase-order MILP, built in matrix form for one component.

Sets
----
``k ∈ K`` SKUs (item × warehouse), ``t ∈ 0..T−1`` periods, ``a ∈ A`` sources (SKU × supplier
sourcing rows), ``g ∈ G`` purchase-order groups (supplier × warehouse), ``w`` warehouses,
``κ`` shared-capacity keys.

Parameters (units)
------------------
``d_kt`` mean demand, ``SS_kt`` safety-stock target, ``R_kt`` open receipts, ``I0_k`` on hand
[units]; ``h_k`` holding [currency/(unit·period)], ``p_k`` lost-sale cost [currency/unit],
``π_k`` safety-stock shortfall penalty [currency/(unit·period)], ``vol_k`` [m³/unit];
``c_a`` unit cost, ``L_a`` lead time [periods], ``m_a`` case pack, ``MOQ_a`` minimum order rounded
up to the case pack, ``U_at`` largest useful order [units] = min(size_maximum, capacity, demand
after arrival + peak safety stock rounded up to the case pack, but at least MOQ);
``ε_a`` priority tie-break; ``e_k`` value of a unit left at the end of the horizon (the
cheapest unit cost of the SKU) for up to ``E_k`` units (the last safety stock plus the demand
of the longest lead time + 1 period after the horizon): without it the model would let stock
run down at the horizon's end (the truncation effect), without the cap an MOQ would look free; ``K_g`` cost per purchase order; ``B_t`` budget [currency];
``V_wt`` warehouse volume [m³]; ``allowed_at`` the source is effective, the supplier is not on
holiday and the order arrives inside the horizon.

Variables
---------
``n_at ∈ ℤ≥0`` case packs ordered (quantity ``x_at = m_a·n_at``), only where allowed;
``y_at ∈ {0,1}`` line placed (only for sources whose MOQ exceeds one case pack);
``z_gt ∈ {0,1}`` purchase order placed (only for groups with K_g > 0);
``I_kt ≥ 0`` end-of-period stock, ``u_kt ∈ [0, d_kt]`` lost demand, ``v_kt ≥ 0`` shortfall
below the safety stock (``v ≤ 0`` from the first possible arrival in ``hard`` mode).

Objective (min)
---------------
``Σ (c_a(1 + λ_t) + ε_a)·x_at + Σ (h_k + μ_wt·vol_k)·I_kt + Σ p_k u_kt + Σ π_k v_kt + Σ K_g z_gt
− Σ e_k q_k`` with ``0 ≤ q_k ≤ min(I_k,T−1, E_k)``
— ``λ``, ``μ`` are the budget and volume prices of the decomposition (0 in a monolithic solve).

Constraints (row names in parentheses)
--------------------------------------
* balance ``I_kt = I_k,t−1 + R_kt + Σ_a x_a,t−L_a − d_kt + u_kt`` (I_k,−1 = I0_k)
* safety stock ``I_kt + v_kt ≥ SS_kt``
* MOQ ``MOQ_a·y_at ≤ x_at ≤ U_at·y_at``; purchase order ``y_at ≤ z_gt`` (or ``x_at ≤ U_at z_gt``)
* shared capacity ``Σ_{a∈κ} x_at ≤ cap_κ``; single-source capacity and size_maximum are bounds
* budget ``Σ_a c_a x_at ≤ B_t`` and volume ``Σ_k vol_k I_kt ≤ V_wt`` — in the monolithic model;
  in a component only the share allotted to it.

References: lot sizing with setups and MOQs follows Pochet & Wolsey, *Production Planning by
Mixed Integer Programming* (Springer 2006), ch. 4 & 12 (the "LS-C/B" constraints); joint
replenishment: Silver, Pyke & Thomas 4th ed. §10.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from optimizer.solver import MatrixModel


@dataclass
class Component:
    """The arrays of a set of SKUs planned together (see the module docstring for symbols)."""

    cid: int
    sku_index: np.ndarray        # (K,) global SKU indices
    demand: np.ndarray           # (K,T)
    safety_stock: np.ndarray     # (K,T)
    receipts: np.ndarray         # (K,T)
    on_hand: np.ndarray          # (K,)
    holding: np.ndarray          # (K,)
    shortage: np.ndarray         # (K,)
    ss_penalty: np.ndarray       # (K,)
    volume: np.ndarray           # (K,)
    warehouse: np.ndarray        # (K,) global warehouse index
    ss_hard_from: np.ndarray     # (K,) first period the safety stock is hard (T = never)
    end_value: np.ndarray        # (K,) value of a unit of stock left at the horizon's end
    end_cover: np.ndarray        # (K,) units of end stock that are valued (the rest is worth 0)
    src_index: np.ndarray        # (A,) global source indices
    src_sku: np.ndarray          # (A,) local SKU
    src_group: np.ndarray        # (A,) local PO group
    unit_cost: np.ndarray        # (A,)
    lead: np.ndarray             # (A,) int
    multiple: np.ndarray         # (A,) int
    moq: np.ndarray              # (A,) units, rounded to the case pack
    upper: np.ndarray            # (A,T) units
    tiebreak: np.ndarray         # (A,)
    allowed: np.ndarray          # (A,T) bool
    cap_key: np.ndarray          # (A,) local key, -1 = none shared
    cap_value: np.ndarray        # (n_keys,) units per period
    group_cost: np.ndarray       # (G,)
    group_label: tuple           # (G,) (supplier_id, location_id)

    @property
    def shape(self) -> tuple[int, int]:
        return self.demand.shape


@dataclass(frozen=True)
class Layout:
    """Where each variable family sits in the column vector."""

    K: int
    T: int
    n_cols: np.ndarray   # (A,T) column of n_at or -1
    y_cols: np.ndarray   # (A,T) column of y_at or -1
    z_cols: np.ndarray   # (G,T) column of z_gt or -1
    n_total: int

    def stock_col(self, k, t):
        """Column of I_kt (u_kt is ``K·T`` further, v_kt ``2·K·T``)."""
        return k * self.T + t


class _Rows:
    """Accumulates sparse rows (COO) with bounds and names."""

    def __init__(self):
        self.r, self.c, self.v, self.lo, self.hi, self.names = [], [], [], [], [], []
        self.n = 0

    def add(self, rows, cols, vals, lo, hi, names):
        """``rows`` are 0-based within this batch; lo/hi scalars or one per new row."""
        rows = np.asarray(rows)
        m = int(rows.max()) + 1 if rows.size else 0
        self.r.append(rows + self.n)
        self.c.append(np.asarray(cols))
        self.v.append(np.asarray(vals, dtype=float))
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (m,)).copy())
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (m,)).copy())
        self.names.extend(names)
        self.n += m

    def matrix(self, n_cols):
        if not self.r:
            return sp.csr_matrix((0, n_cols)), np.zeros(0), np.zeros(0)
        A = sp.coo_matrix((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
                          shape=(self.n, n_cols)).tocsr()
        return A, np.concatenate(self.lo), np.concatenate(self.hi)


def build(comp: Component, *, budget_price=None, volume_price=None, budget=None, volume_cap=None,
          warehouses=None, hard_safety_stock=False, elastic=False, name="replenishment",
          moq_cuts: bool = True):
    """The component's MILP as a :class:`MatrixModel` plus its :class:`Layout`.

    ``budget_price`` (T,) and ``volume_price`` (n_warehouses, T) are the decomposition prices;
    ``budget`` (T,) and ``volume_cap`` (n_warehouses, T) add hard rows (NaN/inf = none);
    ``elastic`` keeps every rule hard except the safety stock, whose shortfall costs 1 per
    unit (used to explain an infeasible ``hard`` model). ``moq_cuts`` adds the valid
    inequalities ``I_kl ≥ (MOQ_a − D_k(t+L_a..l))·y_at`` (see the comment in the code)."""
    K, T = comp.shape
    A_n, G = len(comp.src_sku), len(comp.group_cost)
    nI = K * T
    col = 3 * nI
    allowed = comp.allowed
    n_cols = np.full((A_n, T), -1, dtype=np.int64)
    n_count = int(allowed.sum())
    n_cols[allowed] = np.arange(col, col + n_count)
    col += n_count
    needs_y = (comp.moq > comp.multiple)[:, None] & allowed
    y_cols = np.full((A_n, T), -1, dtype=np.int64)
    y_count = int(needs_y.sum())
    y_cols[needs_y] = np.arange(col, col + y_count)
    col += y_count
    group_allowed = np.zeros((G, T), dtype=bool)
    for g in range(G):
        group_allowed[g] = allowed[comp.src_group == g].any(axis=0) if comp.group_cost[g] > 0 else False
    z_cols = np.full((G, T), -1, dtype=np.int64)
    z_count = int(group_allowed.sum())
    z_cols[group_allowed] = np.arange(col, col + z_count)
    col += z_count
    e_col0 = col
    col += K
    n_total = col
    lay = Layout(K, T, n_cols, y_cols, z_cols, n_total)

    # ----- columns: cost, bounds, integrality
    c = np.zeros(n_total)
    lo = np.zeros(n_total)
    hi = np.full(n_total, np.inf)
    integ = np.zeros(n_total, dtype=np.int32)
    hold = np.repeat(comp.holding, T).reshape(K, T).copy()
    if volume_price is not None:
        hold += comp.volume[:, None] * volume_price[comp.warehouse]
    c[:nI] = hold.ravel()
    c[e_col0:e_col0 + K] = -comp.end_value
    hi[e_col0:e_col0 + K] = comp.end_cover
    c[nI:2 * nI] = np.repeat(comp.shortage, T)
    hi[nI:2 * nI] = comp.demand.ravel()
    c[2 * nI:3 * nI] = np.repeat(comp.ss_penalty, T)
    hi[2 * nI:3 * nI] = comp.safety_stock.ravel()
    if hard_safety_stock or elastic:
        hard = np.arange(T)[None, :] >= comp.ss_hard_from[:, None]
        vhi = hi[2 * nI:3 * nI].reshape(K, T)
        if elastic:
            c[:3 * nI] = 0.0
            c[2 * nI:3 * nI] = np.where(hard, 1.0, 0.0).ravel()
        else:
            vhi[hard] = 0.0
            hi[2 * nI:3 * nI] = vhi.ravel()
    a_idx, t_idx = np.nonzero(allowed)
    ncol = n_cols[a_idx, t_idx]
    price = 1.0 + (budget_price[t_idx] if budget_price is not None else 0.0)
    if not elastic:
        c[ncol] = comp.multiple[a_idx] * (comp.unit_cost[a_idx] * price + comp.tiebreak[a_idx])
    hi[ncol] = np.floor(comp.upper[a_idx, t_idx] / comp.multiple[a_idx] + 1e-9)
    integ[ncol] = 1
    ya, yt = np.nonzero(needs_y)
    hi[y_cols[ya, yt]] = 1
    integ[y_cols[ya, yt]] = 1
    zg, zt = np.nonzero(group_allowed)
    hi[z_cols[zg, zt]] = 1
    integ[z_cols[zg, zt]] = 1
    if not elastic:
        c[z_cols[zg, zt]] = comp.group_cost[zg]

    rows = _Rows()
    # ----- balance: I_kt - I_k,t-1 - u_kt - sum_a m_a n_a,t-L = R_kt - d_kt (+ I0 at t=0)
    kk, tt = np.meshgrid(np.arange(K), np.arange(T), indexing="ij")
    kk, tt = kk.ravel(), tt.ravel()
    bal = kk * T + tt
    r_parts, c_parts, v_parts = [bal, bal], [bal, nI + bal], [np.ones(nI), -np.ones(nI)]
    prev = tt > 0
    r_parts.append(bal[prev])
    c_parts.append(bal[prev] - 1)
    v_parts.append(-np.ones(int(prev.sum())))
    arrive = t_idx + comp.lead[a_idx]
    k_of = comp.src_sku[a_idx]
    r_parts.append(k_of * T + arrive)
    c_parts.append(ncol)
    v_parts.append(-comp.multiple[a_idx].astype(float))
    rhs = (comp.receipts - comp.demand).ravel().copy()
    rhs[tt == 0] += comp.on_hand
    rows.add(np.concatenate(r_parts), np.concatenate(c_parts), np.concatenate(v_parts), rhs, rhs,
             [f"balance[{k},{t}]" for k, t in zip(kk, tt)] if elastic else [])
    # ----- valued end stock: e_k <= I_k,T-1
    rows.add(np.concatenate([np.arange(K), np.arange(K)]),
             np.concatenate([e_col0 + np.arange(K), np.arange(K) * T + T - 1]),
             np.concatenate([np.ones(K), -np.ones(K)]), -np.inf, np.zeros(K), [])
    # ----- safety stock: I + v >= SS (only where SS > 0)
    pos = comp.safety_stock.ravel() > 0
    idx = np.nonzero(pos)[0]
    if len(idx):
        m = len(idx)
        rows.add(np.concatenate([np.arange(m), np.arange(m)]), np.concatenate([idx, 2 * nI + idx]),
                 np.ones(2 * m), comp.safety_stock.ravel()[idx], np.inf,
                 [f"safety_stock[{i // T},{i % T}]" for i in idx] if elastic else [])
    # ----- MOQ and PO links
    if len(ya):
        m = len(ya)
        xcol, ycol = n_cols[ya, yt], y_cols[ya, yt]
        mult = comp.multiple[ya].astype(float)
        rr = np.arange(m)
        rows.add(np.concatenate([rr, rr]), np.concatenate([xcol, ycol]),
                 np.concatenate([mult, -comp.moq[ya]]), np.zeros(m), np.inf, [])
        rows.add(np.concatenate([rr, rr]), np.concatenate([xcol, ycol]),
                 np.concatenate([mult, -comp.upper[ya, yt]]), -np.inf, np.zeros(m), [])
    grp_a = comp.src_group[a_idx]
    linked = group_allowed[grp_a, t_idx]
    if linked.any():
        la, lt = a_idx[linked], t_idx[linked]
        zc = z_cols[comp.src_group[la], lt]
        has_y = y_cols[la, lt] >= 0
        m = len(la)
        rr = np.arange(m)
        first = np.where(has_y, y_cols[la, lt], n_cols[la, lt])
        coef = np.where(has_y, 1.0, comp.multiple[la].astype(float))
        zcoef = np.where(has_y, -1.0, -comp.upper[la, lt])
        rows.add(np.concatenate([rr, rr]), np.concatenate([first, zc]), np.concatenate([coef, zcoef]),
                 -np.inf, np.zeros(m), [])
    # ----- MOQ cover cuts: I_kl ≥ (MOQ_a − D_k(r..l))·y_at for l ≥ r = t + L_a while
    #       D_k(r..l) < MOQ_a: a line placed brings at least the MOQ, and whatever demand until l
    #       does not use is still in stock at l (valid as I_l ≥ x_at − D(r..l) and x_at ≥ MOQ·y_at;
    #       stronger than both for fractional y). They close most of the LP gap MOQs open.
    if moq_cuts and len(ya):
        cum = np.concatenate([np.zeros((K, 1)), np.cumsum(comp.demand, axis=1)], axis=1)
        r0 = yt + comp.lead[ya]
        ks = comp.src_sku[ya]
        for j in range(T):
            lvl = r0 + j
            ok = lvl <= T - 1
            coef = np.zeros(len(ya))
            coef[ok] = comp.moq[ya[ok]] - (cum[ks[ok], lvl[ok] + 1] - cum[ks[ok], r0[ok]])
            sel = ok & (coef > 1e-9)
            if not sel.any():
                break
            m = int(sel.sum())
            rr = np.arange(m)
            rows.add(np.concatenate([rr, rr]), np.concatenate([ks[sel] * T + lvl[sel], y_cols[ya[sel], yt[sel]]]),
                     np.concatenate([np.ones(m), -coef[sel]]), np.zeros(m), np.inf, [])
    # ----- shared capacity keys
    shared = comp.cap_key >= 0
    if shared.any():
        sel = shared[a_idx]
        keys, ts = comp.cap_key[a_idx[sel]], t_idx[sel]
        uniq, row_of = np.unique(keys * T + ts, return_inverse=True)
        rows.add(row_of, ncol[sel], comp.multiple[a_idx[sel]].astype(float), -np.inf,
                 comp.cap_value[uniq // T], [])
    # ----- budget rows
    if budget is not None:
        b = np.asarray(budget, dtype=float)
        sel = np.isfinite(b[t_idx])
        if sel.any():
            uniq, row_of = np.unique(t_idx[sel], return_inverse=True)
            rows.add(row_of, ncol[sel], (comp.unit_cost[a_idx] * comp.multiple[a_idx])[sel], -np.inf,
                     b[uniq], [f"budget[{t}]" for t in uniq] if elastic else [])
    # ----- volume rows
    if volume_cap is not None:
        cap = volume_cap[comp.warehouse][:, :]  # (K,T)
        sel = np.isfinite(cap.ravel()) & (comp.volume.repeat(T) > 0)
        if sel.any():
            wk = (comp.warehouse.repeat(T) * T + np.tile(np.arange(T), K))[sel]
            uniq, row_of = np.unique(wk, return_inverse=True)
            rows.add(row_of, np.arange(nI)[sel], comp.volume.repeat(T)[sel], -np.inf,
                     volume_cap.ravel()[uniq], [f"volume[{u // T},{u % T}]" for u in uniq] if elastic else [])
    A, rlo, rhi = rows.matrix(n_total)
    return MatrixModel(name=name, c=c, A=A, row_lower=rlo, row_upper=rhi, col_lower=lo, col_upper=hi,
                       integrality=integ, row_names=tuple(rows.names)), lay


@dataclass(frozen=True)
class ComponentSolution:
    """Decisions of one component: ``qty`` (A,T) units ordered, ``inventory``/``lost``/
    ``shortfall`` (K,T), ``orders`` (G,T) purchase orders placed."""

    qty: np.ndarray
    inventory: np.ndarray
    lost: np.ndarray
    shortfall: np.ndarray
    orders: np.ndarray


def extract(comp: Component, lay: Layout, x: np.ndarray) -> ComponentSolution:
    K, T = lay.K, lay.T
    nI = K * T
    qty = np.zeros((len(comp.src_sku), T))
    m = lay.n_cols >= 0
    qty[m] = np.round(x[lay.n_cols[m]]) * np.broadcast_to(comp.multiple[:, None], qty.shape)[m]
    orders = np.zeros(lay.z_cols.shape)
    zm = lay.z_cols >= 0
    orders[zm] = np.round(x[lay.z_cols[zm]])
    inv = np.maximum(x[:nI], 0.0).reshape(K, T)
    lost = np.maximum(x[nI:2 * nI], 0.0).reshape(K, T)
    shortfall = np.maximum(x[2 * nI:3 * nI], 0.0).reshape(K, T)
    return ComponentSolution(qty, inv, lost, shortfall, orders)


def true_cost(comp: Component, sol: ComponentSolution) -> dict:
    """The solution's cost at the original prices, by category."""
    purchase = float(np.sum(sol.qty * comp.unit_cost[:, None]))
    placed = (sol.qty > 0)
    po = np.zeros((len(comp.group_cost), sol.qty.shape[1]), dtype=bool)
    for g in range(len(comp.group_cost)):
        po[g] = placed[comp.src_group == g].any(axis=0)
    return {
        "purchase": purchase,
        "holding": float(np.sum(sol.inventory * comp.holding[:, None])),
        "shortage": float(np.sum(sol.lost * comp.shortage[:, None])),
        "safety_stock_penalty": float(np.sum(sol.shortfall * comp.ss_penalty[:, None])),
        "ordering": float(np.sum(po * comp.group_cost[:, None])),
        "tiebreak": float(np.sum(sol.qty * comp.tiebreak[:, None])),
        "ending_stock_value": -float(np.sum(np.minimum(sol.inventory[:, -1], comp.end_cover) * comp.end_value)),
    }


def spend(comp: Component, sol: ComponentSolution) -> np.ndarray:
    """Purchase value per order period (T,)."""
    return (sol.qty * comp.unit_cost[:, None]).sum(axis=0)


def volume_use(comp: Component, sol: ComponentSolution, n_warehouses: int) -> np.ndarray:
    """End-of-period volume per warehouse and period (W,T)."""
    out = np.zeros((n_warehouses, sol.inventory.shape[1]))
    np.add.at(out, comp.warehouse, sol.inventory * comp.volume[:, None])
    return out

