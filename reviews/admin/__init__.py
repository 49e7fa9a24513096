"""The review pipeline in the Django admin: one module per round (queues, actions, reference data), the
dashboard, and the campaign worked on (the header's switch, the queues' campaign filter)."""

from . import committee, dashboard, final, risk, round1, workspace  # noqa: F401  (registers the ModelAdmins and URLs)
