"""The supplier change feed: ``supplier_order`` rows (one per released order), their opaque
cursors and the cheap fingerprint behind the feed's ETag."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from api.db.base import utcnow
from api.db.models import SupplierOrder
from api.repositories.orders import aware


def supplier_order(session: Session, order_id: str) -> SupplierOrder | None:
    return session.get(SupplierOrder, order_id)


def record_release(session: Session, order_id: str, supplier_id: str, revision: int) -> None:
    now = utcnow()
    existing = session.get(SupplierOrder, order_id)
    if existing is None:
        session.add(
            SupplierOrder(
                order_ref=order_id,
                supplier_id=supplier_id,
                released_at=now,
                updated_at=now,
                revision=revision,
            )
        )
    else:
        existing.updated_at, existing.revision = now, revision
    session.flush()


def touch_supplier_order(
    session: Session, order_id: str, revision: int, now: datetime | None = None
) -> None:
    session.execute(
        update(SupplierOrder)
        .where(SupplierOrder.order_ref == order_id)
        .values(updated_at=now or utcnow(), revision=revision)
    )


def encode_cursor(updated_at: datetime, order_id: str) -> str:
    raw = json.dumps([aware(updated_at).isoformat(), order_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError for anything that is not one of our cursors."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        ts, oid = json.loads(raw)
        if not isinstance(oid, str):
            raise ValueError
        return datetime.fromisoformat(ts), oid
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("cursor is not valid (use the next_cursor of a previous page)") from None


def _feed_conditions(
    supplier_id: str, updated_since: datetime | None, after: tuple[datetime, str] | None
):
    conds = [SupplierOrder.supplier_id == supplier_id]
    if updated_since is not None:
        conds.append(SupplierOrder.updated_at > updated_since)
    if after is not None:
        ts, oid = after
        conds.append(
            or_(
                SupplierOrder.updated_at > ts,
                and_(SupplierOrder.updated_at == ts, SupplierOrder.order_ref > oid),
            )
        )
    return conds


def feed_page(
    session: Session,
    supplier_id: str,
    updated_since: datetime | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[tuple[str, datetime]]:
    rows = session.execute(
        select(SupplierOrder.order_ref, SupplierOrder.updated_at)
        .where(*_feed_conditions(supplier_id, updated_since, after))
        .order_by(SupplierOrder.updated_at, SupplierOrder.order_ref)
        .limit(limit)
    ).all()
    return [(r[0], aware(r[1])) for r in rows]


def feed_fingerprint(
    session: Session,
    supplier_id: str,
    updated_since: datetime | None,
    after: tuple[datetime, str] | None,
) -> tuple:
    """A cheap summary that changes whenever the feed's answer would: count, latest change and
    sum of revisions of the matching orders."""
    row = session.execute(
        select(
            func.count(), func.max(SupplierOrder.updated_at), func.sum(SupplierOrder.revision)
        ).where(*_feed_conditions(supplier_id, updated_since, after))
    ).one()
    latest = aware(row[1]).isoformat() if row[1] is not None else None
    return int(row[0]), latest, int(row[2] or 0)
