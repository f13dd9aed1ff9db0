"""Planner side of the purchase-order life-cycle: list, edit proposed lines, approve, release
(sends the order to its supplier's feed), cancel, review supplier changes, receive.

Each call is one transaction. Every status change of a line writes an ``audit_event`` (who,
when, from → to) and moves the whole order to a new revision; a caller's ``If-Match`` (the
order's ETag) is honoured, and without one the revision read in the same transaction is used,
so a concurrent writer still makes this call fail with 412 rather than be overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from api.auth.keys import Principal
from api.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)
from api.repositories import feed as feed_repo
from api.repositories import orders as repo
from api.services.lifecycle import TransitionError, check_transition
from api.services.uow import read_only, unit_of_work


@dataclass(frozen=True)
class OrderPage:
    items: list[repo.Order]
    total: int
    limit: int
    offset: int


def list_orders(
    sessions: sessionmaker[Session],
    *,
    status=None,
    supplier_id=None,
    item_id=None,
    plan_run_id=None,
    limit=100,
    offset=0,
) -> OrderPage:
    with read_only(sessions) as s:
        ids, total = repo.list_order_ids(
            s,
            status=status,
            supplier_id=supplier_id,
            item_id=item_id,
            plan_run_id=plan_run_id,
            limit=limit,
            offset=offset,
        )
        return OrderPage(repo.load_orders(s, ids), total, limit, offset)


def get_order(sessions: sessionmaker[Session], order_id: str) -> repo.Order:
    with read_only(sessions) as s:
        order = repo.load_order(s, order_id)
    if order is None:
        raise NotFound(f"purchase order {order_id!r} not found")
    return order


def expected_revision(order: repo.Order, if_match: str | None, required: bool = False) -> int:
    """The revision the caller saw: from If-Match, else (when optional) the current one."""
    if if_match is None or if_match.strip() == "":
        if required:
            raise PreconditionRequired("send If-Match with the order's ETag (from GET)")
        return order.revision
    if if_match.strip() == "*":
        return order.revision
    wanted = [repo.parse_etag(tag) for tag in if_match.split(",")]
    if order.revision not in wanted:
        raise PreconditionFailed(
            f"order {order.id} is at {order.etag}, not {if_match.strip()}; GET it again and retry",
            current_etag=order.etag,
        )
    return order.revision


def bump_or_412(s: Session, order: repo.Order, expected: int) -> int:
    """The order's next revision, or 412 when another writer changed it since ``expected``."""
    new = repo.bump_revision(s, order.id, expected, len(order.lines))
    if new is None:
        raise PreconditionFailed(
            f"order {order.id} was changed by someone else meanwhile; GET it again"
        )
    return new


def _load_for_update(s: Session, order_id: str) -> repo.Order:
    order = repo.load_order(s, order_id)
    if order is None:
        raise NotFound(f"purchase order {order_id!r} not found")
    return order


def _transition(
    s: Session,
    principal: Principal,
    order: repo.Order,
    line: repo.OrderLine,
    to: str,
    action: str,
    detail: dict | None = None,
    **values,
) -> None:
    try:
        check_transition(line.id, line.status, to)
    except TransitionError as exc:
        raise IllegalTransition(
            str(exc), line_id=line.id, from_status=line.status, to_status=to
        ) from None
    repo.update_line(s, line.id, status=to, **values)
    repo.add_audit(
        s,
        principal.actor,
        "operationplan",
        str(line.id),
        action,
        line.status,
        to,
        {"order": order.id, **(detail or {})},
    )


def change_status(
    sessions: sessionmaker[Session],
    principal: Principal,
    order_id: str,
    action: str,
    if_match: str | None,
) -> repo.Order:
    """approve / release / cancel every live line of an order (all or nothing)."""
    target = {
        "approve": "approved",
        "release": "released",
        "cancel": "cancelled",
        "close": "closed",
    }[action]
    with unit_of_work(sessions) as s:
        order = _load_for_update(s, order_id)
        expected = expected_revision(order, if_match)
        lines = [line for line in order.lines if line.status != "cancelled"]
        if action == "close":
            lines = [line for line in lines if line.status != "closed"]
        if not lines:
            raise IllegalTransition(
                f"order {order.id} has no line that can be {target} (status {order.status})",
                from_status=order.status,
                to_status=target,
            )
        new_rev = bump_or_412(s, order, expected)
        for line in lines:
            _transition(s, principal, order, line, target, action)
        if action == "release":
            feed_repo.record_release(s, order.id, order.supplier_id, new_rev)
        elif feed_repo.supplier_order(s, order.id) is not None:
            feed_repo.touch_supplier_order(s, order.id, new_rev)
        s.flush()
        return repo.load_order(s, order.id)


def edit_lines(
    sessions: sessionmaker[Session],
    principal: Principal,
    order_id: str,
    edits: list[dict],
    if_match: str | None,
) -> repo.Order:
    """Change quantity / due date of proposed lines (If-Match required)."""
    with unit_of_work(sessions) as s:
        order = _load_for_update(s, order_id)
        expected = expected_revision(order, if_match, required=True)
        by_id = {line.id: line for line in order.lines}
        for i, edit in enumerate(edits):
            line = by_id.get(edit["line_id"])
            if line is None:
                raise Unprocessable(
                    f"line {edit['line_id']} is not part of order {order.id}",
                    errors=[
                        {
                            "pointer": f"/lines/{i}/line_id",
                            "location": "json",
                            "detail": "not a line of this order",
                        }
                    ],
                )
            if line.status != "proposed":
                raise Conflict(
                    f"line {line.id} is {line.status}; only proposed lines can be edited",
                    line_id=line.id,
                )
            due = edit.get("due_date", line.due_date)
            if due < line.order_date:
                raise Unprocessable(
                    f"due_date {due} is before order_date {line.order_date}",
                    errors=[
                        {
                            "pointer": f"/lines/{i}/due_date",
                            "location": "json",
                            "detail": "must be on or after the order date",
                        }
                    ],
                )
        bump_or_412(s, order, expected)
        for edit in edits:
            line = by_id[edit["line_id"]]
            values, before, after = {}, {}, {}
            if "quantity" in edit:
                values["quantity_proposed"] = float(edit["quantity"])
                before["quantity"], after["quantity"] = (
                    line.quantity_proposed,
                    float(edit["quantity"]),
                )
            if "due_date" in edit:
                values["due_date"] = edit["due_date"]
                before["due_date"], after["due_date"] = (
                    line.due_date.isoformat(),
                    edit["due_date"].isoformat(),
                )
            repo.update_line(s, line.id, **values)
            repo.add_audit(
                s,
                principal.actor,
                "operationplan",
                str(line.id),
                "edit",
                line.status,
                line.status,
                {"order": order.id, "before": before, "after": after},
            )
        s.flush()
        return repo.load_order(s, order.id)


def review_changes(
    sessions: sessionmaker[Session],
    principal: Principal,
    order_id: str,
    decisions: list[dict],
    if_match: str | None,
) -> repo.Order:
    """Accept or refuse supplier changes that fell outside tolerance (lines in ``changed``).
    Refused lines go back to ``released`` for the supplier to answer again."""
    with unit_of_work(sessions) as s:
        order = _load_for_update(s, order_id)
        expected = expected_revision(order, if_match)
        by_id = {line.id: line for line in order.lines}
        for i, d in enumerate(decisions):
            if d["line_id"] not in by_id:
                raise Unprocessable(
                    f"line {d['line_id']} is not part of order {order.id}",
                    errors=[
                        {
                            "pointer": f"/lines/{i}/line_id",
                            "location": "json",
                            "detail": "not a line of this order",
                        }
                    ],
                )
        new_rev = bump_or_412(s, order, expected)
        for d in decisions:
            line = by_id[d["line_id"]]
            if d["decision"] == "accept":
                _transition(
                    s, principal, order, line, "accepted", "review-accept", {"note": d.get("note")}
                )
            else:
                _transition(
                    s,
                    principal,
                    order,
                    line,
                    "released",
                    "review-refuse",
                    {"note": d.get("note")},
                    quantity_confirmed=None,
                    confirmed_date=None,
                )
        feed_repo.touch_supplier_order(s, order.id, new_rev)
        s.flush()
        return repo.load_order(s, order.id)


def receive(
    sessions: sessionmaker[Session],
    principal: Principal,
    order_id: str,
    receipts: list[dict],
    if_match: str | None,
) -> repo.Order:
    """Goods received at the warehouse: lines go to ``received`` with the received quantity."""
    with unit_of_work(sessions) as s:
        order = _load_for_update(s, order_id)
        expected = expected_revision(order, if_match)
        by_id = {line.id: line for line in order.lines}
        for i, r in enumerate(receipts):
            if r["line_id"] not in by_id:
                raise Unprocessable(
                    f"line {r['line_id']} is not part of order {order.id}",
                    errors=[
                        {
                            "pointer": f"/lines/{i}/line_id",
                            "location": "json",
                            "detail": "not a line of this order",
                        }
                    ],
                )
        new_rev = bump_or_412(s, order, expected)
        for r in receipts:
            line = by_id[r["line_id"]]
            _transition(
                s,
                principal,
                order,
                line,
                "received",
                "receive",
                {
                    "quantity": r["quantity"],
                    "received_on": r.get("received_on", date.today()).isoformat(),
                },
                quantity_received=(line.quantity_received or 0.0) + float(r["quantity"]),
            )
        if feed_repo.supplier_order(s, order.id) is not None:
            feed_repo.touch_supplier_order(s, order.id, new_rev)
        s.flush()
        return repo.load_order(s, order.id)


def pending_changes(sessions: sessionmaker[Session], limit: int = 100, offset: int = 0):
    """PO lines waiting for planner review (status ``changed``)."""
    with read_only(sessions) as s:
        return repo.list_lines(s, type_="PO", status="changed", limit=limit, offset=offset)


def order_history(sessions: sessionmaker[Session], order_id: str) -> list:
    with read_only(sessions) as s:
        order = repo.load_order(s, order_id)
        if order is None:
            raise NotFound(f"purchase order {order_id!r} not found")
        return repo.audit_trail(s, "operationplan", [str(line.id) for line in order.lines])
