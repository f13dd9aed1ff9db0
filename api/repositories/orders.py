"""Orders: the operation-plan lines that share ``order_ref`` (a line without one is its own
order, named by its ``reference``), as frozen dataclasses.

Every change of an order moves all its lines to one new ``revision`` with a conditional update
(:func:`bump_revision`): ``UPDATE ... SET revision = r + 1 WHERE order = :id AND revision = r``.
Two writers holding the same view cannot both succeed — the second finds no row at revision
``r`` once the first commits (PostgreSQL re-checks the WHERE after the row lock; SQLite
serialises writers) — so no update is ever lost. The order's ETag is its revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from api.db.base import utcnow
from api.db.models import AuditEvent, OperationPlan

OP = OperationPlan


@dataclass(frozen=True)
class OrderLine:
    id: int
    reference: str
    order_ref: str | None
    type: str
    status: str
    item_id: str
    location_id: str
    origin_id: str | None
    supplier_id: str | None
    quantity_proposed: float
    quantity_confirmed: float | None
    quantity_shipped: float | None
    quantity_received: float | None
    order_date: date
    due_date: date
    confirmed_date: date | None
    unit_cost: float | None
    reasons: dict
    revision: int
    plan_run_id: int | None
    updated_at: datetime


#: life-cycle order, for the summary status of an order whose lines differ
STATUS_ORDER = (
    "proposed",
    "approved",
    "released",
    "changed",
    "rejected",
    "accepted",
    "shipped",
    "received",
    "closed",
    "cancelled",
)


@dataclass(frozen=True)
class Order:
    id: str
    type: str
    supplier_id: str | None
    location_id: str
    status: str
    revision: int
    updated_at: datetime
    lines: tuple[OrderLine, ...]

    @property
    def etag(self) -> str:
        return etag_for(self.revision)

    @property
    def total_quantity(self) -> float:
        return float(sum(line.quantity_proposed for line in self.lines))


def etag_for(revision: int) -> str:
    return f'"r{revision}"'


def parse_etag(value: str) -> int | None:
    """The revision in an ETag (``"r7"`` or ``W/"r7"``), ``None`` if it is not one of ours."""
    v = value.strip()
    if v.startswith("W/"):
        v = v[2:]
    v = v.strip('"')
    if v.startswith("r") and v[1:].isdigit():
        return int(v[1:])
    return None


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns; they are UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def _line(row: OperationPlan) -> OrderLine:
    return OrderLine(
        row.id,
        row.reference,
        row.order_ref,
        row.type,
        row.status,
        row.item_id,
        row.location_id,
        row.origin_id,
        row.supplier_id,
        row.quantity_proposed,
        row.quantity_confirmed,
        row.quantity_shipped,
        row.quantity_received,
        row.order_date,
        row.due_date,
        row.confirmed_date,
        row.unit_cost,
        dict(row.reasons or {}),
        row.revision,
        row.plan_run_id,
        aware(row.updated_at),
    )


def summary_status(lines) -> str:
    live = [line.status for line in lines if line.status != "cancelled"]
    if not live:
        return "cancelled"
    return min(live, key=STATUS_ORDER.index)


def order_key(line: OrderLine) -> str:
    return line.order_ref or line.reference


def _order(lines: list[OrderLine]) -> Order:
    lines = sorted(lines, key=lambda line: line.id)
    first = lines[0]
    return Order(
        order_key(first),
        first.type,
        first.supplier_id,
        first.location_id,
        summary_status(lines),
        max(line.revision for line in lines),
        max(line.updated_at for line in lines),
        tuple(lines),
    )


def key_filter(order_id: str):
    return or_(OP.order_ref == order_id, and_(OP.order_ref.is_(None), OP.reference == order_id))


def load_order(session: Session, order_id: str, type_: str | None = "PO") -> Order | None:
    q = select(OP).where(key_filter(order_id))
    if type_:
        q = q.where(OP.type == type_)
    rows = session.scalars(q).all()
    return _order([_line(r) for r in rows]) if rows else None


def load_orders(session: Session, order_ids: list[str], type_: str | None = "PO") -> list[Order]:
    """Orders in the order of ``order_ids`` (missing ones left out)."""
    if not order_ids:
        return []
    ids = list(order_ids)
    q = select(OP).where(
        or_(OP.order_ref.in_(ids), and_(OP.order_ref.is_(None), OP.reference.in_(ids)))
    )
    if type_:
        q = q.where(OP.type == type_)
    groups: dict[str, list[OrderLine]] = {}
    for row in session.scalars(q):
        line = _line(row)
        groups.setdefault(order_key(line), []).append(line)
    return [_order(groups[i]) for i in ids if i in groups]


def list_order_ids(
    session: Session,
    *,
    type_: str = "PO",
    status: str | None = None,
    supplier_id: str | None = None,
    item_id: str | None = None,
    plan_run_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[str], int]:
    """One page of order ids matching the line filters (stable order) and the total count."""
    key = func.coalesce(OP.order_ref, OP.reference)
    conds = [OP.type == type_]
    if status:
        conds.append(OP.status == status)
    if supplier_id:
        conds.append(OP.supplier_id == supplier_id)
    if item_id:
        conds.append(OP.item_id == item_id)
    if plan_run_id is not None:
        conds.append(OP.plan_run_id == plan_run_id)
    base = select(key.label("k")).where(*conds).group_by(key)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    ids = session.scalars(base.order_by(key).limit(limit).offset(offset)).all()
    return list(ids), int(total or 0)


def load_line(session: Session, line_id: int) -> OrderLine | None:
    row = session.get(OP, line_id)
    return _line(row) if row is not None else None


def list_lines(
    session: Session,
    *,
    type_: str | None = None,
    status: str | None = None,
    plan_run_id: int | None = None,
    item_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[OrderLine], int]:
    conds = []
    if type_:
        conds.append(OP.type == type_)
    if status:
        conds.append(OP.status == status)
    if plan_run_id is not None:
        conds.append(OP.plan_run_id == plan_run_id)
    if item_id:
        conds.append(OP.item_id == item_id)
    total = session.scalar(select(func.count()).select_from(OP).where(*conds))
    rows = session.scalars(
        select(OP).where(*conds).order_by(OP.id).limit(limit).offset(offset)
    ).all()
    return [_line(r) for r in rows], int(total or 0)


def bump_revision(
    session: Session, order_id: str, expected: int, n_lines: int, now: datetime | None = None
) -> int | None:
    """Move every line of the order from revision ``expected`` to ``expected + 1``; the new
    revision, or ``None`` when another writer got there first."""
    result = session.execute(
        update(OP)
        .where(key_filter(order_id), OP.revision == expected)
        .values(revision=expected + 1, updated_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != n_lines:
        return None
    return expected + 1


def update_line(session: Session, line_id: int, **values) -> None:
    values.setdefault("updated_at", utcnow())
    session.execute(
        update(OP)
        .where(OP.id == line_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def update_lines(session: Session, rows: list[dict]) -> None:
    """Several lines at once (one executemany): each dict has ``id`` and the new values."""
    if rows:
        session.execute(update(OP), rows)


def add_audit(
    session: Session,
    actor: str,
    entity_type: str,
    entity_id: str,
    action: str,
    from_status: str | None,
    to_status: str | None,
    detail: dict | None = None,
) -> None:
    session.add(
        AuditEvent(
            actor=actor,
            entity_type=entity_type,
            entity_id=str(entity_id),
            action=action,
            from_status=from_status,
            to_status=to_status,
            detail=detail or {},
        )
    )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    entity_type: str
    entity_id: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict


def audit_trail(session: Session, entity_type: str, entity_ids: list[str]) -> list[AuditEntry]:
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_(entity_ids))
        .order_by(AuditEvent.id)
    )
    return [
        AuditEntry(
            r.id,
            aware(r.at),
            r.actor,
            r.entity_type,
            r.entity_id,
            r.action,
            r.from_status,
            r.to_status,
            dict(r.detail or {}),
        )
        for r in rows
    ]
