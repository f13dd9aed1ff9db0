"""The purchase-order life-cycle through the planner API: legal transitions with audit
(who, when, from → to), illegal ones refused with 409, ETag / If-Match on edits, supplier
changes outside tolerance waiting for review, explanations of plan lines."""

from __future__ import annotations

from tests.api.conftest import released

PROBLEM = "application/problem+json"


def _order(client, keys, order_id):
    r = client.get(f"/api/v1/purchase-orders/{order_id}", headers=keys["planner"])
    assert r.status_code == 200
    return r


def test_approve_release_writes_audit(client, keys, plan):
    oid = plan["orders"]["S1"][0]
    r = client.post(f"/api/v1/purchase-orders/{oid}/approve", headers=keys["planner"])
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    assert r.headers["ETag"] == '"r2"'
    r = client.post(f"/api/v1/purchase-orders/{oid}/release", headers=keys["planner"])
    assert r.get_json()["status"] == "released"
    hist = client.get(f"/api/v1/purchase-orders/{oid}/history", headers=keys["viewer"]).get_json()
    n_lines = len(r.get_json()["lines"])
    assert [(h["action"], h["from_status"], h["to_status"]) for h in hist] == [
        ("approve", "proposed", "approved")
    ] * n_lines + [("release", "approved", "released")] * n_lines
    assert all(h["actor"].startswith("planner/key:") and h["at"] for h in hist)


def test_illegal_transitions_refused(client, keys, plan):
    oid = plan["orders"]["S1"][0]
    # release before approval
    r = client.post(f"/api/v1/purchase-orders/{oid}/release", headers=keys["planner"])
    assert r.status_code == 409 and r.mimetype == PROBLEM
    body = r.get_json()
    assert body["type"].endswith(":illegal-transition")
    assert body["from_status"] == "proposed" and body["to_status"] == "released"
    released(client, keys, oid)
    # approve again, close an open order
    assert (
        client.post(f"/api/v1/purchase-orders/{oid}/approve", headers=keys["planner"]).status_code
        == 409
    )
    assert (
        client.post(f"/api/v1/purchase-orders/{oid}/close", headers=keys["planner"]).status_code
        == 409
    )
    # cancel works from released; afterwards nothing does
    assert (
        client.post(f"/api/v1/purchase-orders/{oid}/cancel", headers=keys["planner"]).status_code
        == 200
    )
    for action in ("approve", "release", "cancel"):
        assert (
            client.post(
                f"/api/v1/purchase-orders/{oid}/{action}", headers=keys["planner"]
            ).status_code
            == 409
        )
    # nothing changed by the refused calls
    assert _order(client, keys, oid).get_json()["status"] == "cancelled"
    assert (
        client.post("/api/v1/purchase-orders/NOPE/approve", headers=keys["planner"]).status_code
        == 404
    )


def test_state_machine_table():
    import pytest

    from api.services.lifecycle import TRANSITIONS, TransitionError, check_transition

    check_transition(1, "proposed", "approved")
    for bad in (
        ("proposed", "released"),
        ("released", "approved"),
        ("shipped", "cancelled"),
        ("closed", "proposed"),
        ("cancelled", "approved"),
        ("received", "shipped"),
    ):
        with pytest.raises(TransitionError, match="cannot go"):
            check_transition(1, *bad)
    assert TRANSITIONS["closed"] == frozenset() and TRANSITIONS["cancelled"] == frozenset()


def test_edit_proposed_lines_needs_if_match(client, keys, plan):
    oid = plan["orders"]["S1"][0]
    order = _order(client, keys, oid)
    etag = order.headers["ETag"]
    line = order.get_json()["lines"][0]
    body = {"lines": [{"line_id": line["id"], "quantity": 1200, "due_date": "2026-12-22"}]}
    assert (
        client.patch(
            f"/api/v1/purchase-orders/{oid}", json=body, headers=keys["planner"]
        ).status_code
        == 428
    )
    stale = {**keys["planner"], "If-Match": '"r99"'}
    r = client.patch(f"/api/v1/purchase-orders/{oid}", json=body, headers=stale)
    assert r.status_code == 412 and r.get_json()["current_etag"] == etag
    r = client.patch(
        f"/api/v1/purchase-orders/{oid}", json=body, headers={**keys["planner"], "If-Match": etag}
    )
    assert r.status_code == 200
    changed = next(x for x in r.get_json()["lines"] if x["id"] == line["id"])
    assert changed["quantity_proposed"] == 1200 and changed["due_date"] == "2026-12-22"
    # the same (now stale) ETag again → 412: no lost update
    assert (
        client.patch(
            f"/api/v1/purchase-orders/{oid}",
            json=body,
            headers={**keys["planner"], "If-Match": etag},
        ).status_code
        == 412
    )
    # field paths in validation errors
    bad = {"lines": [{"line_id": line["id"], "quantity": -5}]}
    r = client.patch(
        f"/api/v1/purchase-orders/{oid}",
        json=bad,
        headers={**keys["planner"], "If-Match": r.headers["ETag"]},
    )
    assert r.status_code == 422 and r.mimetype == PROBLEM
    assert r.get_json()["errors"][0]["pointer"] == "/lines/0/quantity"
    # once approved, lines cannot be edited
    r2 = client.post(f"/api/v1/purchase-orders/{oid}/approve", headers=keys["planner"])
    r = client.patch(
        f"/api/v1/purchase-orders/{oid}",
        json=body,
        headers={**keys["planner"], "If-Match": r2.headers["ETag"]},
    )
    assert r.status_code == 409


def test_list_filters(client, keys, plan):
    get = lambda q: client.get(f"/api/v1/purchase-orders?{q}", headers=keys["viewer"]).get_json()  # noqa: E731
    assert get("supplier=S2")["total"] == 1
    assert get("item=OJ04")["total"] == 1
    assert get("status=proposed")["total"] == 3
    released(client, keys, plan["orders"]["S2"][0])
    assert get("status=released")["total"] == 1
    assert (
        client.get("/api/v1/purchase-orders?status=bogus", headers=keys["viewer"]).status_code
        == 422
    )


def test_change_outside_tolerance_waits_for_review(client, keys, plan):
    oid = plan["orders"]["S1"][0]
    etag = released(client, keys, oid)
    lines = _order(client, keys, oid).get_json()["lines"]
    ack = {
        "lines": [
            {
                "line_id": lines[0]["id"],
                "decision": "accept_with_changes",
                "quantity": lines[0]["quantity_proposed"] * 0.98,
            },
            {"line_id": lines[1]["id"], "decision": "backorder", "date": "2027-01-15"},
        ]
    }
    r = client.post(
        f"/api/v1/supplier/purchase-orders/{oid}/acknowledgements",
        json=ack,
        headers={**keys["s1"], "If-Match": etag, "Idempotency-Key": "k1"},
    )
    assert r.status_code == 200, r.get_json()
    results = {x["line_id"]: x for x in r.get_json()["results"]}
    assert results[lines[0]["id"]]["status"] == "accepted"  # -2 % is within the 5 % tolerance
    assert (
        results[lines[1]["id"]]["status"] == "changed" and results[lines[1]["id"]]["needs_review"]
    )
    pending = client.get("/api/v1/supplier-changes", headers=keys["viewer"]).get_json()
    assert [x["id"] for x in pending["items"]] == [lines[1]["id"]]
    r = client.post(
        f"/api/v1/purchase-orders/{oid}/review",
        headers=keys["planner"],
        json={"lines": [{"line_id": lines[1]["id"], "decision": "accept"}]},
    )
    assert r.status_code == 200
    line = next(x for x in r.get_json()["lines"] if x["id"] == lines[1]["id"])
    assert line["status"] == "accepted" and line["confirmed_date"] == "2027-01-15"
    assert client.get("/api/v1/supplier-changes", headers=keys["viewer"]).get_json()["total"] == 0
    # confirmed quantities and dates are the open supply the next plan run sees
    from api.jobs.plan_job import open_orders_frame
    from api.services.uow import read_only

    with read_only(client.application.extensions["stockpilot"].sessions) as s:
        supply = open_orders_frame(s).set_index("item_id")
    assert supply.loc[lines[1]["item_id"], "due_date"].date().isoformat() == "2027-01-15"
    assert supply.loc[lines[0]["item_id"], "quantity"] == lines[0]["quantity_proposed"] * 0.98


def test_shipment_and_receipt_close_the_loop(client, keys, plan):
    oid = plan["orders"]["S2"][0]
    etag = released(client, keys, oid)
    line = _order(client, keys, oid).get_json()["lines"][0]
    r = client.post(
        f"/api/v1/supplier/purchase-orders/{oid}/acknowledgements",
        json={"lines": [{"line_id": line["id"], "decision": "accept"}]},
        headers={**keys["s2"], "If-Match": etag, "Idempotency-Key": "a"},
    )
    assert r.status_code == 200
    asn = {
        "order_id": oid,
        "carrier": "SF",
        "tracking": "SF123",
        "expected_arrival": "2026-12-20",
        "lines": [{"line_id": line["id"], "quantity": 800}],
    }
    r = client.post("/api/v1/supplier/shipments", json=asn, headers=keys["s2"])
    assert r.status_code == 201 and r.get_json()["tracking"] == "SF123"
    r = client.post(
        f"/api/v1/purchase-orders/{oid}/receipts",
        headers=keys["planner"],
        json={"lines": [{"line_id": line["id"], "quantity": 800}]},
    )
    assert r.status_code == 200 and r.get_json()["lines"][0]["status"] == "received"
    assert (
        client.post(f"/api/v1/purchase-orders/{oid}/close", headers=keys["planner"]).get_json()[
            "status"
        ]
        == "closed"
    )
    actions = [
        h["action"]
        for h in client.get(
            f"/api/v1/purchase-orders/{oid}/history", headers=keys["viewer"]
        ).get_json()
    ]
    assert actions == ["approve", "release", "acknowledge", "ship", "receive", "close"]


def test_explain_plan_line(client, keys, plan):
    lines = client.get("/api/v1/plan-lines?type=PO&item=OJ01", headers=keys["viewer"]).get_json()[
        "items"
    ]
    r = client.get(f"/api/v1/plan-lines/{lines[0]['id']}/explanation", headers=keys["viewer"])
    assert r.status_code == 200
    body = r.get_json()
    assert body["reasons"] == {"stockout_date": "2026-12-28", "rule": "case pack"}
    assert (
        "Buy 1000 of OJ01 from supplier S1" in body["summary"]
        and "stockout date: 2026-12-28" in body["summary"]
    )
    assert (
        client.get("/api/v1/plan-lines/999999/explanation", headers=keys["viewer"]).status_code
        == 404
    )
