"""The review pipeline in the Django admin: one module per round (queues, actions, reference data)."""

from . import committee, dashboard, final, risk, round1  # noqa: F401  (registers the ModelAdmins)
