"""What suppliers see: released purchase orders (the change feed) and advance ship notices.

``supplier_order`` gets one row when an order (the PO lines sharing ``order_ref``) is released
to its supplier; its ``updated_at`` moves with every later change of the order, which makes the
supplier's change feed one indexed range scan. Orders never released never appear here, so a
supplier never sees proposals or orders cancelled before release.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, utcnow


class SupplierOrder(Base):
    __tablename__ = "supplier_order"
    order_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("supplier.supplier_id"))
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __table_args__ = (Index("ix_supplier_order_feed", "supplier_id", "updated_at", "order_ref"),)


class Shipment(Base):
    """An advance ship notice (ASN) sent by a supplier for lines of one order."""

    __tablename__ = "shipment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("supplier.supplier_id"), index=True)
    order_ref: Mapped[str] = mapped_column(String(64), index=True)
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking: Mapped[str | None] = mapped_column(String(100))
    expected_arrival: Mapped[date] = mapped_column(Date)
    lines: Mapped[list] = mapped_column(JSON, default=list)  # [{"line_id": .., "quantity": ..}]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
