"""Supplier side: the change feed of released orders, acknowledgements, ship notices and the
sell-through view — always scoped to the caller's own supplier. An order of another supplier
is answered exactly like an order that does not exist (404), so ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.auth.keys import Principal
from api.db.base import utcnow
from api.db.models import AuditEvent, Buffer, ItemSupplier, Sale, Shipment
from api.errors import IllegalTransition, NotFound, PreconditionFailed, Unprocessable
from api.repositories import feed as feed_repo
from api.repositories import orders as repo
from api.services.idempotency import Answer, check_key, run_idempotent
from api.services.lifecycle import TransitionError, check_transition, within_tolerance
from api.services.purchase_orders import bump_or_412, expected_revision
from api.services.uow import read_only

DECISIONS = ("accept", "accept_with_changes", "backorder", "reject")


@dataclass(frozen=True)
class FeedPage:
    items: list[repo.Order]
    next_cursor: str | None
    etag: str


@dataclass(frozen=True)
class LineResult:
    line_id: int
    decision: str
    status: str
    needs_review: bool
    quantity_confirmed: float | None
    confirmed_date: date | None


@dataclass(frozen=True)
class AckResult:
    order: repo.Order
    results: list[LineResult] = field(default_factory=list)


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _cursor(cursor: str | None):
    try:
        return feed_repo.decode_cursor(cursor) if cursor else None
    except ValueError as exc:
        raise Unprocessable(
            str(exc), errors=[{"pointer": "/cursor", "location": "query", "detail": str(exc)}]
        ) from None


def feed_etag(
    sessions: sessionmaker[Session], principal: Principal, updated_since, cursor, limit
) -> str:
    """The ETag of a feed page, from one aggregate query (cheap 304s for pollers)."""
    import hashlib

    after = _cursor(cursor)
    with read_only(sessions) as s:
        fp = feed_repo.feed_fingerprint(s, principal.supplier_id, _utc(updated_since), after)
    raw = repr((principal.supplier_id, _utc(updated_since), cursor, limit, fp)).encode()
    return '"f' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def feed(
    sessions: sessionmaker[Session],
    principal: Principal,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> FeedPage:
    """Released orders of the caller's supplier changed after ``updated_since`` / the cursor,
    oldest change first (ties by order id)."""
    after = _cursor(cursor)
    with read_only(sessions) as s:
        page = feed_repo.feed_page(s, principal.supplier_id, _utc(updated_since), after, limit)
        stamps = dict(page)
        # updated_at of a feed item is its position in the feed (pass it back as updated_since)
        orders = [
            replace(o, updated_at=stamps[o.id])
            for o in repo.load_orders(s, [oid for oid, _ in page])
        ]
    next_cursor = feed_repo.encode_cursor(page[-1][1], page[-1][0]) if len(page) == limit else None
    return FeedPage(orders, next_cursor, "")


def _visible(s: Session, principal: Principal, order_id: str) -> repo.Order:
    released = feed_repo.supplier_order(s, order_id)
    if released is None or released.supplier_id != principal.supplier_id:
        raise NotFound(f"purchase order {order_id!r} not found")
    order = repo.load_order(s, order_id)
    if order is None:  # pragma: no cover - released orders keep their lines
        raise NotFound(f"purchase order {order_id!r} not found")
    return replace(order, updated_at=repo.aware(released.updated_at))


def get_order(sessions: sessionmaker[Session], principal: Principal, order_id: str) -> repo.Order:
    with read_only(sessions) as s:
        return _visible(s, principal, order_id)


def _apply_decision(line: repo.OrderLine, d: dict, qty_tol: float, date_tol: int, i: int):
    """(status, confirmed qty, confirmed date, needs review) for one line's decision."""
    kind = d["decision"]
    if kind == "accept":
        return "accepted", line.quantity_proposed, line.due_date, False
    if kind == "reject":
        if not d.get("reason"):
            raise Unprocessable(
                "a rejection needs a reason",
                errors=[
                    {
                        "pointer": f"/lines/{i}/reason",
                        "location": "json",
                        "detail": "required for reject",
                    }
                ],
            )
        return "rejected", 0.0, None, False
    qty = float(d["quantity"]) if d.get("quantity") is not None else line.quantity_proposed
    when = d.get("date") or line.due_date
    if kind == "accept_with_changes" and d.get("quantity") is None and d.get("date") is None:
        raise Unprocessable(
            "accept_with_changes needs a quantity or a date",
            errors=[
                {
                    "pointer": f"/lines/{i}/quantity",
                    "location": "json",
                    "detail": "give quantity and/or date",
                }
            ],
        )
    if kind == "backorder" and d.get("date") is None:
        raise Unprocessable(
            "a backorder needs the date it will ship",
            errors=[
                {
                    "pointer": f"/lines/{i}/date",
                    "location": "json",
                    "detail": "required for backorder",
                }
            ],
        )
    ok = within_tolerance(line.quantity_proposed, line.due_date, qty, when, qty_tol, date_tol)
    return ("accepted" if ok else "changed"), qty, when, not ok


def acknowledge(
    sessions: sessionmaker[Session],
    principal: Principal,
    order_id: str,
    body: dict,
    raw_body: bytes,
    path: str,
    idempotency_key: str | None,
    if_match: str | None,
    qty_tolerance: float,
    date_tolerance_days: int,
    render: Callable[[AckResult], dict],
) -> Answer:
    """Line-by-line answer of the supplier to a released order (idempotent, If-Match)."""
    key = check_key(idempotency_key, required=True)
    lines_in = body["lines"]
    seen = set()
    for i, d in enumerate(lines_in):
        if d["line_id"] in seen:
            raise Unprocessable(
                f"line {d['line_id']} appears twice",
                errors=[
                    {
                        "pointer": f"/lines/{i}/line_id",
                        "location": "json",
                        "detail": "duplicate line",
                    }
                ],
            )
        seen.add(d["line_id"])

    def work(s: Session) -> Answer:
        order = _visible(s, principal, order_id)
        expected = expected_revision(order, if_match, required=True)
        by_id = {line.id: line for line in order.lines}
        planned = []
        for i, d in enumerate(lines_in):
            line = by_id.get(d["line_id"])
            if line is None:
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
            status, qty, when, review = _apply_decision(
                line, d, qty_tolerance, date_tolerance_days, i
            )
            try:
                check_transition(line.id, line.status, status)
            except TransitionError as exc:
                raise IllegalTransition(
                    str(exc), line_id=line.id, from_status=line.status, to_status=status
                ) from None
            planned.append((line, d, status, qty, when, review))
        now = utcnow()
        new_rev = repo.bump_revision(s, order.id, expected, len(order.lines), now)
        if new_rev is None:
            raise PreconditionFailed(
                f"order {order.id} was changed by someone else meanwhile; GET it again"
            )
        results, updates, audits, changed = [], [], [], {}
        for line, d, status, qty, when, review in planned:
            values = {"status": status, "quantity_confirmed": qty, "confirmed_date": when}
            updates.append({"id": line.id, "updated_at": now, **values})
            changed[line.id] = values
            audits.append(
                AuditEvent(
                    actor=principal.actor,
                    entity_type="operationplan",
                    entity_id=str(line.id),
                    action="acknowledge",
                    from_status=line.status,
                    to_status=status,
                    detail={
                        "order": order.id,
                        "decision": d["decision"],
                        "reason": d.get("reason"),
                        "quantity": qty,
                        "date": when.isoformat() if when else None,
                        "needs_review": review,
                    },
                )
            )
            results.append(LineResult(line.id, d["decision"], status, review, qty, when))
        repo.update_lines(s, updates)
        s.add_all(audits)
        feed_repo.touch_supplier_order(s, order.id, new_rev, now)
        s.flush()
        # the order as now stored, built from what was written (no second read)
        lines = tuple(
            replace(line, revision=new_rev, updated_at=now, **changed.get(line.id, {}))
            for line in order.lines
        )
        updated = replace(
            order, revision=new_rev, updated_at=now, lines=lines, status=repo.summary_status(lines)
        )
        result = AckResult(updated, results)
        return Answer(200, render(result), {"ETag": repo.etag_for(new_rev)})

    return run_idempotent(sessions, principal.scope, key, "POST", path, raw_body, work)


def ship(
    sessions: sessionmaker[Session],
    principal: Principal,
    body: dict,
    raw_body: bytes,
    path: str,
    idempotency_key: str | None,
    render: Callable[[Shipment], dict],
) -> Answer:
    """An advance ship notice: accepted lines go to ``shipped`` with the shipped quantity."""
    key = check_key(idempotency_key, required=False)
    order_id = body["order_id"]

    def work(s: Session) -> Answer:
        order = _visible(s, principal, order_id)
        by_id = {line.id: line for line in order.lines}
        for i, entry in enumerate(body["lines"]):
            line = by_id.get(entry["line_id"])
            if line is None:
                raise Unprocessable(
                    f"line {entry['line_id']} is not part of order {order.id}",
                    errors=[
                        {
                            "pointer": f"/lines/{i}/line_id",
                            "location": "json",
                            "detail": "not a line of this order",
                        }
                    ],
                )
            try:
                check_transition(line.id, line.status, "shipped")
            except TransitionError as exc:
                raise IllegalTransition(
                    str(exc), line_id=line.id, from_status=line.status, to_status="shipped"
                ) from None
        new_rev = bump_or_412(s, order, order.revision)
        for entry in body["lines"]:
            line = by_id[entry["line_id"]]
            repo.update_line(
                s,
                line.id,
                status="shipped",
                quantity_shipped=(line.quantity_shipped or 0.0) + float(entry["quantity"]),
            )
            repo.add_audit(
                s,
                principal.actor,
                "operationplan",
                str(line.id),
                "ship",
                line.status,
                "shipped",
                {
                    "order": order.id,
                    "quantity": float(entry["quantity"]),
                    "tracking": body.get("tracking"),
                    "carrier": body.get("carrier"),
                },
            )
        feed_repo.touch_supplier_order(s, order.id, new_rev)
        shipment = Shipment(
            supplier_id=principal.supplier_id,
            order_ref=order.id,
            carrier=body.get("carrier"),
            tracking=body.get("tracking"),
            expected_arrival=body["expected_arrival"],
            lines=[
                {"line_id": e["line_id"], "quantity": float(e["quantity"])} for e in body["lines"]
            ],
            created_by=principal.actor,
        )
        s.add(shipment)
        s.flush()
        return Answer(201, render(shipment), {})

    return run_idempotent(sessions, principal.scope, key, "POST", path, raw_body, work)


@dataclass(frozen=True)
class SellThroughRow:
    item_id: str
    location_id: str
    sold_qty: float
    on_hand: float | None
    on_order: float | None


@dataclass(frozen=True)
class SellThrough:
    supplier_id: str
    from_date: date | None
    to_date: date | None
    rows: list[SellThroughRow]


def sell_through(
    sessions: sessionmaker[Session], principal: Principal, days: int, as_of: date | None
) -> SellThrough:
    """Sales over the last ``days`` days up to ``as_of`` (default: the latest sale of these
    items) and current stock, per item × location, for the items this supplier supplies."""
    with read_only(sessions) as s:
        items = sorted(
            set(
                s.scalars(
                    select(ItemSupplier.item_id).where(
                        ItemSupplier.supplier_id == principal.supplier_id
                    )
                )
            )
        )
        if not items:
            return SellThrough(principal.supplier_id, None, None, [])
        end = as_of or s.scalar(select(func.max(Sale.date)).where(Sale.item_id.in_(items)))
        start = end - timedelta(days=days - 1) if end is not None else None
        sold: dict[tuple[str, str], float] = {}
        if end is not None:
            for item_id, loc, qty in s.execute(
                select(Sale.item_id, Sale.location_id, func.sum(Sale.qty))
                .where(Sale.item_id.in_(items), Sale.date >= start, Sale.date <= end)
                .group_by(Sale.item_id, Sale.location_id)
            ):
                sold[(item_id, loc)] = float(qty or 0.0)
        stock = {
            (b.item_id, b.location_id): (b.on_hand, b.on_order)
            for b in s.scalars(select(Buffer).where(Buffer.item_id.in_(items)))
        }
    keys = sorted(set(sold) | set(stock))
    rows = [
        SellThroughRow(k[0], k[1], sold.get(k, 0.0), *(stock.get(k, (None, None)))) for k in keys
    ]
    return SellThrough(principal.supplier_id, start, end, rows)
