"""Publication tells the campaign's DingTalk group once, with the counts, @-mentioning the campaign admins."""

import pytest
import time_machine

from notifications.models import AlertKind, DingTalkAlert
from recruitment.timeutils import beijing
from reviews import publication
from tests.reviews.test_publication import admin_user, decided  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_publication_raises_one_alert_with_the_outcome_counts(campaign, decided, admin_user):  # noqa: F811
    type(admin_user).objects.filter(pk=admin_user.pk).update(mobile="13900000088", first_name="", last_name="")
    with time_machine.travel(beijing(2024, 5, 6, 9, 30), tick=False):
        publication.publish_results(campaign, actor=admin_user)
    with time_machine.travel(beijing(2024, 5, 6, 9, 31), tick=False), pytest.raises(publication.PublicationError):
        publication.publish_results(campaign, actor=admin_user)

    alert = DingTalkAlert.objects.get()
    assert (alert.kind, alert.campaign, alert.key) == (AlertKind.RESULTS_PUBLISHED, campaign,
                                                       f"results_published:{campaign.pk}")
    assert alert.title == f"结果已公示：{campaign.name}"
    assert alert.text == (f"campaign-admin 已于 2024-05-06 09:30:00（北京时间）公示 {campaign.name} 的结果：入选 2 家，"
                          "未入选 1 家，初审或风险评估未通过 2 家。已通知每位申请人。")
    assert alert.mentions == [{"name": "campaign-admin", "user_id": "", "mobile": "13900000088"}]


def test_a_refused_publication_raises_no_alert(campaign, decided, admin_user):  # noqa: F811
    with time_machine.travel(beijing(2024, 5, 5, 23, 59, 59), tick=False), \
            pytest.raises(publication.PublicationError):
        publication.publish_results(campaign, actor=admin_user)

    assert DingTalkAlert.objects.count() == 0
