"""The kinds of document search knows, for ``--kind`` checks and the API's enum."""

from __future__ import annotations

from storepixel.search.documents import (
    KIND_ALERT,
    KIND_DAY_SUMMARY,
    KIND_DESCRIPTION,
    KIND_HOUR_SUMMARY,
    KIND_SESSION,
    KIND_TIMELINE_ITEM,
    RENDERED_EVENT_KINDS,
)

# What the VLM describer said about people-chunks.
DESCRIPTION_KINDS = (KIND_DESCRIPTION, KIND_TIMELINE_ITEM, KIND_ALERT)


def known_kinds() -> tuple[str, ...]:
    return (
        *RENDERED_EVENT_KINDS,
        KIND_SESSION,
        *DESCRIPTION_KINDS,
        KIND_HOUR_SUMMARY,
        KIND_DAY_SUMMARY,
    )
