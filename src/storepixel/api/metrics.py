"""Prometheus metrics: HTTP requests by route and status, and live camera health.

Each app has its own registry (tests create many apps). Camera gauges are read from the running
Supervisors at scrape time and, for an API key, only for its own site.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATES = ("connecting", "streaming", "reconnecting", "stopped", "error")


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "storepixel_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "storepixel_http_request_duration_seconds",
            "Time to answer HTTP requests, by method and route template.",
            ("method", "route"),
            registry=self.registry,
        )

    def render(self, supervisors: dict[str, Any], site_ids: Iterable[str]) -> bytes:
        cameras = CollectorRegistry()
        cameras.register(_CameraCollector(supervisors, list(site_ids)))
        return generate_latest(self.registry) + generate_latest(cameras)


class _CameraCollector(Collector):
    def __init__(self, supervisors: dict[str, Any], site_ids: list[str]) -> None:
        self.supervisors = supervisors
        self.site_ids = site_ids

    def collect(self) -> Iterator[GaugeMetricFamily]:
        labels = ["site", "camera"]
        up = GaugeMetricFamily("storepixel_camera_up", "1 while the camera streams.", labels=labels)
        state = GaugeMetricFamily(
            "storepixel_camera_state",
            "1 for the camera's current state.",
            labels=[*labels, "state"],
        )
        gauges = {
            "input_fps": GaugeMetricFamily(
                "storepixel_camera_input_fps", "Frames per second received.", labels=labels
            ),
            "analysed_fps": GaugeMetricFamily(
                "storepixel_camera_analysed_fps", "Frames per second analysed.", labels=labels
            ),
            "dropped_frames": GaugeMetricFamily(
                "storepixel_camera_dropped_frames", "Frames dropped since start.", labels=labels
            ),
            "reconnect_count": GaugeMetricFamily(
                "storepixel_camera_reconnects", "Reconnections since start.", labels=labels
            ),
            "uptime_s": GaugeMetricFamily(
                "storepixel_camera_uptime_seconds",
                "Seconds the connection has streamed.",
                labels=labels,
            ),
        }
        for site_id in self.site_ids:
            supervisor = self.supervisors.get(site_id)
            if supervisor is None:
                continue
            for camera_id, health in supervisor.health().items():
                values = [site_id, camera_id]
                current = getattr(health, "state", "")
                up.add_metric(values, 1.0 if current == "streaming" else 0.0)
                for name in STATES:
                    state.add_metric([*values, name], 1.0 if current == name else 0.0)
                for attr, gauge in gauges.items():
                    gauge.add_metric(values, float(getattr(health, attr, 0) or 0))
        yield up
        yield state
        yield from gauges.values()


class MetricsMiddleware:
    """Counts every HTTP request by its route *template* (``/api/sites/{site}/…``), so the
    label set stays small whatever the URLs."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method, template, str(status[0])).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)
