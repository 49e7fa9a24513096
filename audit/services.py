"""Writing the audit log: the one function every admin decision and export calls."""

from .models import AuditEvent


def record(action, *, actor, obj=None, campaign=None, **details):
    """Write one ``AuditEvent``: ``actor`` did ``action`` on ``obj`` (and/or ``campaign``).

    ``details`` must be JSON-serialisable (counts, formats, the decision, the reason). The campaign is
    taken from ``obj.campaign`` when not given, so the log can be filtered by campaign.
    """
    if campaign is None and obj is not None:
        campaign = getattr(obj, "campaign", None)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "",
        action=action,
        campaign=campaign,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        details=details,
    )
