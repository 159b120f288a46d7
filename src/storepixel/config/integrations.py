"""The outward side of a site file: ``alerts``, ``outputs`` and ``retention``.

>>> rule = AlertRuleConfig.model_validate(
...     {"id": "queue", "rule": "queue_length_over", "zone": "till", "people": 4, "seconds": 30})
>>> rule.severity, rule.cooldown_s
('warning', 60.0)
>>> RetentionConfig().days("descriptions"), RetentionConfig().days("metrics")
(1.0, 730.0)
>>> OutputConfig.model_validate({"kind": "webhook", "url": "http://127.0.0.1:9/h"}).select
['alerts', 'events']
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN)]
Severity = Literal["info", "warning", "critical"]
RuleKind = Literal[
    "queue_length_over",
    "wait_over",
    "occupancy_over",
    "zone_outside_hours",
    "dwell_over",
    "camera_down",
]
# Rules that are about a zone (the others are about a camera).
ZONE_RULES = frozenset(
    {"queue_length_over", "wait_over", "occupancy_over", "zone_outside_hours", "dwell_over"}
)
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def parse_hours(text: str) -> tuple[int, int]:
    """``"08:00-20:00"`` → minutes of the day (480, 1200); an end before the start crosses midnight.

    >>> parse_hours("22:00-06:30")
    (1320, 390)
    """
    m = _HOURS.match(text.strip())
    if not m:
        raise ValueError(f"expected opening hours as HH:MM-HH:MM (e.g. 08:00-20:00), got {text!r}")
    start = int(m.group(1)) * 60 + int(m.group(2))
    end = int(m.group(3)) * 60 + int(m.group(4))
    if end > 24 * 60 or start == end:
        raise ValueError(f"opening hours {text!r} must be a non-empty span within one day")
    return start, end


class AlertRuleConfig(_Model):
    """One alert rule. Zone rules need ``zone``; ``camera`` narrows a rule to one camera."""

    id: Identifier = Field(description="Names the rule in alerts and messages.")
    rule: RuleKind = Field(
        description="queue_length_over (more than `people` in a queue zone for `seconds`), "
        "wait_over (someone waiting in a queue zone longer than `seconds`), occupancy_over "
        "(more than `people` in the zone, or the camera's view without `zone`, for `seconds`), "
        "zone_outside_hours (someone in the zone outside `hours`, site time), dwell_over "
        "(someone staying in the zone longer than `seconds`), camera_down (a camera without "
        "frames for `seconds`)."
    )
    camera: Identifier | None = Field(None, description="Only this camera (default: every one).")
    zone: Identifier | None = Field(None, description="The zone the rule watches.")
    people: int | None = Field(
        None, ge=0, description="The limit for queue_length_over and occupancy_over."
    )
    seconds: float = Field(
        0.0, ge=0.0, le=86400.0, description="How long the condition must hold (or the stay/wait)."
    )
    hours: list[str] = Field(
        default_factory=list,
        description="zone_outside_hours: opening hours in site time, e.g. ['08:00-20:00'].",
    )
    severity: Severity = Field("warning", description="info, warning or critical.")
    cooldown_s: float = Field(
        60.0,
        ge=0.0,
        le=86400.0,
        description="After the condition clears, a recurrence within this many seconds continues "
        "the same alert instead of raising a new one (the alert resolves when it has stayed "
        "clear this long, dated to when it cleared).",
    )

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: list[str]) -> list[str]:
        for text in value:
            parse_hours(text)
        return value

    @model_validator(mode="after")
    def _needs(self) -> AlertRuleConfig:
        if self.rule in ZONE_RULES and self.rule != "occupancy_over" and self.zone is None:
            raise ValueError(f"rule {self.rule} needs a zone")
        if self.rule in ("queue_length_over", "occupancy_over") and self.people is None:
            raise ValueError(f"rule {self.rule} needs people (the limit)")
        if self.rule == "zone_outside_hours" and not self.hours:
            raise ValueError("rule zone_outside_hours needs hours, e.g. ['08:00-20:00']")
        if self.rule in ("wait_over", "dwell_over", "camera_down") and self.seconds <= 0:
            raise ValueError(f"rule {self.rule} needs seconds > 0")
        return self


Selection = Literal["alerts", "events", "metrics"]
DEFAULT_SELECT: tuple[Selection, ...] = ("alerts", "events")


class OutputConfig(_Model):
    """One destination fed from the outbox. Secrets are named by environment variable, never
    written in the file (``secret_env``, ``password_env``, ``api_secret_env``,
    ``write_key_env``)."""

    kind: Literal["webhook", "mqtt", "ga4", "segment"] = Field(
        description="webhook (signed POST), mqtt (with Home Assistant discovery), ga4 "
        "(Measurement Protocol) or segment (a Segment-compatible track endpoint)."
    )
    id: Identifier | None = Field(None, description="Name in the outbox; default kind + position.")
    url: str | None = Field(
        None,
        description="webhook/segment: http(s) URL; mqtt: mqtt://HOST[:PORT] (1883 by default); "
        "ga4: the collect URL (default Google's Measurement Protocol endpoint).",
    )
    select: list[Selection] = Field(
        default_factory=lambda: list(DEFAULT_SELECT),
        description="What this destination receives: alerts, events and/or minute metrics.",
    )
    secret_env: str | None = Field(None, description="webhook: env var holding the HMAC secret.")
    topic_prefix: str = Field("storepixel", description="mqtt: topics start with this.")
    username: str | None = Field(None, description="mqtt: user name.")
    password_env: str | None = Field(None, description="mqtt: env var holding the password.")
    home_assistant: bool = Field(
        True, description="mqtt: publish Home Assistant discovery and live zone/line state."
    )
    measurement_id: str | None = Field(None, description="ga4: the G-XXXX measurement id.")
    api_secret_env: str | None = Field(None, description="ga4: env var holding the API secret.")
    write_key_env: str | None = Field(None, description="segment: env var holding the write key.")
    timeout_s: float = Field(10.0, gt=0.0, le=120.0, description="Per delivery attempt.")
    max_attempts: int = Field(
        10,
        ge=1,
        le=1000,
        description="A message the receiver rejects this many times is parked with the reason "
        "(a receiver that cannot be reached is waited for, however long).",
    )
    backoff_s: float = Field(1.0, gt=0.0, le=3600.0, description="First retry delay; doubles.")
    backoff_max_s: float = Field(300.0, gt=0.0, le=86400.0, description="Longest retry delay.")

    @model_validator(mode="after")
    def _complete(self) -> OutputConfig:
        if self.kind in ("webhook", "mqtt", "segment") and not self.url:
            raise ValueError(f"a {self.kind} output needs a url")
        if self.url and self.kind == "mqtt" and not self.url.startswith(("mqtt://", "mqtts://")):
            raise ValueError(f"an mqtt url starts with mqtt:// or mqtts://, got {self.url!r}")
        if self.url and self.kind != "mqtt" and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"a {self.kind} url starts with http:// or https://")
        if self.kind == "ga4" and not (self.measurement_id and self.api_secret_env):
            raise ValueError("a ga4 output needs measurement_id and api_secret_env")
        if self.kind == "segment" and not self.write_key_env:
            raise ValueError("a segment output needs write_key_env")
        return self


ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"


class ForwardConfig(_Model):
    """Forward this store's rows to a central ``storepixel serve`` while ``run`` (or ``serve
    --run``) works: the same sender as ``storepixel sync``, every ``interval_s``, resuming
    after restarts and outages from the store's outbox (docs/fleet.md)."""

    url: str = Field(description="The central server, e.g. https://central.example.com.")
    key_env: str = Field(
        "STOREPIXEL_INGEST_KEY",
        pattern=ENV_NAME,
        description="Environment variable holding the site's ingest key (never in the file).",
    )
    interval_s: float = Field(
        30.0, ge=1.0, le=86400.0, description="Seconds between rounds (also the health report)."
    )
    batch: int = Field(1000, ge=1, le=5000, description="Rows per request.")
    timeout_s: float = Field(30.0, gt=0.0, le=600.0, description="Seconds to wait for an answer.")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"forward.url starts with http:// or https://, got {value!r}")
        return value.rstrip("/")


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([dhm])$")


def parse_days(value: str | float | int) -> float:
    """``"90d"`` → 90.0, ``"12h"`` → 0.5, a bare number is days.

    >>> parse_days("12h"), parse_days(30)
    (0.5, 30.0)
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        days = float(value)
    else:
        m = _DURATION.match(str(value).strip())
        if not m:
            raise ValueError(f"expected a duration like 90d, 12h or 30m, got {value!r}")
        days = float(m.group(1)) / {"d": 1, "h": 24, "m": 1440}[m.group(2)]
    if days <= 0:
        raise ValueError(f"a retention must be longer than zero, got {value!r}")
    return days


# Data minimisation: what can single a person out (raw events, descriptions, media) is kept
# briefly; aggregates (minute metrics, hourly sessions) long enough to compare years.
RETENTION_DEFAULTS: dict[str, str] = {
    "events": "90d",
    "metrics": "730d",
    "sessions": "730d",
    "descriptions": "1d",
    "media": "1d",
    "alerts": "180d",
    "audit": "365d",
    "outbox": "7d",
    "receipts": "730d",
    "visitors": "30d",
}


class RetentionConfig(_Model):
    """How long each kind of data is kept (``90d``, ``12h``); see docs/retention.md."""

    events: str = Field(
        default=RETENTION_DEFAULTS["events"], description="Raw events (per person)."
    )
    metrics: str = Field(
        default=RETENTION_DEFAULTS["metrics"], description="Minute metrics, coverage."
    )
    sessions: str = Field(
        default=RETENTION_DEFAULTS["sessions"], description="Hourly camera sessions."
    )
    descriptions: str = Field(
        default=RETENTION_DEFAULTS["descriptions"], description="VLM scene descriptions (opt-in)."
    )
    media: str = Field(
        default=RETENTION_DEFAULTS["media"], description="Stored pictures/clips (opt-in)."
    )
    alerts: str = Field(default=RETENTION_DEFAULTS["alerts"], description="Resolved alerts.")
    audit: str = Field(default=RETENTION_DEFAULTS["audit"], description="The audit log.")
    outbox: str = Field(
        default=RETENTION_DEFAULTS["outbox"], description="Sent or parked messages."
    )
    receipts: str = Field(
        default=RETENTION_DEFAULTS["receipts"], description="Point-of-sale receipts."
    )
    visitors: str = Field(
        default=RETENTION_DEFAULTS["visitors"],
        description="Returning visitors' encrypted face descriptors and visits (opt-in).",
    )

    @field_validator("*")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_days(value)
        return str(value)

    def days(self, kind: str) -> float:
        return parse_days(getattr(self, kind))
