"""The purchase-order line life-cycle (pure: no database, no HTTP).

::

    proposed ──approve──▶ approved ──release──▶ released ──supplier──▶ accepted | changed | rejected
       │                     │                     │          changed ──planner accepts──▶ accepted
       └──────cancel─────────┴───────cancel────────┘          changed ──planner refuses──▶ released
    accepted ──ASN──▶ shipped ──receipt──▶ received ──close──▶ closed
    accepted ──receipt──▶ received          rejected ──close──▶ closed
    any of proposed, approved, released, changed, accepted, rejected ──cancel──▶ cancelled

``changed`` means "the supplier confirmed other quantities or dates than asked, outside the
planner's tolerance": it waits for planner review. Anything else is an illegal transition.
"""

from __future__ import annotations

from datetime import date

TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"released", "cancelled"}),
    "released": frozenset({"accepted", "changed", "rejected", "cancelled"}),
    "changed": frozenset({"accepted", "released", "cancelled"}),
    "accepted": frozenset({"shipped", "received", "cancelled"}),
    "rejected": frozenset({"closed", "cancelled"}),
    "shipped": frozenset({"shipped", "received"}),  # shipped → shipped: a further partial ASN
    "received": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}

#: lines the supplier has to deliver (open supply for the next plan run)
OPEN_SUPPLY = ("released", "changed", "accepted", "shipped")


class TransitionError(ValueError):
    def __init__(self, line_id, from_status: str, to_status: str):
        self.line_id, self.from_status, self.to_status = line_id, from_status, to_status
        allowed = ", ".join(sorted(TRANSITIONS.get(from_status, ()))) or "none"
        super().__init__(
            f"line {line_id}: cannot go from {from_status!r} to {to_status!r} "
            f"(allowed from {from_status!r}: {allowed})"
        )


def check_transition(line_id, from_status: str, to_status: str) -> None:
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise TransitionError(line_id, from_status, to_status)


def within_tolerance(
    proposed_qty: float,
    due: date,
    confirmed_qty: float,
    confirmed_date: date,
    qty_tolerance: float,
    date_tolerance_days: int,
) -> bool:
    """Whether a supplier's confirmed quantity and date may be accepted without review:
    ``|q' − q| ≤ tol·q`` and ``|d' − d| ≤ tol_days``."""
    qty_ok = abs(confirmed_qty - proposed_qty) <= qty_tolerance * proposed_qty + 1e-9
    date_ok = abs((confirmed_date - due).days) <= date_tolerance_days
    return qty_ok and date_ok
