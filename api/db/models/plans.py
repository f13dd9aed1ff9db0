"""Plans and their trail: plan runs, scenarios, operation plans (PO / DO / MO), forecasts,
alerts and audit events.

``operationplan`` follows frePPLe: one table for purchase orders (PO), distribution orders /
transfers (DO) and manufacturing / presale production orders (MO). One row is one order line;
lines that go to a supplier as one document share ``order_ref``. The status life-cycle is
``proposed → approved → released → acknowledged (accepted | changed | rejected) → shipped →
received → closed``, or ``cancelled`` (the transitions themselves are enforced by the service
layer; the schema keeps the value in this list).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, Tracked, utcnow

OPERATIONPLAN_TYPES = ("PO", "DO", "MO")
OPERATIONPLAN_STATUSES = ("proposed", "approved", "released", "accepted", "changed", "rejected",
                          "shipped", "received", "closed", "cancelled")
PLAN_RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


def _in(col: str, values) -> str:
    return f"{col} IN (" + ",".join(f"'{v}'" for v in values) + ")"


class Scenario(Tracked, Base):
    __tablename__ = "scenario"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    spec: Mapped[dict] = mapped_column(JSON, default=dict)


class PlanRun(Tracked, Base):
    __tablename__ = "plan_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    as_of: Mapped[date | None] = mapped_column(Date)
    horizon_weeks: Mapped[int | None] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    input_hash: Mapped[str | None] = mapped_column(String(64))
    versions: Mapped[dict] = mapped_column(JSON, default=dict)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    kpis: Mapped[dict] = mapped_column(JSON, default=dict)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint(_in("status", PLAN_RUN_STATUSES), name="status_valid"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_share"),
    )


class OperationPlan(Tracked, Base):
    __tablename__ = "operationplan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    order_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    plan_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_run.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"), index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("location.location_id"))  # destination
    origin_id: Mapped[str | None] = mapped_column(ForeignKey("location.location_id"))  # DO source
    supplier_id: Mapped[str | None] = mapped_column(ForeignKey("supplier.supplier_id"), index=True)
    quantity_proposed: Mapped[float] = mapped_column(Float)
    quantity_confirmed: Mapped[float | None] = mapped_column(Float)
    quantity_shipped: Mapped[float | None] = mapped_column(Float)
    quantity_received: Mapped[float | None] = mapped_column(Float)
    order_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    confirmed_date: Mapped[date | None] = mapped_column(Date)
    unit_cost: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __table_args__ = (
        CheckConstraint(_in("type", OPERATIONPLAN_TYPES), name="type_valid"),
        CheckConstraint(_in("status", OPERATIONPLAN_STATUSES), name="status_valid"),
        CheckConstraint("quantity_proposed >= 0", name="qty_proposed_nonneg"),
        CheckConstraint("quantity_confirmed IS NULL OR quantity_confirmed >= 0", name="qty_confirmed_nonneg"),
        CheckConstraint("quantity_shipped IS NULL OR quantity_shipped >= 0", name="qty_shipped_nonneg"),
        CheckConstraint("quantity_received IS NULL OR quantity_received >= 0", name="qty_received_nonneg"),
        CheckConstraint("due_date >= order_date", name="dates_ordered"),
        CheckConstraint("type <> 'PO' OR supplier_id IS NOT NULL", name="po_has_supplier"),
        CheckConstraint("type <> 'DO' OR origin_id IS NOT NULL", name="do_has_origin"),
    )


class Forecast(Tracked, Base):
    __tablename__ = "forecast"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id"))
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("location.location_id"))
    date: Mapped[date] = mapped_column(Date)
    mean: Mapped[float] = mapped_column(Float)
    p10: Mapped[float] = mapped_column(Float)
    p50: Mapped[float] = mapped_column(Float)
    p90: Mapped[float] = mapped_column(Float)
    quantiles: Mapped[dict] = mapped_column(JSON, default=dict)  # any further levels, {"p95": ...}
    model: Mapped[str] = mapped_column(String(64))
    __table_args__ = (
        UniqueConstraint("plan_run_id", "item_id", "location_id", "date"),
        CheckConstraint("mean >= 0 AND p10 >= 0 AND p50 >= 0 AND p90 >= 0", name="nonneg"),
    )


class Alert(Tracked, Base):
    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_run.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str | None] = mapped_column(ForeignKey("item.item_id"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.location_id"))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (
        CheckConstraint("severity IN ('info','warning','critical')", name="severity_valid"),
        CheckConstraint("status IN ('open','acknowledged','closed')", name="status_valid"),
    )


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(64), default="api")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
