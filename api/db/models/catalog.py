"""Master data: items, locations, suppliers (keys are the business codes)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, Tracked


class Item(Tracked, Base):
    __tablename__ = "item"
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100))
    unit_cost: Mapped[float] = mapped_column(Float)
    price: Mapped[float] = mapped_column(Float)
    unit_volume_m3: Mapped[float] = mapped_column(Float)
    holding_rate_per_year: Mapped[float] = mapped_column(Float)
    lifecycle: Mapped[str] = mapped_column(String(16))
    launch_date: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (
        CheckConstraint("unit_cost >= 0", name="unit_cost_nonneg"),
        CheckConstraint("price >= 0", name="price_nonneg"),
        CheckConstraint("unit_volume_m3 >= 0", name="volume_nonneg"),
        CheckConstraint("holding_rate_per_year >= 0", name="holding_nonneg"),
        CheckConstraint("lifecycle IN ('new','presale','active','phase-out')", name="lifecycle_valid"),
    )


class Location(Tracked, Base):
    __tablename__ = "location"
    location_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("location.location_id"))
    capacity_volume_m3: Mapped[float | None] = mapped_column(Float)
    outbound_units_per_day: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        CheckConstraint("type IN ('warehouse','region','store','factory')", name="type_valid"),
        CheckConstraint("capacity_volume_m3 IS NULL OR capacity_volume_m3 >= 0", name="capacity_nonneg"),
        CheckConstraint("outbound_units_per_day IS NULL OR outbound_units_per_day >= 0", name="outbound_nonneg"),
    )


class Supplier(Tracked, Base):
    __tablename__ = "supplier"
    supplier_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    order_cost: Mapped[float] = mapped_column(Float)
    __table_args__ = (CheckConstraint("order_cost >= 0", name="order_cost_nonneg"),)
