"""Fuzz every operation of the OpenAPI schema (schemathesis): whatever the input, never a 5xx.

The app is real (two sites from YAML, a SQLite store with events, an admin session with its CSRF
token); path parameters are steered to existing sites and cameras half of the time, so the
handlers behind the 404s are reached too. Bounded examples keep it well under two minutes.
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest
import schemathesis
import yaml
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from storepixel.api.app import create_app
from storepixel.config.site import load_site
from storepixel.store import accounts, open_store
from storepixel.types import Event
from tests.unit.api.conftest import PASSWORD, SITE_A, SITE_B

EXISTING = {"site": "lisbon", "cam": "door", "line_id": "entrance", "zone_id": "till"}
# Values random strings never reach: the ends of the calendar and of floats (issue 16, finding 8).
EXTREME = {
    "from": ["9999-12-31T23:00:00", "0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z"],
    "to": ["9999-12-31T23:59:59", "0001-01-01T00:30:00"],
    "date": ["9999-12-31", "0001-01-01", "1970-01-01"],
    "start": ["9999-12-31T23:00:00"],
    "cursor": ["1e999/x", "-1e999/x", "nan/x", "1e308/x"],
}


@pytest.fixture(scope="module")
def app_and_auth(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    folder = tmp_path_factory.mktemp("fuzz")
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024)  # test-sized cost
    sites = []
    for data in (SITE_A, SITE_B):
        path = folder / f"{data['site']['id']}.yaml"  # type: ignore[index]
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        sites.append(load_site(path))
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    store.write_events(
        Event(
            f"e{i}",
            "line_crossing",
            "lisbon",
            "door",
            1714557600.0 + i * 60,
            f"t{i}",
            "entrance",
            {"direction": "in", "line_id": "entrance"},
        )
        for i in range(50)
    )
    accounts.create_user(store, "alice", PASSWORD, "admin")
    app = create_app(
        sites, store, data_dir=folder / "data", secret_key="f" * 40, max_upload_bytes=1024 * 1024
    )
    client = TestClient(app)
    r = client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    cookie = r.cookies.get("storepixel_session")
    headers = {"X-CSRF-Token": r.json()["csrf_token"], "Cookie": f"storepixel_session={cookie}"}
    return app, headers


@pytest.fixture(scope="module")
def api_schema(app_and_auth: tuple[Any, dict[str, str]]) -> Any:
    app, headers = app_and_auth
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)


SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def _check(case: Any, headers: dict[str, str]) -> None:
    params = case.path_parameters or {}
    if params and zlib.crc32(repr(sorted(params.items())).encode()) % 2 == 0:
        for name in params:
            if name in EXISTING:
                params[name] = EXISTING[name]
    if case.operation.path == "/api/users/{name}" and params.get("name") == "alice":
        params["name"] = "someone-else"  # keep the session alive for the other examples
    response = case.call(headers=headers)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
    )
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        detail = response.json().get("detail")
        assert isinstance(detail, str) and "\n" not in detail, detail


@pytest.mark.slow
def test_no_server_errors(api_schema: Any, app_and_auth: tuple[Any, dict[str, str]]) -> None:
    _, headers = app_and_auth
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30
    failures = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            if operation.path == "/api/auth/logout":
                continue  # would end the session every other operation uses
            try:
                strategy = operation.as_strategy(generation_mode=mode)
            except Exception:  # nothing to make invalid (no parameters, no body)
                continue

            @SETTINGS
            @given(case=strategy)
            def run(case: Any) -> None:
                _check(case, headers)

            try:
                run()
            except AssertionError as err:
                failures.append(f"{mode.value} {operation.method.upper()} {operation.path}: {err}")
            except Unsatisfiable:
                pass  # no negative example exists for this operation
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_extreme_dates_and_cursors_never_5xx(
    api_schema: Any, app_and_auth: tuple[Any, dict[str, str]]
) -> None:
    """Every operation with a time, date or cursor parameter, at the ends of the calendar."""
    _, headers = app_and_auth
    tried, failures = 0, []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.query}
        path = {p.name: EXISTING.get(p.name, "x") for p in operation.path_parameters}
        for name in sorted(names & set(EXTREME)):
            for value in EXTREME[name]:
                case = operation.Case(path_parameters=dict(path), query={name: value})
                response = case.call(headers=headers)
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}?{name}={value}")
    assert tried > 20
    assert not failures, "\n".join(failures)
