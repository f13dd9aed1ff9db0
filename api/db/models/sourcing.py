"""Sourcing (itemsupplier), lanes (itemdistribution) and stock (buffer)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, Tracked


class ItemSupplier(Tracked, Base):
    __tablename__ = "itemsupplier"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"))
    supplier_id: Mapped[str] = mapped_column(ForeignKey("supplier.supplier_id"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.location_id"))  # NULL = any
    unit_cost: Mapped[float] = mapped_column(Float)
    lead_time_days: Mapped[float] = mapped_column(Float)
    lead_time_std_days: Mapped[float | None] = mapped_column(Float)
    size_minimum: Mapped[float] = mapped_column(Float)
    size_multiple: Mapped[int] = mapped_column(Integer)
    size_maximum: Mapped[float | None] = mapped_column(Float)
    capacity_per_week: Mapped[float | None] = mapped_column(Float)
    priority: Mapped[int] = mapped_column(Integer)
    effective_start: Mapped[date | None] = mapped_column(Date)
    effective_end: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (
        # natural key; a blank destination (NULL) means "any" and must be unique too
        Index("uq_itemsupplier_key", "item_id", "supplier_id", func.coalesce(location_id, ""), unique=True),
        CheckConstraint("unit_cost >= 0", name="unit_cost_nonneg"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_nonneg"),
        CheckConstraint("lead_time_std_days IS NULL OR lead_time_std_days >= 0", name="lead_time_std_nonneg"),
        CheckConstraint("size_minimum >= 0", name="moq_nonneg"),
        CheckConstraint("size_multiple >= 1", name="case_pack_positive"),
        CheckConstraint("size_maximum IS NULL OR size_maximum > 0", name="max_positive"),
        CheckConstraint("capacity_per_week IS NULL OR capacity_per_week >= 0", name="capacity_nonneg"),
        CheckConstraint("priority >= 1", name="priority_positive"),
    )


class ItemDistribution(Tracked, Base):
    __tablename__ = "itemdistribution"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin_id: Mapped[str] = mapped_column(ForeignKey("location.location_id"))
    destination_id: Mapped[str] = mapped_column(ForeignKey("location.location_id"))
    item_id: Mapped[str | None] = mapped_column(ForeignKey("item.item_id"))  # NULL = every item
    transit_days: Mapped[float] = mapped_column(Float)
    cost_per_unit: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        Index("uq_itemdistribution_key", "origin_id", "destination_id", func.coalesce(item_id, ""), unique=True),
        CheckConstraint("transit_days >= 0", name="transit_nonneg"),
        CheckConstraint("cost_per_unit >= 0", name="cost_nonneg"),
    )


class Buffer(Tracked, Base):
    __tablename__ = "buffer"
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("location.location_id"), primary_key=True)
    on_hand: Mapped[float] = mapped_column(Float)
    on_order: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        CheckConstraint("on_order IS NULL OR on_order >= 0", name="on_order_nonneg"),
    )
