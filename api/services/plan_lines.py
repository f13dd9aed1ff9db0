"""Plan lines of every type (PO, DO, MO) and their explanation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from api.db.models import Item, Supplier
from api.errors import NotFound
from api.repositories import orders as repo
from api.services.uow import read_only


@dataclass(frozen=True)
class Explanation:
    line: repo.OrderLine
    summary: str
    reasons: dict
    item_name: str | None
    supplier_name: str | None
    history: list


def list_lines(sessions: sessionmaker[Session], **filters):
    with read_only(sessions) as s:
        return repo.list_lines(s, **filters)


def _summary(line: repo.OrderLine, reasons: dict) -> str:
    kind = {"PO": "Buy", "DO": "Transfer", "MO": "Make"}.get(line.type, line.type)
    where = (
        f"from {line.origin_id} to {line.location_id}"
        if line.type == "DO"
        else f"for {line.location_id}"
    )
    src = f" from supplier {line.supplier_id}" if line.supplier_id else ""
    text = (
        f"{kind} {line.quantity_proposed:g} of {line.item_id}{src} {where}, "
        f"ordered {line.order_date}, "
        f"due {line.due_date}."
    )
    if not reasons:
        return text + " The plan recorded no reasons for this line."
    parts = []
    for key, value in reasons.items():
        if isinstance(value, (dict, list)):
            continue
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return text + (" " + "; ".join(parts) + "." if parts else "")


def explain(sessions: sessionmaker[Session], line_id: int) -> Explanation:
    with read_only(sessions) as s:
        line = repo.load_line(s, line_id)
        if line is None:
            raise NotFound(f"plan line {line_id} not found")
        item = s.get(Item, line.item_id)
        supplier = s.get(Supplier, line.supplier_id) if line.supplier_id else None
        history = repo.audit_trail(s, "operationplan", [str(line.id)])
    return Explanation(
        line,
        _summary(line, line.reasons),
        line.reasons,
        item.name if item else None,
        supplier.name if supplier else None,
        history,
    )
