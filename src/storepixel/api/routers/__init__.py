"""One router per resource; ``pages`` (the dashboard) belongs to the dashboard package."""
