"""Summaries written by the site's describe provider: a text-only call, budgeted and ledgered
like descriptions, with the template as the fallback.

The template (``summaries``) turns the day's numbers into sentences; those sentences are the
only facts the model is given. One request per summary, through the same providers
(``describe.providers``), limiter, daily budgets and ledger (``purpose="summary"``, camera
``(summary)``) as chunk descriptions. No provider, a budget already spent, a provider that fails
or an answer that is not the asked JSON → the template's text, with the reason returned (and,
for requests sent, recorded in the ledger). Tries follow ``describe.max_tries`` with the same
back-off as descriptions.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from storepixel.config.describe import DescribeConfig
from storepixel.describe.control import Budget, RateLimiter, Spent, backoff
from storepixel.describe.providers import ProviderError, Request, make_provider
from storepixel.errors import ConfigError
from storepixel.store import Store
from storepixel.store import descriptions as ledger

PROMPT_VERSION = "summary-1"
LEDGER_CAMERA = "(summary)"  # the ledger's camera for summaries: they count toward site budgets
MAX_CHARS = 1500
SYSTEM = (
    "You write short, factual summaries of a shop's activity for its manager. Use only the facts "
    "given: never invent a number, a time, a zone or a person; keep every number you use exactly "
    "as given. Two to four plain sentences, most important first (footfall, busiest hour, "
    "longest queues, alerts). Answer as JSON: an object with one key, narrative."
)
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"narrative": {"type": "string"}},
    "required": ["narrative"],
    "additionalProperties": False,
}


@dataclass(frozen=True, slots=True)
class Narrated:
    text: str
    by: str  # "template" or "provider/model"
    reason: str | None = None  # why the template was used although a provider is configured


def parse_narrative(text: str | None) -> str:
    """The narrative of an answer; ``ValueError`` saying what is wrong with it.

    >>> parse_narrative('{"narrative": " Busy   morning. "}')
    'Busy morning.'
    >>> parse_narrative('{"story": 1}')
    Traceback (most recent call last):
    ...
    ValueError: the answer has no narrative
    """
    try:
        data = json.loads(text or "")
    except json.JSONDecodeError:
        raise ValueError("the answer is not JSON") from None
    value = data.get("narrative") if isinstance(data, dict) else None
    narrative = " ".join(value.split()) if isinstance(value, str) else ""
    if not narrative:
        raise ValueError("the answer has no narrative")
    if len(narrative) > MAX_CHARS:
        raise ValueError(f"the narrative is too long ({len(narrative)} characters)")
    return narrative


class Narrator:
    """Writes summaries for one site with its describe settings (``None``: template only)."""

    def __init__(
        self,
        store: Store,
        site_id: str,
        tz: ZoneInfo,
        config: DescribeConfig | None,
        sleep: Any = time.sleep,
    ) -> None:
        self.store = store
        self.site_id = site_id
        self.tz = tz
        self.config = config if config is not None and config.enabled else None
        self._sleep = sleep
        self._limiter: RateLimiter | None = None

    def write(self, summary_id: str, facts: str) -> Narrated:
        """The narrative of ``facts`` (the template's sentences) by the provider, or the facts."""
        config = self.config
        if config is None:
            return Narrated(facts, "template")
        estimate = len(SYSTEM + facts) // 4 + 200
        over = Budget(config, self._spent).over(LEDGER_CAMERA, estimate)
        if over:
            return Narrated(facts, "template", over)
        try:
            provider = make_provider(config)
        except ConfigError as err:
            return Narrated(facts, "template", str(err))
        if self._limiter is None:
            self._limiter = RateLimiter(
                config.requests_per_minute, config.tokens_per_minute, config.concurrency
            )
        request = Request(system=SYSTEM, text=facts, schema=SCHEMA, schema_name="summary")
        reason = "no try made"
        for attempt in range(1, config.max_tries + 1):
            self._limiter.wait_turn(estimate)
            row = self._row(summary_id, config)
            started = time.perf_counter()
            try:
                with self._limiter.slots:
                    reply = provider.send(request)
            except ProviderError as err:
                reason = err.reason
                self._ledger(row, started, outcome=err.outcome, reason=err.reason[:500])
                if not err.retryable:
                    break
                if attempt < config.max_tries:
                    self._sleep(
                        backoff(attempt, retry_after=err.retry_after, cap=config.max_backoff_s)
                    )
                continue
            tokens = {"tokens_in": reply.tokens_in, "tokens_out": reply.tokens_out}
            cost = config.cost(reply.tokens_in, reply.tokens_out)
            try:
                narrative = parse_narrative(reply.text)
            except ValueError as err:
                reason = f"invalid answer: {err}"
                self._ledger(row, started, outcome="invalid", reason=reason, cost=cost, **tokens)
                continue
            self._ledger(row, started, outcome="ok", reason=None, cost=cost, **tokens)
            return Narrated(narrative, f"{config.provider}/{config.model_name}")
        return Narrated(facts, "template", f"provider: {reason}")

    def _spent(self, camera_id: str) -> tuple[Spent, Spent]:
        cam, site = ledger.spent_today(self.store, self.site_id, camera_id, self.tz)
        return Spent(*cam), Spent(*site)

    def _row(self, summary_id: str, config: DescribeConfig) -> dict[str, Any]:
        return {
            "chunk_id": summary_id[:64],
            "site_id": self.site_id,
            "camera_id": LEDGER_CAMERA,
            "requested_at": time.time(),
            "provider": config.provider,
            "model": config.model_name,
            "prompt_version": PROMPT_VERSION,
            "purpose": "summary",
            "tokens_in": 0,
            "tokens_out": 0,
            "cost": None,
        }

    def _ledger(self, row: dict[str, Any], started: float, **values: Any) -> None:
        row.update(values, latency_s=round(time.perf_counter() - started, 4))
        ledger.add_ledger(self.store, row)
