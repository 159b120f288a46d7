"""The kinds of document search knows, for ``--kind`` checks and the API's enum."""

from __future__ import annotations

from storepixel.search.documents import (
    KIND_DAY_SUMMARY,
    KIND_HOUR_SUMMARY,
    KIND_SESSION,
    RENDERED_EVENT_KINDS,
)

# Descriptions of footage (issue 17's VLM describer) add these when they are indexed.
DESCRIPTION_KINDS = ("description", "timeline_item", "alert")


def known_kinds() -> tuple[str, ...]:
    return (
        *RENDERED_EVENT_KINDS,
        KIND_SESSION,
        *DESCRIPTION_KINDS,
        KIND_HOUR_SUMMARY,
        KIND_DAY_SUMMARY,
    )
