"""Data tables through the API: list, bulk upsert as JSON or CSV with exactly the validation
of ``stockpilot import`` (every issue reported as problem+json, nothing written), and large
imports as a job."""

from __future__ import annotations

import io

from sqlalchemy import func, select


def _count(sessions, model):
    from api.services.uow import read_only

    with read_only(sessions) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_list_table(client, keys):
    r = client.get("/api/v1/data/suppliers", headers=keys["viewer"])
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 4 and [x["supplier_id"] for x in body["items"]] == [
        "S1",
        "S2",
        "S3",
        "S4",
    ]
    assert client.get("/api/v1/data/nonsense", headers=keys["viewer"]).status_code == 404
    sales = client.get("/api/v1/data/sales?limit=2", headers=keys["viewer"]).get_json()
    assert len(sales["items"]) == 2 and sales["total"] > 2 and len(sales["items"][0]["date"]) == 10


def test_upsert_json_and_csv(client, keys, sessions):
    from api.db.models import Supplier

    rows = [
        {"supplier_id": "S9", "name": "Nine", "order_cost": 50},
        {"supplier_id": "S1", "name": "Sunrise Citrus", "order_cost": 78},
    ]
    r = client.post("/api/v1/data/suppliers", json=rows, headers=keys["planner"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {
        "inserted": {"suppliers": 1},
        "updated": {"suppliers": 0},
        "unchanged": {"suppliers": 1},
    }
    csv = b"supplier_id,name,order_cost\nS9,Nine,55\n"
    r = client.post(
        "/api/v1/data/suppliers", data=csv, headers={**keys["planner"], "Content-Type": "text/csv"}
    )
    assert r.get_json()["updated"] == {"suppliers": 1}
    assert _count(sessions, Supplier) == 5
    assert (
        client.post("/api/v1/data/suppliers", json=rows, headers=keys["viewer"]).status_code == 403
    )
    r = client.post(
        "/api/v1/data/suppliers", data="x", headers={**keys["planner"], "Content-Type": "image/png"}
    )
    assert r.status_code == 415


def test_bad_rows_every_issue_reported_nothing_written(client, keys, sessions):
    from api.db.models import Item, Sale

    n_sales = _count(sessions, Sale)
    csv = (
        b"item_id,location_id,date,qty\n"
        b"OJ01,S100,2026-01-05,3\n"
        b"OJ01,S100,05/01/2026,4\n"  # date in the wrong format
        b"OJ01,S100,2026-01-07,-2\n"  # negative quantity
        b"NOPE,S100,2026-01-08,1\n"
    )  # unknown item
    r = client.post(
        "/api/v1/data/sales", data=csv, headers={**keys["planner"], "Content-Type": "text/csv"}
    )
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["type"].endswith(":data-validation")
    found = {(e["row"], e["column"]) for e in body["errors"]}
    assert {(2, "date"), (3, "qty")} <= found
    assert _count(sessions, Sale) == n_sales
    # reference errors are found too (once the rows themselves are valid)
    r = client.post(
        "/api/v1/data/sales",
        json=[{"item_id": "NOPE", "location_id": "S100", "date": "2026-01-08", "qty": 1}],
        headers=keys["planner"],
    )
    assert r.status_code == 422 and r.get_json()["errors"][0]["column"] == "item_id"
    # a case pack of 0, a missing column
    r = client.post("/api/v1/data/items", json=[{"item_id": "X1"}], headers=keys["planner"])
    assert r.status_code == 422 and len(r.get_json()["errors"]) >= 2
    r = client.post(
        "/api/v1/data/sales",
        data=b"\xff\xfe\x00bad",
        headers={**keys["planner"], "Content-Type": "text/csv"},
    )
    assert r.status_code == 422
    r = client.post("/api/v1/data/items", json={"not": "rows"}, headers=keys["planner"])
    assert r.status_code == 400
    assert _count(sessions, Item) == 13


def test_import_job(client, keys, sessions):
    from api.db.models import Supplier
    from api.jobs.worker import Worker

    files = {
        "suppliers": (io.BytesIO(b"supplier_id,name,order_cost\nS7,Seven,10\n"), "suppliers.csv"),
        "itemsuppliers": (
            io.BytesIO(
                b"item_id,supplier_id,location_id,unit_cost,lead_time_days,lead_time_std_days,"
                b"size_minimum,size_multiple,size_maximum,capacity_per_week,priority,"
                b"effective_start,effective_end\nOJ01,S7,,1.0,14,2,100,0,,,2,,\n"
            ),
            "itemsuppliers.csv",
        ),
    }
    r = client.post(
        "/api/v1/imports", data=files, headers=keys["planner"], content_type="multipart/form-data"
    )
    assert r.status_code == 202
    url = r.headers["Location"]
    Worker(sessions, {}).run_once()
    job = client.get(url, headers=keys["viewer"]).get_json()
    # the case pack of 0 fails the whole import: the supplier is not written either
    assert job["status"] == "failed"
    assert any(i["column"] == "size_multiple" for i in job["error"]["issues"])
    assert _count(sessions, Supplier) == 4
    files = {
        "suppliers": (io.BytesIO(b"supplier_id,name,order_cost\nS7,Seven,10\n"), "suppliers.csv")
    }
    r = client.post(
        "/api/v1/imports", data=files, headers=keys["planner"], content_type="multipart/form-data"
    )
    Worker(sessions, {}).run_once()
    job = client.get(r.headers["Location"], headers=keys["viewer"]).get_json()
    assert job["status"] == "succeeded" and job["result"]["inserted"] == {"suppliers": 1}
    assert _count(sessions, Supplier) == 5
    r = client.post("/api/v1/imports", json={}, headers=keys["planner"])
    assert r.status_code == 415
