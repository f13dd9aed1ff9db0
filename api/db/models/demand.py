"""Demand side: sales history, events, presale campaigns and their daily deposits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, Tracked


class Sale(Tracked, Base):
    __tablename__ = "sale"
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("location.location_id"), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    qty: Mapped[float] = mapped_column(Float)
    promo: Mapped[float | None] = mapped_column(Float)
    price: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        CheckConstraint("qty >= 0", name="qty_nonneg"),
        CheckConstraint("promo IS NULL OR (promo >= 0 AND promo <= 1)", name="promo_share"),
        CheckConstraint("price IS NULL OR price >= 0", name="price_nonneg"),
    )


class Event(Tracked, Base):
    __tablename__ = "event"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    item_id: Mapped[str | None] = mapped_column(ForeignKey("item.item_id"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.location_id"))
    demand_factor: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        CheckConstraint("kind IN ('festival','promotion','holiday','closure')", name="kind_valid"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("demand_factor IS NULL OR demand_factor > 0", name="factor_positive"),
    )


class PresaleCampaign(Tracked, Base):
    __tablename__ = "presale_campaign"
    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.location_id"))
    deposit_start: Mapped[date] = mapped_column(Date)
    deposit_end: Mapped[date] = mapped_column(Date)
    final_start: Mapped[date] = mapped_column(Date)
    final_end: Mapped[date] = mapped_column(Date)
    deposit_amount: Mapped[float] = mapped_column(Float)
    deposit_value: Mapped[float] = mapped_column(Float)
    final_discount: Mapped[float] = mapped_column(Float)
    price: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    deposits_total: Mapped[float | None] = mapped_column(Float)
    final_payments: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        CheckConstraint("deposit_end >= deposit_start", name="deposit_window"),
        CheckConstraint("final_start >= deposit_end", name="final_after_deposit"),
        CheckConstraint("final_end >= final_start", name="final_window"),
        CheckConstraint("deposit_amount >= 0 AND deposit_value >= deposit_amount", name="deposit_values"),
        CheckConstraint("final_discount >= 0 AND price > 0", name="prices"),
        CheckConstraint("status IN ('planned','open','closed')", name="status_valid"),
        CheckConstraint("deposits_total IS NULL OR deposits_total >= 0", name="deposits_nonneg"),
        CheckConstraint("final_payments IS NULL OR final_payments >= 0", name="payments_nonneg"),
    )


class PresaleDeposit(Tracked, Base):
    __tablename__ = "presale_deposit"
    campaign_id: Mapped[str] = mapped_column(ForeignKey("presale_campaign.campaign_id"), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    deposits: Mapped[float] = mapped_column(Float)
    cancellations: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        CheckConstraint("deposits >= 0", name="deposits_nonneg"),
        CheckConstraint("cancellations IS NULL OR cancellations >= 0", name="cancellations_nonneg"),
    )
