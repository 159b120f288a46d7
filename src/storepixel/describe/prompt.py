"""The words sent with a chunk's pictures. Changing them means bumping
``schema.PROMPT_VERSION`` (part of every chunk's key and ledger row).

>>> from zoneinfo import ZoneInfo
>>> text = chunk_text(context="Phone shop.", camera="till", scopes=["till-queue"], start=0.0,
...                   end=15.0, people=[3, 5], times=[0.0, 7.0, 15.0], tz=ZoneInfo("UTC"))
>>> "#3, #5" in text and "till-queue" in text and "00:00:15" in text
True
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from storepixel.describe.overlay import clock_label

SYSTEM = (
    "You watch CCTV stills from a shop and report what the people in them do, as JSON matching "
    "the given schema. Each still shows its capture time (HH:MM:SS) in the top-left corner and a "
    "track number (#N) by each tracked person. Use only those times and those track numbers: "
    "never invent a person or a time. Write your observations first, then a timeline "
    "(kind: observation, interaction with a product or object, or alert), a one-line summary per "
    "tracked person, and alerts only for what the site's context asks to alert on or for clear "
    "danger. Describe behaviour, never identity, age, gender or ethnicity."
)

REPAIR = (
    "Your previous answer could not be used: {error}. Answer again with only the JSON object "
    "matching the schema, using the same content. Previous answer:\n{answer}"
)


def chunk_text(
    *,
    context: str,
    camera: str,
    scopes: Sequence[str],
    start: float,
    end: float,
    people: Sequence[int],
    times: Sequence[float],
    tz: ZoneInfo,
    clip: bool = False,
) -> str:
    lines = []
    if context.strip():
        lines.append(f"Site: {context.strip()}")
    lines.append(f"Camera: {camera}.")
    if scopes:
        lines.append("Zones, lines and shelves in view: " + ", ".join(scopes) + ".")
    lines.append(f"Chunk: {clock_label(start, tz)} to {clock_label(end, tz)}.")
    lines.append("Tracked people: " + (", ".join(f"#{p}" for p in sorted(people)) or "none") + ".")
    if clip:  # the stills come as one video clip; each of its frames shows its capture time
        lines.append("The stills come as one video clip; each frame shows its capture time.")
    else:
        lines.append("Stills at: " + ", ".join(clock_label(t, tz) for t in times) + ".")
    return "\n".join(lines)
