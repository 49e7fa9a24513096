"""Rule changes during probation (规则变更): check items added by staff, thresholds, windows and dates edited.

Every change to what a leader is judged by is logged as a ``RuleChange`` (who, when, what, from, to) and
shown on the leader's page (规则变更记录). Leaders are told through ``publish_notice`` (公布规则变更): staff
write the notice, the changes not yet told are attached to it, and every leader in probation gets it once.
A change to a check already decided (a verdict exists under its code) is refused unless it is saved
with a recheck (保存并复核): ``save_check_item(..., recheck=True)`` saves, then rechecks the campaign on
today's data through ``probation.decisions`` (the one engine).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import decisions, notices
from .enums import CheckMeasure, LeaderStatus
from .models import CheckItem, CheckResult, Leader, RuleChange, RuleNotice

# The submit button of 保存并复核 on the check item and campaign change forms.
RECHECK_BUTTON = "_saverecheck"

# The fields of a check item leaders are judged by, in the order the log lists them.
ITEM_RULE_FIELDS = ["measure", "starts_at", "ends_at", "threshold", "due_at"]


class DecidedCheckChanged(Exception):
    """A check already decided would change: only 保存并复核 (save, then recheck) may do it."""


def rule_text(value):
    if hasattr(value, "tzinfo"):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}"
    return "" if value is None else str(value)


def log_change(campaign, *, actor, what, from_value, to_value, at=None):
    """One ``RuleChange`` row. Callers word it in the site language (``site_language``): the log is read
    by leaders on their page and in the notice, whatever language the staff member's browser asked for."""
    return RuleChange.objects.create(
        campaign=campaign, changed_by=actor, changed_at=at or timezone.now(), what=str(what)[:200],
        from_value=rule_text(from_value)[:255], to_value=rule_text(to_value)[:255],
    )


def is_decided(campaign, code):
    """Whether a verdict exists under ``code`` for a leader of ``campaign``."""
    return CheckResult.objects.filter(leader__campaign=campaign, code=code).exists()


def item_value(item, name):
    value = getattr(item, name)
    if name == "measure":
        return str(CheckMeasure(value).label)
    if name == "threshold":
        return item.threshold_text
    return value


def site_language(function):
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    wrapper.__doc__, wrapper.__name__ = function.__doc__, function.__name__
    return wrapper


@site_language
@transaction.atomic
def save_check_item(item, *, actor, before=None, recheck=False):
    """Save a check item added (``before`` None) or edited (``before`` the stored row), with its rule-change
    rows. An edit of a rule field of a decided item raises ``DecidedCheckChanged`` unless ``recheck``; with
    ``recheck`` the campaign is rechecked on today's data after the save. Returns the recheck's plan or None."""
    campaign = item.campaign
    label = _("Check item %(code)s") % {"code": item.code}
    if before is None:
        item.created_by = item.created_by or actor
        item.save()
        log_change(campaign, actor=actor, what=_("Check item added: %(code)s") % {"code": item.code},
                   from_value="", to_value=item.rule_value)
        return None
    changed = [name for name in ITEM_RULE_FIELDS if item_value(before, name) != item_value(item, name)]
    if changed and is_decided(campaign, before.code) and not recheck:
        raise DecidedCheckChanged(_("%(code)s is already decided: change it through “Save and recheck”.")
                                  % {"code": before.code})
    item.save()
    for name in changed:
        field = CheckItem._meta.get_field(name).verbose_name
        log_change(campaign, actor=actor, what=f"{label}: {field}", from_value=item_value(before, name),
                   to_value=item_value(item, name))
    if before.name != item.name:
        log_change(campaign, actor=actor, what=f"{label}: {CheckItem._meta.get_field('name').verbose_name}",
                   from_value=before.name, to_value=item.name)
    if recheck:
        return recheck_today(campaign, actor=actor)
    return None


def recheck_today(campaign, *, actor):
    """The recheck of 保存并复核: every decided check judged again on the data now on hand."""
    now = timezone.now()
    return decisions.decide(campaign, up_to=decisions.recheck_instant(campaign, now, None), recheck=True,
                            actor=actor, cause="recheck", note="")


def pending_changes(campaign):
    """The rule changes no notice has told yet, oldest first: what the next 公布规则变更 lists."""
    return list(campaign.rule_changes.filter(notice__isnull=True).order_by("changed_at", "pk"))


def leaders_to_tell(campaign):
    return Leader.objects.filter(campaign=campaign, status=LeaderStatus.PROBATION).select_related(
        "campaign", "application__applicant")


class NothingToPublish(Exception):
    pass


@transaction.atomic
def publish_notice(campaign, *, text, actor):
    """公布规则变更: one notice for every change not told yet, sent once to each leader in probation."""
    changes = pending_changes(campaign)
    if not changes:
        raise NothingToPublish(_("No rule change is waiting to be published."))
    notice = RuleNotice.objects.create(campaign=campaign, text=text, published_by=actor)
    RuleChange.objects.filter(pk__in=[change.pk for change in changes]).update(notice=notice)
    told = 0
    for leader in leaders_to_tell(campaign):
        told += 1
        notices.notify_rule_notice(leader, notice, changes)
    notice.recipients = told
    notice.save(update_fields=["recipients"])
    return notice


# --- The built-in checks' rules, edited on the campaign ---------------------------------------------------

_SPECIAL = ("special:checkpoint", "special:total", "special:qualifying")

# Campaign fields leaders are judged by -> the built-in check codes they decide (a decided one is changed only
# through 保存并复核). The probation dates decide no check's verdict (they place retention), so no code.
CAMPAIGN_RULE_FIELDS = {
    "probation_starts_on": (),
    "probation_ends_on": (),
    "activity_starts_at": _SPECIAL,
    "activity_ends_at": ("special:total", "special:qualifying"),
    "checkpoint_ends_at": ("special:checkpoint",),
    "checkpoint_min_new_merchants": ("special:checkpoint",),
    "final_result_at": ("special:total", "special:qualifying"),
    "total_min_new_merchants": ("special:total",),
    "qualifying_min_merchants": ("special:qualifying",),
    "best_item_min_orders": ("special:qualifying",),
    "settlement_rate_min_percent": ("special:qualifying",),
    "window_618_starts_at": ("special:qualifying",),
    "window_618_ends_at": ("special:qualifying",),
}
BASIC_MONTH_RULE_FIELDS = ["min_activities", "min_merchants", "min_items", "min_gmv"]


@site_language
def campaign_rules(campaign):
    """A snapshot of what leaders of ``campaign`` are judged by: ``{key: (label, value, codes)}``."""
    from recruitment.models import BasicCheckMonth, Campaign

    snapshot = {}
    for name, codes in CAMPAIGN_RULE_FIELDS.items():
        snapshot[name] = (Campaign._meta.get_field(name).verbose_name, getattr(campaign, name), codes)
    if campaign.pk is not None:
        for month in BasicCheckMonth.objects.filter(campaign_id=campaign.pk):
            for name in BASIC_MONTH_RULE_FIELDS:
                snapshot[f"{month.code}:{name}"] = (
                    f"{month}: {BasicCheckMonth._meta.get_field(name).verbose_name}", getattr(month, name),
                    (month.code,))
    return snapshot


def rule_differences(before, after):
    """``[(label, from, to, codes)]`` between two ``campaign_rules`` snapshots (a month added or removed
    shows its thresholds from or to nothing)."""
    found = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        old_value = None if old is None else old[1]
        new_value = None if new is None else new[1]
        if rule_text(old_value) != rule_text(new_value):
            label, _value, codes = new or old
            found.append((label, old_value, new_value, codes))
    return found


def decided_message(codes):
    return _("%(codes)s already decided: change it only through “Save and recheck”, which rechecks the campaign "
             "on today's data.") % {"codes": "、".join(codes)}


def decided_codes(campaign, codes):
    """The codes among ``codes`` with a verdict stored for a leader of ``campaign``, sorted."""
    if not codes or campaign.pk is None:
        return []
    return sorted(set(CheckResult.objects.filter(leader__campaign=campaign, code__in=set(codes))
                      .values_list("code", flat=True)))


@site_language
def log_campaign_changes(campaign, before, *, actor, recheck=False):
    """After the campaign and its months are saved: one ``RuleChange`` per rule that moved, then (保存并复核)
    the recheck on today's data. Returns the recheck's plan or None."""
    stored = type(campaign).objects.get(pk=campaign.pk)  # as stored: "60" typed for 60.00 is no change
    for label, old, new, _codes in rule_differences(before, campaign_rules(stored)):
        log_change(campaign, actor=actor, what=label, from_value=old, to_value=new)
    if recheck:
        return recheck_today(campaign, actor=actor)
    return None
