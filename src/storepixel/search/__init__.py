"""Search what happened: events, hourly sessions, descriptions and summaries as searchable text.

``documents`` renders sources into :class:`~storepixel.search.documents.Document` (one type for
every source), ``store.search_index`` keeps them with the database's own full-text engine and
vectors from the bundled offline embedder (``embedder``), ``engine`` runs both and fuses them by
reciprocal rank (``fusion``), ``timewords`` turns "yesterday afternoon" into a capture-time range
and ``indexer`` keeps the index current from the event bus, in batches, off the counting path.
"""
