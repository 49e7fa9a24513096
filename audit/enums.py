from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What a staff member did: every decision and every export of the admin writes one event."""

    ROUND1_PASS = "round1_pass", _("Round 1 passed")
    ROUND1_REJECT = "round1_reject", _("Round 1 rejected")
    RISK_RERUN = "risk_rerun", _("Risk assessment re-run")
    FILING_CLOSE_OUT = "filing_close_out", _("Closed out: not filed by the deadline")
    FILING_REOPEN = "filing_reopen", _("Filing reopened after a close-out")
    SCORE = "score", _("Score sheet submitted")
    SELECT = "select", _("Selected (pending publication)")
    NOT_SELECT = "not_select", _("Not selected (pending publication)")
    CLEAR_DECISION = "clear_decision", _("Decision cleared")
    PUBLISH = "publish", _("Results published")
    RECORD_CALL = "record_call", _("Phone call recorded")
    PASSWORD_RESET = "password_reset", _("Password reset link sent")
    VIOLATION = "violation", _("Violation recorded")
    REEVALUATE = "reevaluate", _("Probation re-evaluated")
    DATA_MARK = "data_mark", _("Probation data marked complete")
    DECIDE = "decide", _("Probation checks decided")
    RECHECK = "recheck", _("Probation checks rechecked")
    VIOLATION_WITHDRAWN = "violation_withdrawn", _("Violation withdrawn")
    DATA_IMPORT = "data_import", _("Probation data imported")
    SANCTION_IMPORT = "sanction_import", _("Sanction list imported")
    EXPORT_APPLICATIONS = "export_applications", _("Applications exported")
    EXPORT_RANKING = "export_ranking", _("Ranking exported")
    EXPORT_PROBATION_REPORT = "export_probation_report", _("Probation report exported")
    EXPORT_LEADERS = "export_leaders", _("Leaders exported")
    EXPORT_SANCTIONS = "export_sanctions", _("Sanction list exported")
    COPY_CAMPAIGN = "copy_campaign", _("Campaign copied as a new round")
    NOTIFICATION_RESEND = "notification_resend", _("Notification sent again")
    MOBILE_CHANGED = "mobile_changed", _("Mobile number changed")
