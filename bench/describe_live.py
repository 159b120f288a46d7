"""Live describing: chunk closed → description stored, and → its alert on the event bus.

    .venv/bin/python bench/describe_live.py [--seconds 150] [--out bench/results/describe_live.json]

Runs the live daemon (``storepixel run``'s Supervisor) on vtest.avi played in real time and
looped, with the site's ``describe:`` pointing at a local server that speaks Gemini's wire
protocol (the real ``google-genai`` SDK talks to it) and answers after a random 0.3–1.0 s, each
answer with one alert. Reports p50/p99 of (description stored − chunk closed) and of (``vlm_alert``
event handed to a bus consumer − chunk closed), wall clock, and the CPU time the describer's
worker spent per chunk (on a loaded shared box wall time mostly measures the wait for a core).
The local server stands in for the provider's latency only; tokens and text are not Gemini's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from tests.fixtures.vlm_server import VlmServer  # noqa: E402

from live_common import percentile  # noqa: E402
from storepixel.config.site import parse_site  # noqa: E402
from storepixel.pipeline.supervisor import Supervisor  # noqa: E402
from storepixel.store import open_store  # noqa: E402
from storepixel.types import Event  # noqa: E402


class AlertClock:
    """A bus consumer noting when each vlm_alert reaches it."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}

    def write_events(self, events: Sequence[Event]) -> None:
        now = time.time()
        for e in events:
            if e.kind == "vlm_alert":
                self.seen.setdefault(str(e.properties["chunk_id"]), now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=150.0)
    parser.add_argument("--out", type=Path, default=REPO / "bench/results/describe_live.json")
    args = parser.parse_args()
    server = VlmServer(default="alert", delay_s=(0.3, 1.0)).start()
    os.environ.setdefault("GEMINI_API_KEY", "local-stand-in")
    site = parse_site(
        {
            "site": {"id": "live", "timezone": "UTC"},
            "describe": {"provider": "gemini", "base_url": server.gemini_url},
            "cameras": [
                {
                    "id": "plaza",
                    "source": str(REPO / "data/samples/vtest.avi"),
                    "loop": True,
                    "analysis_fps": 5,
                }
            ],
        }
    )
    clock = AlertClock()
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/s.db") as store:
        sup = Supervisor(site, store)
        sup.bus.subscribe(clock)
        sup.start()
        time.sleep(args.seconds)
        sup.stop(timeout=60)
    server.stop()
    assert sup.describer is not None
    outcomes = [o for o in sup.describer.describer.outcomes if o.status == "done"]
    stored = [o.latency_s for o in outcomes]
    cpu = [o.cpu_s for o in outcomes]
    alerts = [clock.seen[o.key] - o.submitted for o in outcomes if o.key in clock.seen]
    result = {
        "command": f"python bench/describe_live.py --seconds {args.seconds:g}",
        "server_delay_s": [0.3, 1.0],
        "chunks_done": len(outcomes),
        "stored_p50_s": percentile(stored, 50),
        "stored_p99_s": percentile(stored, 99),
        "stored_max_s": max(stored, default=None),
        "alerts_seen": len(alerts),
        "alert_p50_s": percentile(alerts, 50),
        "alert_p99_s": percentile(alerts, 99),
        "alert_max_s": max(alerts, default=None),
        # CPU the describer's worker spent per chunk (frame choice, blur, JPEG, SDK, store):
        # on an idle machine, closed → stored is about this plus the server's 0.3-1.0 s.
        "describe_cpu_p50_s": percentile(cpu, 50),
        "describe_cpu_p99_s": percentile(cpu, 99),
        "load_avg": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
