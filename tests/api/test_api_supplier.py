"""Supplier routes: isolation between suppliers (404, never another supplier's data), the
change feed (cursor, updated_since, ETag / 304), idempotent acknowledgements, and two
concurrent acknowledgements of one order (one applied, the other 412/409 — no lost update)."""

from __future__ import annotations

import threading

from tests.api.conftest import released

ACK = "/api/v1/supplier/purchase-orders/{}/acknowledgements"


def _lines(client, keys, oid):
    return client.get(f"/api/v1/purchase-orders/{oid}", headers=keys["planner"]).get_json()["lines"]


def test_supplier_a_cannot_read_or_change_supplier_b(client, keys, plan, app):
    a_order = plan["orders"]["S1"][0]
    b_order = plan["orders"]["S2"][0]
    released(client, keys, a_order)
    b_etag = released(client, keys, b_order)
    b_line = _lines(client, keys, b_order)[0]["id"]
    s1 = keys["s1"]
    # the feed of S1 holds only S1's orders
    feed = client.get("/api/v1/supplier/purchase-orders", headers=s1).get_json()
    assert [o["id"] for o in feed["items"]] == [a_order]
    assert all(line["supplier_id"] == "S1" for o in feed["items"] for line in o["lines"])
    # every supplier route with B's order answers 404, exactly like an unknown order
    missing = client.get("/api/v1/supplier/purchase-orders/NO-SUCH", headers=s1)
    r = client.get(f"/api/v1/supplier/purchase-orders/{b_order}", headers=s1)
    assert r.status_code == missing.status_code == 404
    assert r.get_json()["title"] == missing.get_json()["title"]
    ack = {"lines": [{"line_id": b_line, "decision": "reject", "reason": "not ours"}]}
    r = client.post(
        ACK.format(b_order), json=ack, headers={**s1, "If-Match": b_etag, "Idempotency-Key": "x1"}
    )
    assert r.status_code == 404
    asn = {
        "order_id": b_order,
        "expected_arrival": "2026-12-20",
        "lines": [{"line_id": b_line, "quantity": 1}],
    }
    assert client.post("/api/v1/supplier/shipments", json=asn, headers=s1).status_code == 404
    # lines of B named inside A's order are refused too
    a_etag = client.get(f"/api/v1/supplier/purchase-orders/{a_order}", headers=s1).headers["ETag"]
    r = client.post(
        ACK.format(a_order), json=ack, headers={**s1, "If-Match": a_etag, "Idempotency-Key": "x2"}
    )
    assert r.status_code == 422
    asn["order_id"] = a_order
    assert client.post("/api/v1/supplier/shipments", json=asn, headers=s1).status_code == 422
    # planner routes are closed to suppliers
    for method, url in (
        ("GET", f"/api/v1/purchase-orders/{b_order}"),
        ("POST", f"/api/v1/purchase-orders/{b_order}/cancel"),
        ("GET", f"/api/v1/plan-lines/{b_line}/explanation"),
        ("GET", "/api/v1/supplier-changes"),
    ):
        assert client.open(url, method=method, headers=s1).status_code == 403
    # B's order is untouched
    b = client.get(f"/api/v1/supplier/purchase-orders/{b_order}", headers=keys["s2"])
    assert (
        b.status_code == 200
        and b.headers["ETag"] == b_etag
        and b.get_json()["status"] == "released"
    )
    # unreleased orders of S1 itself are not visible either
    other_a = plan["orders"]["S1"][1]
    assert client.get(f"/api/v1/supplier/purchase-orders/{other_a}", headers=s1).status_code == 404


def test_sell_through_only_own_items(client, keys, plan):
    r = client.get("/api/v1/supplier/sell-through?days=28", headers=keys["s2"])
    assert r.status_code == 200
    body = r.get_json()
    # S2 supplies OJ02, OJ06, OJ09, OJ10 (scenarios/sample/itemsuppliers.csv)
    assert {row["item_id"] for row in body["rows"]} <= {"OJ02", "OJ06", "OJ09", "OJ10"}
    assert {row["item_id"] for row in body["rows"]} & {"OJ02", "OJ06"}
    assert any(row["sold_qty"] > 0 for row in body["rows"])


def test_feed_cursor_updated_since_and_304(client, keys, plan):
    for oid in plan["orders"]["S1"]:
        released(client, keys, oid)
    s1 = keys["s1"]
    page1 = client.get("/api/v1/supplier/purchase-orders?limit=1", headers=s1)
    assert page1.status_code == 200
    body1 = page1.get_json()
    assert len(body1["items"]) == 1 and body1["next_cursor"]
    page2 = client.get(
        f"/api/v1/supplier/purchase-orders?limit=1&cursor={body1['next_cursor']}", headers=s1
    ).get_json()
    assert len(page2["items"]) == 1 and page2["items"][0]["id"] != body1["items"][0]["id"]
    page3 = client.get(
        f"/api/v1/supplier/purchase-orders?limit=1&cursor={page2['next_cursor']}", headers=s1
    ).get_json()
    assert page3["items"] == [] and page3["next_cursor"] is None
    # conditional polling
    full = client.get("/api/v1/supplier/purchase-orders", headers=s1)
    etag = full.headers["ETag"]
    again = client.get("/api/v1/supplier/purchase-orders", headers={**s1, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # a change moves the order to the end of the feed and changes the ETag
    first = full.get_json()["items"][0]
    line = first["lines"][0]["id"]
    r = client.post(
        ACK.format(first["id"]),
        json={"lines": [{"line_id": line, "decision": "accept"}]},
        headers={**s1, "If-Match": first["etag"], "Idempotency-Key": "f1"},
    )
    assert r.status_code == 200
    changed = client.get("/api/v1/supplier/purchase-orders", headers={**s1, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["items"][-1]["id"] == first["id"]
    since = changed.get_json()["items"][0]["updated_at"]
    newer = client.get(
        "/api/v1/supplier/purchase-orders", headers=s1, query_string={"updated_since": since}
    ).get_json()
    assert [o["id"] for o in newer["items"]] == [first["id"]]
    # a forged cursor and a naive timestamp are validation errors, not 500s
    assert client.get("/api/v1/supplier/purchase-orders?cursor=abc", headers=s1).status_code == 422
    assert (
        client.get(
            "/api/v1/supplier/purchase-orders?updated_since=2026-01-01T00:00:00", headers=s1
        ).status_code
        == 422
    )


def test_acknowledgement_replay_applied_once(client, keys, plan, sessions):
    from sqlalchemy import func, select

    from api.db.models import AuditEvent
    from api.services.uow import read_only

    oid = plan["orders"]["S1"][0]
    etag = released(client, keys, oid)
    lines = _lines(client, keys, oid)
    ack = {
        "lines": [
            {"line_id": lines[0]["id"], "decision": "accept"},
            {"line_id": lines[1]["id"], "decision": "reject", "reason": "discontinued"},
        ]
    }
    headers = {**keys["s1"], "If-Match": etag, "Idempotency-Key": "ack-001"}
    first = client.post(ACK.format(oid), json=ack, headers=headers)
    assert first.status_code == 200
    replay = client.post(
        ACK.format(oid), json=ack, headers=headers
    )  # If-Match is stale now: still replayed
    assert replay.status_code == 200 and replay.get_json() == first.get_json()
    assert (
        replay.headers["Idempotent-Replayed"] == "true"
        and replay.headers["ETag"] == first.headers["ETag"]
    )
    with read_only(sessions) as s:
        n = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "acknowledge")
        )
    assert n == 2  # one per line, once
    order = client.get(f"/api/v1/supplier/purchase-orders/{oid}", headers=keys["s1"]).get_json()
    assert order["revision"] == 4  # approve, release, one acknowledgement
    assert first.get_json()["order"] == order  # the answer shows the order exactly as stored
    # same key, another body → refused
    other = {
        "lines": [{"line_id": lines[0]["id"], "decision": "reject", "reason": "changed my mind"}]
    }
    r = client.post(ACK.format(oid), json=other, headers=headers)
    assert r.status_code == 422 and "Idempotency-Key" in r.get_json()["detail"]
    # missing key, missing If-Match
    r = client.post(
        ACK.format(oid), json=ack, headers={**keys["s1"], "If-Match": first.headers["ETag"]}
    )
    assert r.status_code == 400
    r = client.post(ACK.format(oid), json=ack, headers={**keys["s1"], "Idempotency-Key": "k-new"})
    assert r.status_code == 428
    # acknowledging an answered line again is an illegal transition
    r = client.post(
        ACK.format(oid),
        json=ack,
        headers={**keys["s1"], "If-Match": first.headers["ETag"], "Idempotency-Key": "k-new2"},
    )
    assert r.status_code == 409


def test_reject_needs_reason_and_stale_etag_412(client, keys, plan):
    oid = plan["orders"]["S2"][0]
    etag = released(client, keys, oid)
    line = _lines(client, keys, oid)[0]["id"]
    r = client.post(
        ACK.format(oid),
        json={"lines": [{"line_id": line, "decision": "reject"}]},
        headers={**keys["s2"], "If-Match": etag, "Idempotency-Key": "r1"},
    )
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "/lines/0/reason"
    r = client.post(
        ACK.format(oid),
        json={"lines": [{"line_id": line, "decision": "accept"}]},
        headers={**keys["s2"], "If-Match": '"r1"', "Idempotency-Key": "r2"},
    )
    assert r.status_code == 412


def test_concurrent_acknowledgements_one_wins(app, keys, plan):
    """Real threads, real database: both send the same If-Match with different keys and
    bodies; exactly one is applied, the other gets 412 (or 409), and the stored line matches
    the winner."""
    client = app.test_client()
    oid = plan["orders"]["S1"][0]
    etag = released(client, keys, oid)
    line = _lines(client, keys, oid)[0]["id"]
    bodies = [
        {"lines": [{"line_id": line, "decision": "accept"}]},
        {"lines": [{"line_id": line, "decision": "reject", "reason": "no capacity"}]},
    ]
    barrier = threading.Barrier(2)
    results = [None, None]

    def send(i):
        c = app.test_client()
        barrier.wait()
        r = c.post(
            ACK.format(oid),
            json=bodies[i],
            headers={**keys["s1"], "If-Match": etag, "Idempotency-Key": f"conc-{i}"},
        )
        results[i] = (r.status_code, r.get_json())

    for _ in range(3):  # repeat: the interleaving differs from run to run
        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r[0] for r in results)
        if codes[0] == 200:
            break
    assert codes[0] == 200 and codes[1] in (409, 412), results
    winner = next(r[1] for r in results if r[0] == 200)
    final = client.get(f"/api/v1/supplier/purchase-orders/{oid}", headers=keys["s1"]).get_json()
    status = next(x for x in final["lines"] if x["id"] == line)["status"]
    assert status == winner["results"][0]["status"]
    assert final["revision"] == 4
    hist = client.get(f"/api/v1/purchase-orders/{oid}/history", headers=keys["viewer"]).get_json()
    assert sum(1 for h in hist if h["action"] == "acknowledge") == 1
