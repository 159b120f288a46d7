"""Scoring storepixel against ground truth (needs the ``eval`` extra: motmetrics, TrackEval)."""
