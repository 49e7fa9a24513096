"""Every datetime of the admin keeps its seconds (recruitment.admin_widgets, applied by the shared mixin).

The pages render in zh-hans, whose first time format is ``%H:%M``: Django's stock widget showed 23:59 and
posted it back, so saving a form moved every 23:59:59 to 23:59:00.
"""

from datetime import date

import pytest
from django.contrib import admin
from django.db import models
from django.forms.models import _get_foreign_key
from django.urls import reverse
from pytest_django.asserts import assertContains

from accounts.models import User
from probation.models import Leader
from recruitment.admin_widgets import SecondsSplitDateTime
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from tests.html_forms import posted_data
from tests.security.conftest import world  # noqa: F401  (the fixture: one object per registered admin)
from tests.security.test_admin_matrix import OBJECT_OF

pytestmark = pytest.mark.django_db

# The admins whose change form edits a datetime, for a superuser (who may edit every one of them).
ADMINS_WITH_DATETIMES = ["accounts.User", "probation.CheckItem", "probation.Leader", "recruitment.Campaign"]


def change_url(obj, model=None):
    opts = (model or type(obj))._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def editable_datetimes(model):
    """The DateTimeFields a form can carry (``auto_now`` ones change on every save by design)."""
    return [f.name for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField) and f.editable and not f.auto_now]


def instants(model_admin, obj):
    """Every editable datetime of ``obj`` and of the rows its inlines show, as stored."""
    found = {(obj._meta.label, obj.pk, name): getattr(type(obj).objects.get(pk=obj.pk), name)
             for name in editable_datetimes(type(obj))}
    for inline_class in model_admin.inlines:
        fk = _get_foreign_key(type(obj), inline_class.model, fk_name=inline_class.fk_name)
        for row in inline_class.model._default_manager.filter(**{fk.name: obj}):
            found.update({(row._meta.label, row.pk, name): getattr(row, name)
                          for name in editable_datetimes(inline_class.model)})
    return found


@pytest.fixture
def seconds_everywhere(world):  # noqa: F811
    """Instants with seconds (and not the :00 or :59 a truncation could hit by chance) on every object."""
    Campaign.objects.filter(pk=world.campaign.pk).update(
        results_published_at=beijing(2024, 5, 6, 9, 30, 17), window_618_starts_at=beijing(2024, 5, 20, 20, 0, 41)
    )
    Leader.objects.filter(pk=world.leader.pk).update(granted_at=beijing(2024, 5, 6, 10, 0, 23))
    User.objects.filter(pk=world.user.pk).update(
        last_login=beijing(2024, 4, 20, 9, 59, 58), date_joined=beijing(2024, 4, 2, 8, 7, 6)
    )
    return world


def test_every_admin_form_saved_unchanged_keeps_every_instant_to_the_second(admin_client, seconds_everywhere):
    covered, before, after = [], {}, {}
    for model, model_admin in admin.site._registry.items():
        obj = getattr(seconds_everywhere, OBJECT_OF[model._meta.label])
        url = change_url(obj, model)
        page = admin_client.get(url)
        if page.status_code != 200 or "vTimeField" not in page.content.decode():
            continue
        covered.append(model._meta.label)
        before.update(instants(model_admin, obj))
        data = posted_data(page.content.decode(), form_id=f"{model._meta.model_name}_form")

        response = admin_client.post(url, data)

        assert response.status_code == 302, (model._meta.label, response.context and response.context["errors"])
        after.update(instants(model_admin, obj))

    # In name order: probation re-registers the campaign admin (its rule-change guard), which moves it in the registry.
    assert sorted(covered) == ADMINS_WITH_DATETIMES
    assert after == before
    assert before[("recruitment.Campaign", seconds_everywhere.campaign.pk, "application_closes_at")] == beijing(
        2024, 4, 25, 23, 59, 59
    )


def test_campaign_form_shows_the_time_with_seconds(admin_client, campaign):
    response = admin_client.get(change_url(campaign))

    assertContains(
        response,
        '<input type="text" name="application_closes_at_1" value="23:59:59" class="vTimeField" size="8" '
        'required id="id_application_closes_at_1">',
        html=True,
    )


def test_campaign_time_typed_with_seconds_is_stored(admin_client, campaign):
    data = posted_data(admin_client.get(change_url(campaign)).content.decode(), form_id="campaign_form")
    data.update(checkpoint_ends_at_0="2024-05-30", checkpoint_ends_at_1="23:59:59")

    response = admin_client.post(change_url(campaign), data)

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.checkpoint_ends_at == beijing(2024, 5, 30, 23, 59, 59)


def test_campaign_time_without_seconds_from_the_clock_shortcut_is_stored_at_zero_seconds(admin_client, campaign):
    data = posted_data(admin_client.get(change_url(campaign)).content.decode(), form_id="campaign_form")
    data.update(results_published_at_1="12:00")  # what the clock's "中午" inserts in zh-hans

    response = admin_client.post(change_url(campaign), data)
    shown = admin_client.get(change_url(campaign))

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.results_published_at == beijing(2024, 5, 6, 12, 0, 0)
    assertContains(shown, 'name="results_published_at_1" value="12:00:00"')


def test_every_admin_and_inline_edits_datetimes_with_the_seconds_widget(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    widgets = {}
    for model_admin in admin.site._registry.values():
        admins = [model_admin, *model_admin.get_inline_instances(request)]
        for each in admins:
            widgets[type(each).__name__] = each.formfield_overrides[models.DateTimeField]["widget"]

    assert set(widgets.values()) == {SecondsSplitDateTime}
    assert {"CampaignAdmin", "BasicCheckMonthInline", "ApplicationAdmin", "StatusChangeInline"} <= set(widgets)


def test_the_widget_round_trips_an_instant_with_seconds():
    widget = SecondsSplitDateTime()

    shown = widget.decompress(beijing(2024, 4, 25, 23, 59, 59))
    rendered = widget.widgets[1].format_value(shown[1])

    assert (shown[0], rendered) == (date(2024, 4, 25), "23:59:59")
