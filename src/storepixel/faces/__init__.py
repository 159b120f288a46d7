"""Opt-in face features: aggregate age/gender estimates and returning-visitor descriptors.

Nothing in this package is imported unless a site turns ``faces.attributes`` or
``faces.visitors`` on (``storepixel.pipeline.face_stage``); see docs/visitors.md.
"""
