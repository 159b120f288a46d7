"""``python -m storepixel.cli``: the same as the ``storepixel`` command."""

from storepixel.cli import app

app()
