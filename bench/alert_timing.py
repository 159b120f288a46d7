"""Alert timing on real footage: when does a queue rule fire, against hand-labelled truth?

Analyses vtest.avi as bench/sites/vtest-lawn.yaml (a pair walks onto the lawn; the rule wants
more than one person there for 2 s), runs the site's alert rules over the events and compares
the alert's capture times with bench/truth/vtest-lawn-pair.yaml. Writes
bench/results/alert_timing.json.

    PYTHONPATH=src python bench/alert_timing.py [--video data/samples/vtest.avi]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import yaml

from storepixel.config.site import load_site
from storepixel.events.bus import build_bus
from storepixel.outputs.sink import outward_of
from storepixel.pipeline.file_job import analyze_file
from storepixel.store import open_store

HERE = Path(__file__).resolve().parent
ANCHOR = 1_714_557_600.0  # 2024-05-01T10:00:00Z: frame 0's capture time


def measure(video: Path) -> dict[str, Any]:
    site = load_site(HERE / "sites" / "vtest-lawn.yaml")
    truth = yaml.safe_load((HERE / "truth" / "vtest-lawn-pair.yaml").read_text())
    cam = site.camera("cam1")
    cpu = time.process_time()
    # The real path: the file's events go through the site's event bus, whose alert rules are
    # evaluated to the footage's last frame when the file is done.
    with open_store("sqlite://") as store, build_bus(site, store) as bus:
        analyze_file(video, site, cam, bus, start=ANCHOR)
        outward = outward_of(bus)
        assert outward is not None
        raised = outward.alert_changes
    changes = [(c.alert_id, c.change, round(c.time - ANCHOR, 2)) for c in raised]
    opened = [t for _, kind, t in changes if kind == "opened"]
    resolved = [t for _, kind, t in changes if kind == "resolved"]
    return {
        "video": video.name,
        "truth": truth,
        "changes": changes,
        "alerts": len({a for a, _, _ in changes}),
        "opened_s": opened,
        "resolved_s": resolved,
        "open_error_s": round(opened[0] - truth["condition_true_s"], 2) if opened else None,
        "resolve_error_s": round(resolved[0] - truth["condition_false_s"], 2) if resolved else None,
        "cpu_s": round(time.process_time() - cpu, 1),
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=Path("data/samples/vtest.avi"))
    parser.add_argument("--out", type=Path, default=HERE / "results" / "alert_timing.json")
    args = parser.parse_args()
    report = measure(args.video)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
