"""storepixel: the offline "tracking pixel" for physical stores, from the CCTV they already have."""

__version__ = "0.1.0"
