"""States and vocabularies of probation (试用期考核) as ``TextChoices``; transitions as a plain table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeaderStatus(models.TextChoices):
    PROBATION = "probation", _("in probation")
    CLOSED = "closed", _("permission closed")
    RETAINED = "retained", _("retained")


# from-status -> the statuses it may move to (``probation.decisions`` applies them). A retained leader can
# still be closed for a violation. A closed leader is reinstated (to probation, or retained after probation
# end) when a recheck finds its checks now pass or the violation that closed it is withdrawn, and "closed
# again" when a recheck moves its closure to another instant or other checks.
LEADER_TRANSITIONS = {
    LeaderStatus.PROBATION: {LeaderStatus.CLOSED, LeaderStatus.RETAINED},
    LeaderStatus.RETAINED: {LeaderStatus.CLOSED, LeaderStatus.PROBATION},
    LeaderStatus.CLOSED: {LeaderStatus.CLOSED, LeaderStatus.PROBATION, LeaderStatus.RETAINED},
}


class OrderStatus(models.TextChoices):
    PAID = "paid", _("paid, not yet settled")
    SETTLED = "settled", _("settled")
    INVALID = "invalid", _("invalid")


# The alliance export's own words and codes (DATA.md), the words of its order documentation (已付款 …),
# plus our English names, lower-cased.
ORDER_STATUS_ALIASES = {
    "paid": OrderStatus.PAID,
    "订单付款": OrderStatus.PAID,
    "12": OrderStatus.PAID,
    "订单成功": OrderStatus.PAID,
    "14": OrderStatus.PAID,
    "已付款": OrderStatus.PAID,
    "已收货": OrderStatus.PAID,
    "settled": OrderStatus.SETTLED,
    "订单结算": OrderStatus.SETTLED,
    "3": OrderStatus.SETTLED,
    "已结算": OrderStatus.SETTLED,
    "invalid": OrderStatus.INVALID,
    "订单失效": OrderStatus.INVALID,
    "13": OrderStatus.INVALID,
    "已失效": OrderStatus.INVALID,
}


class ViolationKind(models.TextChoices):
    CHEATING = "cheating", _("作假舞弊 (cheating)")
    ORDER_SKIPPING = "order_skipping", _("翘单 (order skipping)")
    FAKE_ORDERS = "fake_orders", _("刷单 (fake orders)")
    FALSE_PROMISE = "false_promise", _("虚假承诺 (false promise)")
    INDUCED_REBATE = "induced_rebate", _("诱导返利 (inducing rebates)")


class CheckMeasure(models.TextChoices):
    """The measures a check item added by staff may use: those the built-in checks already compute."""

    ACTIVITIES = "activities", _("new promotion activities")
    MERCHANTS = "merchants", _("merchants recruited")
    ITEMS = "items", _("items recruited")
    GMV = "gmv", _("GMV (yuan)")
    NEW_MERCHANTS = "new_merchants", _("new merchants")
    QUALIFYING_MERCHANTS = "qualifying_merchants", _("reward-qualifying merchants")


# The new-merchant measures: their window replaces the 拓客先锋 activity window (DATA.md's definitions).
NEW_MERCHANT_MEASURES = {CheckMeasure.NEW_MERCHANTS, CheckMeasure.QUALIFYING_MERCHANTS}
