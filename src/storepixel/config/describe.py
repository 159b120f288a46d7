"""The ``describe:`` block of a site YAML: which vision-language model describes people-chunks,
within which budgets. A camera may carry its own ``describe:`` block; its keys override the
site's (``for_camera``).

>>> cfg = DescribeConfig.model_validate({"provider": "gemini"})
>>> cfg.model_name, cfg.key_env, cfg.max_chunk_s, cfg.blur_faces
('gemini-2.5-flash', 'GEMINI_API_KEY', 15.0, True)
>>> DescribeConfig().enabled
False
>>> merged = for_camera(cfg, {"model": "gemini-2.5-flash-lite", "context": "Till camera."})
>>> merged.provider, merged.model_name, merged.context
('gemini', 'gemini-2.5-flash-lite', 'Till camera.')
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from storepixel.errors import ConfigError

Provider = Literal["gemini", "openai", "none"]

DEFAULT_MODEL = {"gemini": "gemini-2.5-flash", "openai": "gpt-4o-mini", "none": ""}
DEFAULT_KEY_ENV = {"gemini": "GEMINI_API_KEY", "openai": "OPENAI_API_KEY", "none": ""}
# Tokens one low-resolution frame costs: Gemini's LOW media resolution (the reference design's
# 66) and OpenAI's "detail: low" image (85). Used to size chunks before the response says.
FRAME_TOKENS = {"gemini": 66, "openai": 85, "none": 66}


class Price(BaseModel):
    """US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0.0, description="Dollars per million input tokens.")
    output: float = Field(ge=0.0, description="Dollars per million output tokens.")


# The reference design's price ($0.15 per million input tokens); a site sets its own in ``prices``.
DEFAULT_PRICES: dict[str, Price] = {
    "gemini-2.5-flash": Price(input=0.15, output=0.60),
    "gemini-2.5-flash-lite": Price(input=0.10, output=0.40),
    "gpt-4o-mini": Price(input=0.15, output=0.60),
}


class MediaConfig(BaseModel):
    """Whether the frames sent are also kept on disk. Off unless a retention is given."""

    model_config = ConfigDict(extra="forbid")

    store: bool = Field(False, description="Write each sent frame (masked, blurred) as a JPEG.")
    retention_days: float | None = Field(
        None, gt=0, description="Required with store: frames older than this are deleted."
    )
    dir: str = Field("data/describe-media", description="Folder for the kept frames.")

    @model_validator(mode="after")
    def _retention_needed(self) -> MediaConfig:
        if self.store and self.retention_days is None:
            raise ValueError("media.store needs media.retention_days (how long frames are kept)")
        return self


class DescribeConfig(BaseModel):
    """Provider, chunking, privacy and cost settings for describing people-chunks."""

    model_config = ConfigDict(extra="forbid")

    provider: Provider = Field("none", description="gemini | openai | none (default: none).")
    model: str | None = Field(None, description="Model name; default per provider.")
    base_url: str | None = Field(None, description="Any server speaking that provider's protocol.")
    api_key_env: str | None = Field(None, description="Environment variable holding the key.")
    context: str = Field("", description="What the site is and what to alert on (prompt text).")
    # chunking
    max_chunk_s: float = Field(15.0, gt=1.0, description="A live chunk is never older than this.")
    pad_s: float = Field(1.0, ge=0.0, description="Seconds kept before and after people.")
    merge_gap_s: float = Field(3.0, ge=0.0, description="Gaps shorter than this stay one chunk.")
    overlap_s: float = Field(1.0, ge=0.0, description="Overlap between the parts of a long stay.")
    max_sent_ratio: float = Field(
        1.25,
        ge=1.0,
        description="Seconds sent per second with someone in view, at most: padding, merged gaps "
        "and overlap shrink (a gap is cut out) to fit.",
    )
    chunk_tokens: int = Field(1100, ge=1, description="Image-token budget of one chunk.")
    frame_tokens: int | None = Field(
        None, ge=1, description="Tokens per frame; default per provider."
    )
    image_size: int = Field(512, ge=64, le=2048, description="Long side of a sent frame, pixels.")
    send_as: Literal["stills", "clip"] = Field(
        "stills",
        description="stills (chosen JPEG frames) or clip (gemini only: one inline H.264 clip of "
        "the chunk, which the service samples at 1 frame a second).",
    )
    # privacy
    blur_faces: bool = Field(True, description="Blur faces before frames leave the box.")
    media: MediaConfig = Field(
        default_factory=lambda: MediaConfig.model_validate({}),
        description="Keep the sent frames on disk (off; needs a retention).",
    )
    # cost, rate and failure control
    timeout_s: float = Field(30.0, gt=0.0, description="Seconds one request may take.")
    max_tries: int = Field(3, ge=1, le=10, description="Tries per chunk before it waits/fails.")
    max_backoff_s: float = Field(60.0, ge=0.0, description="Longest wait between two tries.")
    requests_per_minute: int | None = Field(60, ge=1, description="Requests per minute at most.")
    tokens_per_minute: int | None = Field(None, ge=1, description="Tokens per minute at most.")
    concurrency: int = Field(2, ge=1, le=64, description="Requests in flight at once.")
    daily_tokens_per_camera: int | None = Field(None, ge=0, description="Daily token budget.")
    daily_tokens_per_site: int | None = Field(None, ge=0, description="Daily token budget.")
    daily_cost_per_camera: float | None = Field(None, ge=0.0, description="US dollars.")
    daily_cost_per_site: float | None = Field(None, ge=0.0, description="US dollars.")
    prices: dict[str, Price] = Field(default_factory=dict, description="Per model, $/M tokens.")

    @model_validator(mode="after")
    def _clip_needs_gemini(self) -> DescribeConfig:
        if self.send_as == "clip" and self.provider != "gemini":
            raise ValueError(
                f"send_as clip needs provider gemini ({self.provider} takes stills: "
                "set send_as: stills)"
            )
        return self

    @property
    def enabled(self) -> bool:
        return self.provider != "none"

    @property
    def model_name(self) -> str:
        return self.model or DEFAULT_MODEL[self.provider]

    @property
    def key_env(self) -> str:
        return self.api_key_env or DEFAULT_KEY_ENV[self.provider]

    @property
    def tokens_per_frame(self) -> int:
        return self.frame_tokens or FRAME_TOKENS[self.provider]

    def price(self, model: str | None = None) -> Price | None:
        name = model or self.model_name
        return self.prices.get(name) or DEFAULT_PRICES.get(name)

    def cost(self, tokens_in: int, tokens_out: int, model: str | None = None) -> float | None:
        """US dollars for one request; ``None`` when the model has no price."""
        price = self.price(model)
        if price is None:
            return None
        return (tokens_in * price.input + tokens_out * price.output) / 1e6


def for_camera(site: DescribeConfig | None, camera: dict[str, Any] | None) -> DescribeConfig:
    """The settings a camera uses: the site's ``describe:`` with the camera's keys on top."""
    base = site.model_dump(exclude_unset=True) if site is not None else {}
    merged = {**base, **(camera or {})}
    try:
        return DescribeConfig.model_validate(merged)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"describe.{where}: {first['msg']}") from None
