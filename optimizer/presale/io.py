"""A campaign document (parsed JSON) to a :class:`PresaleProblem`.

The document's schema is documented with an example in ``docs/readme/presale.md`` and
``scenarios/specs/presale_campaign_example.json``. Unknown keys, missing keys, wrong types and
unparseable dates raise :class:`PresaleInputError` naming the path of the field
(``campaign.deposit_end``, ``sources[1].capacity_per_week``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from optimizer.presale.campaign import (
    PastCampaign,
    PresaleCampaign,
    PresaleEconomics,
    PresaleInputError,
    SpotDemand,
    SupplySource,
)
from optimizer.presale.problem import PresaleProblem

_CAMPAIGN_DATES = (
    "as_of",
    "deposit_start",
    "deposit_end",
    "final_start",
    "final_end",
    "promise_date",
    "launch_date",
)
_CAMPAIGN_REQUIRED = _CAMPAIGN_DATES + (
    "campaign_id",
    "item_id",
    "price",
    "deposit_amount",
    "deposit_value",
    "final_discount",
)
_CAMPAIGN_OPTIONAL = (
    "deposits_to_date",
    "cancellations_to_date",
    "final_payments_to_date",
    "firm_preorders",
    "conversion_rate",
    "refund_rate",
    "deposits_forfeited",
    "category",
    "location_id",
)
_SOURCE_REQUIRED = ("source_id", "unit_cost", "lead_time_weeks", "capacity_per_week")
_SOURCE_OPTIONAL = (
    "kind",
    "moq_units",
    "case_pack_units",
    "committed_units",
    "batch_cost",
    "location_id",
)
_HISTORY_REQUIRED = ("campaign_id", "deposits_total", "final_payments")
_HISTORY_OPTIONAL = ("category", "daily_deposits", "daily_cancellations", "item_id")
_ECONOMICS = (
    "unit_salvage_value",
    "holding_cost_per_unit_week",
    "late_penalty_per_unit_week",
    "unfilled_presale_penalty",
    "spot_shortage_penalty",
    "initial_on_hand_units",
)
_SPOT = ("mean_per_week", "std_per_week", "values", "weights")
_SETTINGS = (
    "n_scenarios",
    "seed",
    "horizon_weeks",
    "conversion_prior",
    "deposit_prior_mean",
    "deposit_prior_cv",
)
_TOP = ("campaign", "sources", "history", "spot_demand", "economics", "settings")


def _obj(doc: Any, path: str) -> dict:
    if not isinstance(doc, dict):
        raise PresaleInputError(f"{path}: must be an object, got {type(doc).__name__}")
    return doc


def _keys(doc: dict, path: str, required: tuple, optional: tuple) -> None:
    missing = [k for k in required if k not in doc]
    if missing:
        raise PresaleInputError(f"{path}: missing field(s) {', '.join(missing)}")
    unknown = [k for k in doc if k not in required + optional]
    if unknown:
        raise PresaleInputError(
            f"{path}: unknown field(s) {', '.join(map(str, unknown))}; "
            f"allowed: {', '.join(required + optional)}"
        )


def _date(value: Any, path: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PresaleInputError(f"{path}={value!r}: not a date in YYYY-MM-DD form") from None


def _num(value: Any, path: str, integer: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PresaleInputError(f"{path}={value!r}: must be a number")
    if integer:
        if float(value) != int(value):
            raise PresaleInputError(f"{path}={value!r}: must be a whole number")
        return int(value)
    return float(value)


def _nums(value: Any, path: str) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise PresaleInputError(f"{path}: must be a list of numbers")
    return tuple(_num(v, f"{path}[{k}]") for k, v in enumerate(value))


def _campaign(doc: dict) -> PresaleCampaign:
    doc = _obj(doc, "campaign")
    _keys(doc, "campaign", _CAMPAIGN_REQUIRED, _CAMPAIGN_OPTIONAL)
    kw: dict[str, Any] = {k: _date(doc[k], f"campaign.{k}") for k in _CAMPAIGN_DATES}
    for k in ("campaign_id", "item_id"):
        kw[k] = str(doc[k])
    for k in ("category", "location_id"):
        if k in doc:
            kw[k] = str(doc[k])
    for k in (
        "price",
        "deposit_amount",
        "deposit_value",
        "final_discount",
        "firm_preorders",
        "refund_rate",
    ):
        if k in doc:
            kw[k] = _num(doc[k], f"campaign.{k}")
    for k in ("conversion_rate", "final_payments_to_date"):
        if doc.get(k) is not None:
            kw[k] = _num(doc[k], f"campaign.{k}")
    for k in ("deposits_to_date", "cancellations_to_date"):
        if k in doc:
            kw[k] = _nums(doc[k], f"campaign.{k}")
    if "deposits_forfeited" in doc:
        kw["deposits_forfeited"] = bool(doc["deposits_forfeited"])
    return PresaleCampaign(**kw)


def _source(doc: dict, path: str) -> SupplySource:
    doc = _obj(doc, path)
    _keys(doc, path, _SOURCE_REQUIRED, _SOURCE_OPTIONAL)
    cap = doc["capacity_per_week"]
    capacity = (
        _nums(cap, f"{path}.capacity_per_week")
        if isinstance(cap, list)
        else _num(cap, f"{path}.capacity_per_week")
    )
    kw: dict[str, Any] = {
        "source_id": str(doc["source_id"]),
        "unit_cost": _num(doc["unit_cost"], f"{path}.unit_cost"),
        "lead_time_weeks": _num(doc["lead_time_weeks"], f"{path}.lead_time_weeks", integer=True),
        "capacity_per_week": capacity,
    }
    for k in ("moq_units", "committed_units", "batch_cost"):
        if k in doc:
            kw[k] = _num(doc[k], f"{path}.{k}")
    if "case_pack_units" in doc:
        kw["case_pack_units"] = _num(
            doc["case_pack_units"], f"{path}.case_pack_units", integer=True
        )
    for k in ("kind", "location_id"):
        if k in doc:
            kw[k] = str(doc[k])
    return SupplySource(**kw)


def _history(doc: dict, path: str) -> PastCampaign:
    doc = _obj(doc, path)
    _keys(doc, path, _HISTORY_REQUIRED, _HISTORY_OPTIONAL)
    return PastCampaign(
        campaign_id=str(doc["campaign_id"]),
        category=str(doc.get("category", "")),
        deposits_total=_num(doc["deposits_total"], f"{path}.deposits_total"),
        final_payments=_num(doc["final_payments"], f"{path}.final_payments"),
        daily_deposits=_nums(doc.get("daily_deposits", []), f"{path}.daily_deposits"),
        daily_cancellations=_nums(
            doc.get("daily_cancellations", []), f"{path}.daily_cancellations"
        ),
        item_id=str(doc.get("item_id", "")),
    )


def problem_from_dict(
    doc: Any, n_scenarios: int | None = None, seed: int | None = None
) -> PresaleProblem:
    """Build and validate a problem from a campaign document; ``n_scenarios`` / ``seed``
    override the document's ``settings``."""
    doc = _obj(doc, "document")
    _keys(
        doc,
        "document",
        ("campaign", "sources"),
        tuple(k for k in _TOP if k not in ("campaign", "sources")),
    )
    if not isinstance(doc["sources"], list):
        raise PresaleInputError("sources: must be a list of sources")
    sources = tuple(_source(s, f"sources[{k}]") for k, s in enumerate(doc["sources"]))
    history_doc = doc.get("history", [])
    if not isinstance(history_doc, list):
        raise PresaleInputError("history: must be a list of past campaigns")
    history = tuple(_history(h, f"history[{k}]") for k, h in enumerate(history_doc))
    spot_doc = _obj(doc.get("spot_demand", {}), "spot_demand")
    _keys(spot_doc, "spot_demand", (), _SPOT)
    spot = SpotDemand(
        mean_per_week=_nums(spot_doc.get("mean_per_week", []), "spot_demand.mean_per_week"),
        std_per_week=_nums(spot_doc.get("std_per_week", []), "spot_demand.std_per_week"),
        values=tuple(
            _nums(v, f"spot_demand.values[{k}]") for k, v in enumerate(spot_doc.get("values", []))
        ),
        weights=_nums(spot_doc.get("weights", []), "spot_demand.weights"),
    )
    eco_doc = _obj(doc.get("economics", {}), "economics")
    _keys(eco_doc, "economics", (), _ECONOMICS)
    economics = PresaleEconomics(
        **{k: (None if v is None else _num(v, f"economics.{k}")) for k, v in eco_doc.items()}
    )
    settings = _obj(doc.get("settings", {}), "settings")
    _keys(settings, "settings", (), _SETTINGS)
    kw: dict[str, Any] = {}
    if "n_scenarios" in settings:
        kw["n_scenarios"] = _num(settings["n_scenarios"], "settings.n_scenarios", integer=True)
    if "seed" in settings:
        kw["seed"] = _num(settings["seed"], "settings.seed", integer=True)
    if settings.get("horizon_weeks") is not None:
        kw["horizon_weeks"] = _num(
            settings["horizon_weeks"], "settings.horizon_weeks", integer=True
        )
    if "conversion_prior" in settings:
        prior = _nums(settings["conversion_prior"], "settings.conversion_prior")
        if len(prior) != 2:
            raise PresaleInputError("settings.conversion_prior: must be [alpha, beta]")
        kw["conversion_prior"] = prior
    if settings.get("deposit_prior_mean") is not None:
        kw["deposit_prior_mean"] = _num(
            settings["deposit_prior_mean"], "settings.deposit_prior_mean"
        )
    if "deposit_prior_cv" in settings:
        kw["deposit_prior_cv"] = _num(settings["deposit_prior_cv"], "settings.deposit_prior_cv")
    if n_scenarios is not None:
        kw["n_scenarios"] = n_scenarios
    if seed is not None:
        kw["seed"] = seed
    return PresaleProblem(_campaign(doc["campaign"]), sources, spot, economics, history, **kw)
