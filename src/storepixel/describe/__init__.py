"""Describe what shoppers do: people-chunks from the tracker, sent (masked, faces blurred,
grounded with capture times and track numbers) to a vision-language model, answered in a
structured schema, checked, stored and budgeted.

Modules, one job each: ``chunker`` (people-chunks), ``frames`` (which frames to send),
``overlay`` (grounding marks), ``faces`` (face blur, bundled YuNet), ``media`` (what leaves the
box for a chunk), ``prompt``, ``schema`` (the answer's schema and its grounding), ``providers``
(Gemini, OpenAI-compatible), ``control`` (budgets, rate limits, back-off), ``service`` (the
persisted queue and its workers), ``feed`` (pipeline → chunker → service), ``setup`` (build a
describer from a site), ``cost`` (the reference estimate). Tables: ``store.describe_models``.
"""
