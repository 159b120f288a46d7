"""The opt-in face features of a site (``faces:``): aggregate age/gender and returning visitors.

Both are off unless the site turns them on, each with its own switch. Off, no face model is loaded
and nothing biometric is computed (``storepixel.pipeline.face_stage``). See docs/visitors.md.

>>> cfg = FacesConfig()
>>> cfg.attributes, cfg.visitors, cfg.min_count, cfg.any
(False, False, 5, False)
>>> FacesConfig(visitors=True).key_path("demo", None).name
'demo.visitors.key'
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class FacesConfig(BaseModel):
    """Opt-in face features (default: both off). See docs/visitors.md."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    attributes: bool = Field(
        default=False,
        description="Estimate an age band and a gender once per visit and keep only counts per "
        "zone and hour (never per person).",
    )
    visitors: bool = Field(
        default=False,
        description="Recognise returning visitors: a face descriptor per visitor, encrypted with "
        "the site key, kept on this box for `retention.visitors` (default 30 days).",
    )
    min_count: int = Field(
        default=5,
        ge=2,
        description="Counts and rates from fewer people than this are suppressed when read, so "
        "no one is singled out.",
    )
    key_file: Path | None = Field(
        default=None,
        description="The site key that encrypts visitor descriptors (32 random bytes, made by "
        "`storepixel visitors keygen`). Default: `<site id>.visitors.key` beside the site file.",
    )

    @property
    def any(self) -> bool:
        """Whether any face feature is on (the face stage runs at all)."""
        return self.attributes or self.visitors

    def key_path(self, site_id: str, site_file: Path | None) -> Path:
        """Where the site key is: ``key_file`` (relative to the site file's folder), else
        ``<site id>.visitors.key`` beside the site file (the working folder without one)."""
        base = site_file.parent if site_file is not None else Path.cwd()
        if self.key_file is None:
            return base / f"{site_id}.visitors.key"
        return self.key_file if self.key_file.is_absolute() else base / self.key_file
