"""/healthz and the Prometheus /metrics endpoint."""

from __future__ import annotations

from fastapi.testclient import TestClient

from storepixel.store import Store
from tests.unit.api.conftest import key_for, login


def test_metrics_count_requests_by_route_template(admin: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = admin
    client.get("/api/sites/lisbon/cameras/door")
    client.get("/api/sites/lisbon/cameras/aisle")
    client.get("/api/sites/lisbon/cameras/nope")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    route = 'route="/api/sites/{site}/cameras/{cam}"'
    assert f'storepixel_http_requests_total{{method="GET",{route},status="200"}} 2.0' in text
    assert f'storepixel_http_requests_total{{method="GET",{route},status="404"}} 1.0' in text
    assert "storepixel_http_request_duration_seconds_bucket" in text
    assert "storepixel_camera_up" in text  # the family is there; no live cameras, no samples


def test_metrics_need_auth_and_read(client: TestClient, store: Store) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=key_for(store, "lisbon", "read")).status_code == 200


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_docs_are_local_and_behind_login(client: TestClient) -> None:
    assert client.get("/openapi.json").status_code == 401
    r = client.get("/docs", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    login(client, "victor")
    page = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_openapi_lists_every_resource(client: TestClient) -> None:
    login(client, "victor")
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/sites/{site}/cameras/{cam}/zones/{zone_id}",
        "/api/sites/{site}/analytics/heatmap.png",
        "/api/sites/{site}/events/export",
        "/api/sites/{site}/jobs",
        "/api/keys/{key_id}",
        "/api/sites/{site}/ingest",
        "/api/fleet",
        "/metrics",
    ):
        assert path in paths
    upload = paths["/api/sites/{site}/jobs"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
