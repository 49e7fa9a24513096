"""Creates the 2024 纳新 2.0 campaign with the announcement's defaults (SPEC §1, DATA.md)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import migrations

BJ = ZoneInfo("Asia/Shanghai")
SLUG = "2024-nx2"


def bj(*args):
    return datetime(*args, tzinfo=BJ)


def create_campaign(apps, schema_editor):
    Campaign = apps.get_model("recruitment", "Campaign")
    BasicCheckMonth = apps.get_model("recruitment", "BasicCheckMonth")
    if Campaign.objects.filter(slug=SLUG).exists():
        return
    campaign = Campaign.objects.create(
        slug=SLUG,
        name="淘宝联盟拓客型招商团长招募 · 纳新 2.0（2024）",
        summary=(
            "淘宝联盟面向拓客型招商服务商（招商团长）开放纳新 2.0 招募：帮助尚未开通淘宝客的商家"
            "入驻推广，入选者获得招商团长权限并进入为期四个月的试用期考核。"
        ),
        is_current=True,
        application_opens_at=bj(2024, 4, 1, 0, 0, 0),
        application_closes_at=bj(2024, 4, 25, 23, 59, 59),
        review_starts_on=date(2024, 4, 22),
        review_ends_on=date(2024, 4, 29),
        results_published_at=bj(2024, 5, 6, 0, 0, 0),
        seats=50,
        probation_starts_on=date(2024, 5, 1),
        probation_ends_on=date(2024, 8, 31),
        activity_starts_at=bj(2024, 5, 10, 0, 0, 0),
        activity_ends_at=bj(2024, 6, 20, 23, 59, 59),
        checkpoint_ends_at=bj(2024, 5, 31, 23, 59, 59),
        final_result_at=bj(2024, 9, 1, 0, 0, 0),
        window_618_starts_at=bj(2024, 5, 20, 20, 0, 0),
        window_618_ends_at=bj(2024, 6, 20, 23, 59, 59),
        checkpoint_min_new_merchants=2,
        total_min_new_merchants=5,
        qualifying_min_merchants=3,
        best_item_min_orders=10,
        settlement_rate_min_percent=Decimal("60"),
    )
    for month in (5, 6, 7):
        BasicCheckMonth.objects.create(
            campaign=campaign,
            month=date(2024, month, 1),
            min_activities=1,
            min_merchants=3,
            min_items=10,
            min_gmv=Decimal("10000"),
        )


def remove_campaign(apps, schema_editor):
    apps.get_model("recruitment", "Campaign").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0001_initial")]
    operations = [migrations.RunPython(create_campaign, remove_campaign)]
