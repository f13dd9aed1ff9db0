"""The data files stockpilot reads and writes: every column with its type, unit and rule.

One table (:data:`FILES`) drives validation (through pandera), the import order, the natural
keys, the cross-file references and the documentation (``stockpilot schema`` prints it).

Why pandera: it is a maintained, widely used DataFrame validation library whose *lazy*
validation collects every failure of a frame in one pass, each with its column, check and row
index — exactly what "report all errors of a file in one go, naming row, column, value and
rule" needs — and it validates pandas frames without converting them.

Conventions
-----------
* Keys are text: ``item_id``, ``location_id``, ``supplier_id``, ``campaign_id``, ``event_id``.
* Dates are ISO ``YYYY-MM-DD``. Money is in the data's currency (``currency``), volumes in m³.
* A blank optional cell means "not given" (for ``itemsuppliers.location_id``: any destination).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("id", "text", "number", "integer", "date", "enum")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = True  # the column must be present and every cell filled
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    references: str | None = None  # "file.column" this key must exist in

    @property
    def rule(self) -> str:
        parts = [{"id": "text key", "text": "text", "number": "number", "integer": "whole number",
                  "date": "date YYYY-MM-DD", "enum": "one of " + "|".join(self.choices)}[self.kind]]
        if self.min is not None:
            parts.append(f"{'>' if self.min_exclusive else '>='} {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        if self.references:
            parts.append(f"must exist in {self.references}")
        parts.append("required" if self.required else "optional")
        return ", ".join(parts)


@dataclass(frozen=True)
class FileSpec:
    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    checks: tuple[tuple[str, str, str], ...] = field(default=())  # (left, op, right) row rules

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _c(name, kind, description, **kw) -> ColumnSpec:
    return ColumnSpec(name, kind, description, **kw)


LIFECYCLES = ("new", "presale", "active", "phase-out")
LOCATION_TYPES = ("warehouse", "region", "store", "factory")
EVENT_KINDS = ("festival", "promotion", "holiday", "closure")
CAMPAIGN_STATUSES = ("planned", "open", "closed")

FILES: dict[str, FileSpec] = {f.name: f for f in (
    FileSpec("items", "Items (SKUs)", (
        _c("item_id", "id", "SKU code"),
        _c("name", "text", "display name", required=False),
        _c("category", "text", "category, used for cold-start forecasts and presale conversion"),
        _c("unit_cost", "number", "purchase cost of one unit", unit="currency/unit", min=0),
        _c("price", "number", "selling price of one unit", unit="currency/unit", min=0),
        _c("unit_volume_m3", "number", "volume of one unit", unit="m3/unit", min=0),
        _c("holding_rate_per_year", "number", "holding cost as a share of unit cost per year",
           unit="1/year", min=0, max=5),
        _c("lifecycle", "enum", "life-cycle stage", choices=LIFECYCLES),
        _c("launch_date", "date", "first day on sale", required=False),
    ), key=("item_id",)),
    FileSpec("locations", "Warehouses, demand regions, stores and factories", (
        _c("location_id", "id", "location code"),
        _c("name", "text", "display name", required=False),
        _c("type", "enum", "kind of location", choices=LOCATION_TYPES),
        _c("parent_id", "id", "parent in the region hierarchy", required=False,
           references="locations.location_id"),
        _c("capacity_volume_m3", "number", "storage capacity (warehouses)", unit="m3",
           required=False, min=0),
        _c("outbound_units_per_day", "number", "outbound handling capacity (warehouses)",
           unit="units/day", required=False, min=0),
    ), key=("location_id",)),
    FileSpec("suppliers", "Suppliers", (
        _c("supplier_id", "id", "supplier code"),
        _c("name", "text", "display name", required=False),
        _c("order_cost", "number", "fixed cost of one purchase order", unit="currency/order", min=0),
    ), key=("supplier_id",)),
    FileSpec("itemsuppliers", "Sourcing: who supplies which item to where, on what terms", (
        _c("item_id", "id", "item", references="items.item_id"),
        _c("supplier_id", "id", "supplier", references="suppliers.supplier_id"),
        _c("location_id", "id", "destination warehouse; blank = any", required=False,
           references="locations.location_id"),
        _c("unit_cost", "number", "purchase price", unit="currency/unit", min=0),
        _c("lead_time_days", "number", "mean lead time", unit="days", min=0),
        _c("lead_time_std_days", "number", "standard deviation of the lead time", unit="days",
           min=0, required=False),
        _c("size_minimum", "number", "minimum order quantity (MOQ)", unit="units", min=0),
        _c("size_multiple", "integer", "case pack: orders are whole multiples", unit="units",
           min=1),
        _c("size_maximum", "number", "largest single order", unit="units", min=0,
           min_exclusive=True, required=False),
        _c("capacity_per_week", "number", "supplier capacity for this item", unit="units/week",
           min=0, required=False),
        _c("priority", "integer", "1 = preferred source", min=1),
        _c("effective_start", "date", "first order date this sourcing applies", required=False),
        _c("effective_end", "date", "last order date this sourcing applies", required=False),
    ), key=("item_id", "supplier_id", "location_id"),
        checks=(("size_maximum", ">=", "size_minimum"), ("effective_end", ">=", "effective_start"))),
    FileSpec("itemdistributions", "Lanes: warehouse -> warehouse transfers and warehouse -> region shipping", (
        _c("origin_id", "id", "shipping location", references="locations.location_id"),
        _c("destination_id", "id", "receiving location or region",
           references="locations.location_id"),
        _c("item_id", "id", "item; blank = every item", required=False,
           references="items.item_id"),
        _c("transit_days", "number", "door-to-door time", unit="days", min=0),
        _c("cost_per_unit", "number", "transport cost", unit="currency/unit", min=0),
    ), key=("origin_id", "destination_id", "item_id")),
    FileSpec("buffers", "Stock of an item at a location", (
        _c("item_id", "id", "item", references="items.item_id"),
        _c("location_id", "id", "location", references="locations.location_id"),
        _c("on_hand", "number", "stock on hand", unit="units", min=0),
        _c("on_order", "number", "ordered, not yet received", unit="units", min=0,
           required=False),
    ), key=("item_id", "location_id")),
    FileSpec("sales", "Sales history, one row per item x location x date", (
        _c("item_id", "id", "item", references="items.item_id"),
        _c("location_id", "id", "where it sold (store or region)",
           references="locations.location_id"),
        _c("date", "date", "day (or first day of the week / month bucket)"),
        _c("qty", "number", "units sold", unit="units", min=0),
        _c("promo", "number", "share of the period on promotion", unit="0..1", min=0, max=1,
           required=False),
        _c("price", "number", "average selling price", unit="currency/unit", min=0,
           required=False),
    ), key=("item_id", "location_id", "date")),
    FileSpec("events", "Promotions, platform festivals (618, Double 11), holidays, closures", (
        _c("event_id", "id", "event code"),
        _c("name", "text", "display name"),
        _c("kind", "enum", "kind of event", choices=EVENT_KINDS),
        _c("start_date", "date", "first day"),
        _c("end_date", "date", "last day"),
        _c("item_id", "id", "item in scope; blank = all", required=False,
           references="items.item_id"),
        _c("location_id", "id", "location in scope; blank = all", required=False,
           references="locations.location_id"),
        _c("demand_factor", "number", "expected demand multiplier", min=0, min_exclusive=True,
           required=False),
    ), key=("event_id",), checks=(("end_date", ">=", "start_date"),)),
    FileSpec("presales", "Presale campaigns (pre-orders with deposits)", (
        _c("campaign_id", "id", "campaign code"),
        _c("item_id", "id", "item on presale", references="items.item_id"),
        _c("location_id", "id", "fulfilment warehouse", required=False,
           references="locations.location_id"),
        _c("deposit_start", "date", "deposit window opens"),
        _c("deposit_end", "date", "deposit window closes"),
        _c("final_start", "date", "final-payment window opens"),
        _c("final_end", "date", "final-payment window closes"),
        _c("deposit_amount", "number", "deposit paid", unit="currency", min=0),
        _c("deposit_value", "number", "what the deposit counts for at checkout (expansion)",
           unit="currency", min=0),
        _c("final_discount", "number", "discount on the final payment", unit="currency", min=0),
        _c("price", "number", "list price", unit="currency/unit", min=0, min_exclusive=True),
        _c("status", "enum", "campaign state", choices=CAMPAIGN_STATUSES),
        _c("deposits_total", "number", "deposits at window close (closed campaigns)",
           unit="orders", min=0, required=False),
        _c("final_payments", "number", "deposits converted to final payment (closed campaigns)",
           unit="orders", min=0, required=False),
    ), key=("campaign_id",), checks=(
        ("deposit_end", ">=", "deposit_start"), ("final_start", ">=", "deposit_end"),
        ("final_end", ">=", "final_start"), ("deposit_value", ">=", "deposit_amount"),
        ("deposits_total", ">=", "final_payments"))),
    FileSpec("presale_deposits", "Daily deposits of presale campaigns", (
        _c("campaign_id", "id", "campaign", references="presales.campaign_id"),
        _c("date", "date", "day"),
        _c("deposits", "number", "deposits paid that day", unit="orders", min=0),
        _c("cancellations", "number", "deposits refunded that day", unit="orders", min=0,
           required=False),
    ), key=("campaign_id", "date")),
)}

#: Import order: every file comes after the files it references.
FILE_ORDER = ("items", "locations", "suppliers", "itemsuppliers", "itemdistributions",
              "buffers", "sales", "events", "presales", "presale_deposits")
assert set(FILE_ORDER) == set(FILES)


def describe_markdown() -> str:
    """Every file and column as Markdown tables (used by ``stockpilot schema`` and the docs)."""
    out = []
    for name in FILE_ORDER:
        spec = FILES[name]
        out.append(f"### `{name}` — {spec.description}\nKey: `{', '.join(spec.key)}`\n")
        out.append("| column | rule | unit | meaning |\n|---|---|---|---|")
        for c in spec.columns:
            out.append(f"| `{c.name}` | {c.rule} | {c.unit} | {c.description} |")
        for left, op, right in spec.checks:
            out.append(f"\nRow rule: `{left} {op} {right}` where both are given.")
        out.append("")
    return "\n".join(out)
