"""The six kinds of alliance export (DATA.md "Files"): columns, Chinese aliases, keys and targets.

Adding a column or a kind means editing this table only; ``probation.imports.loader`` is generic.
Order columns also answer to the Open Platform's field names (``trade_id``, ``tk_paid_time`` …), so its
order exports import as they are; columns the table does not name are ignored in every kind.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..enums import LeaderStatus
from ..models import Activity, Enrollment, Leader, Merchant, MerchantExit, Order
from . import values


@dataclass(frozen=True)
class Column:
    name: str  # English column name
    alias: str  # Chinese column name (either is accepted in the header)
    field: str  # model field the value is stored in
    parse: Any = values.parse_text
    required: bool = True  # False: the value may be empty
    ref: str | None = None  # the value is the key of a row of another kind: "leader", "merchant", "activity"
    other_names: tuple[str, ...] = ()  # further names accepted in the header (the Open Platform's field names)

    @property
    def label(self):
        return f"{self.name} ({self.alias})"

    @property
    def header_names(self):
        """Every name the header may give this column: English, Chinese, and the other names."""
        return (self.name, self.alias, *self.other_names)


@dataclass(frozen=True)
class Kind:
    name: str
    model: Any
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # model fields of the unique constraint that re-imports update by
    insert_only: dict = field(default_factory=dict)  # field values written only when a row is created
    row_checks: tuple = ()  # callables(parsed: dict[column name -> value]) -> [(column name, reason)]

    def column(self, name):
        return next(c for c in self.columns if c.name == name)


def _rejoined_after_exit(parsed):
    rejoined, exited = parsed.get("rejoined_at"), parsed.get("exited_at")
    if rejoined is not None and exited is not None and rejoined <= exited:
        return [("rejoined_at", _("rejoined at or before the exit time"))]
    return []


# What a ``ref`` column points at: model, key field, and the kind to import first.
REFERENCES = {
    "leader": (Leader, "leader_account", gettext_lazy("unknown leader: %(value)s (import leaders first)")),
    "merchant": (Merchant, "merchant_id", gettext_lazy("unknown merchant: %(value)s (import merchants first)")),
    "activity": (Activity, "activity_id", gettext_lazy("unknown activity: %(value)s (import activities first)")),
}

KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "leaders",
            Leader,
            (
                Column("leader_account", "团长账号", "leader_account"),
                Column("company_name", "公司名称", "company_name"),
                Column("credit_code", "统一社会信用代码", "credit_code", values.parse_credit_code),
                Column("granted_at", "授权时间", "granted_at", values.parse_time),
            ),
            key=("campaign", "leader_account"),
            insert_only={"status": LeaderStatus.PROBATION.value, "closure_reason": ""},
        ),
        Kind(
            "merchants",
            Merchant,
            (
                Column("merchant_id", "商家ID", "merchant_id"),
                Column("merchant_name", "商家名称", "merchant_name"),
                Column("leader_account", "引入团长账号", "leader", required=False, ref="leader"),
                Column("opened_at", "淘宝客开通时间", "opened_at", values.parse_time),
            ),
            key=("campaign", "merchant_id"),
        ),
        Kind(
            "merchant_exits",
            MerchantExit,
            (
                Column("merchant_id", "商家ID", "merchant", ref="merchant"),
                Column("exited_at", "退出时间", "exited_at", values.parse_time),
                Column("rejoined_at", "重新开通时间", "rejoined_at", values.parse_time, required=False),
            ),
            key=("merchant", "exited_at"),
            row_checks=(_rejoined_after_exit,),
        ),
        Kind(
            "activities",
            Activity,
            (
                Column("activity_id", "活动ID", "activity_id"),
                Column("leader_account", "团长账号", "leader", ref="leader"),
                Column("name", "活动名称", "name"),
                Column("created_at", "创建时间", "created_at", values.parse_time),
            ),
            key=("campaign", "activity_id"),
        ),
        Kind(
            "enrollments",
            Enrollment,
            (
                Column("activity_id", "活动ID", "activity", ref="activity"),
                Column("merchant_id", "商家ID", "merchant", ref="merchant"),
                Column("item_id", "商品ID", "item_id"),
                Column("enrolled_at", "报名通过时间", "enrolled_at", values.parse_time),
            ),
            key=("activity", "item_id"),
        ),
        Kind(
            "orders",
            Order,
            (
                Column("order_id", "淘宝子订单编号", "order_id", other_names=("trade_id", "子订单号")),
                Column("leader_account", "团长账号", "leader", ref="leader"),
                Column("merchant_id", "商家ID", "merchant", ref="merchant"),
                Column("item_id", "商品ID", "item_id"),
                Column("paid_at", "付款时间", "paid_at", values.parse_time, other_names=("tk_paid_time",)),
                Column("paid_amount", "付款金额", "paid_amount", values.parse_amount,
                       other_names=("alipay_total_price",)),
                Column("status", "订单状态", "status", values.parse_order_status, other_names=("tk_status",)),
                Column("settled_at", "结算时间", "settled_at", values.parse_time, required=False,
                       other_names=("tk_earning_time",)),
            ),
            key=("campaign", "order_id"),
        ),
    )
}
