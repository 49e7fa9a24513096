"""Choices of the review pipeline (官方审核)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallOutcome(models.TextChoices):
    PENDING = "pending", _("Not called yet")
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer, call again")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class RiskRuleCode(models.TextChoices):
    """The risk rules of round 2 (《招商服务商管理规范》 placeholders). Parameters live on RiskRule rows."""

    COMPANY_ENTITY = "company_entity", _("The applicant is a company")
    MIN_INCORPORATION_YEARS = "min_incorporation_years", _("Incorporated at least N years ago")
    MAX_ASSOCIATED_ACCOUNTS = "max_associated_accounts", _("At most N associated accounts")
    NO_RECENT_CLEARING = "no_recent_clearing", _("No permission closed or cleared in the last N months")
    NO_POOR_HISTORY = "no_poor_history", _("No poor cooperation history on record")
    NO_VIOLATION_RECORD = "no_violation_record", _("No violation on record")
    NOT_BARRED_THIS_ROUND = "not_barred_this_round", _("Not closed in this round")


# The rules whose description holds the parameter N, worded with it ("关联账号不超过 3 个").
RULE_TITLES_WITH_PARAMETER = {
    RiskRuleCode.MIN_INCORPORATION_YEARS: _("Incorporated at least %(n)s years ago"),
    RiskRuleCode.MAX_ASSOCIATED_ACCOUNTS: _("At most %(n)s associated accounts"),
    RiskRuleCode.NO_RECENT_CLEARING: _("No permission closed or cleared in the last %(n)s months"),
}


def rule_title(code, parameter=None):
    """A risk rule by its name with its parameter in place of N; an unknown code is shown as it is."""
    try:
        code = RiskRuleCode(code)
    except ValueError:
        return code
    if parameter is not None and code in RULE_TITLES_WITH_PARAMETER:
        return RULE_TITLES_WITH_PARAMETER[code] % {"n": parameter}
    return code.label


class SanctionKind(models.TextChoices):
    CLOSED = "closed", _("Permission closed")
    CLEARED = "cleared", _("Cleared (清退)")
    VIOLATION = "violation", _("Violation")
    POOR_HISTORY = "poor_history", _("Poor cooperation history")
