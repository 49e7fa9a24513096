"""The shared admin mixin's rules for the change list (recruitment.admin_permissions), on the real admins
and on small subclasses of them where a rule needs a column or filter no admin has today.

The matrix over every admin and role is ``tests/security/test_admin_lookups.py``.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.urls import reverse

from applications.admin import ApplicationAdmin
from applications.enums import ApplicationStatus
from applications.models import Application
from probation.models import Leader
from reviews.roles import OPERATIONS, ROUND1_REVIEWER
from tests.factories import ApplicationFactory, CampaignFactory
from tests.probation.factories import LeaderFactory
from tests.reviews.factories import SubmittedApplicationFactory, staff_with_role

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:applications_application_changelist"


@pytest.fixture
def ops(db):
    return staff_with_role(OPERATIONS, username="ops@example.com")


@pytest.fixture
def reviewer(db):
    return staff_with_role(ROUND1_REVIEWER, username="reviewer@example.com")


@pytest.fixture
def two_campaigns(campaign):
    other = CampaignFactory(slug="2025-nx3", is_current=False)
    return {
        "ours": SubmittedApplicationFactory(campaign=campaign, company_name="本期提交公司"),
        "draft": ApplicationFactory(campaign=campaign, company_name="本期草稿公司"),
        "other": SubmittedApplicationFactory(campaign=other, company_name="下期提交公司"),
    }


def names(response):
    return sorted(a.company_name for a in response.context["cl"].result_list)


def test_the_parameters_of_the_filters_shown_filter(client, ops, two_campaigns):
    client.force_login(ops)
    campaign = two_campaigns["ours"].campaign

    response = client.get(reverse(CHANGELIST), {"campaign__id__exact": campaign.pk, "status__exact": "submitted"})

    assert response.status_code == 200
    assert names(response) == ["本期提交公司"]


@pytest.mark.parametrize("lookup", ["campaign", "campaign__slug", "campaign__id__in", "status", "status__in",
                                    "status__startswith"])
def test_other_spellings_of_a_shown_filter_are_refused(client, ops, two_campaigns, lookup):
    client.force_login(ops)
    value = "submitted" if lookup.startswith("status") else str(two_campaigns["ours"].campaign_id)

    response = client.get(reverse(CHANGELIST), {lookup: value})

    assert response.status_code == 400


def test_the_date_hierarchy_filters(client, ops, two_campaigns):
    """Across both campaigns (the list shows the campaign worked on unless the URL asks for all)."""
    client.force_login(ops)

    response = client.get(
        reverse(CHANGELIST), {"submitted_at__year": "2024", "submitted_at__month": "4", "campaign__id__exact": "all"}
    )

    assert response.status_code == 200
    assert names(response) == ["下期提交公司", "本期提交公司"]


def test_lookup_allowed_refuses_without_a_request_and_a_nul_value(rf, ops):
    model_admin = admin.site.get_model_admin(Application)
    request = rf.get("/")
    request.user = ops

    assert [
        model_admin.lookup_allowed("status__exact", "submitted", request),
        model_admin.lookup_allowed("status__exact", "sub\x00mitted", request),
        model_admin.lookup_allowed("status__exact", "submitted", None),
    ] == [True, False, False]


def test_a_raw_id_popups_limit_choices_to_pair_is_allowed_and_nothing_else(client, monkeypatch, ops, campaign):
    """Django lets a raw-id popup filter by its field's ``limit_choices_to``: the exact pair only."""
    monkeypatch.setattr(Leader._meta, "related_fkey_lookups", [{"status": "probation"}])
    LeaderFactory(campaign=campaign, leader_account="L-popup")
    client.force_login(ops)
    url = reverse("admin:probation_leader_changelist")

    allowed = client.get(url, {"status": "probation", "_popup": "1", "_to_field": "id"})
    other_value = client.get(url, {"status": "closed", "_popup": "1", "_to_field": "id"})

    assert (allowed.status_code, [leader.leader_account for leader in allowed.context["cl"].result_list]) == (
        200, ["L-popup"]
    )
    assert other_value.status_code == 400


class NarrowSortApplicationAdmin(ApplicationAdmin):
    """The applications admin with one sortable column (``sortable_by``), every other column kept."""

    sortable_by = ["company_name"]


def changelist_instance(model_admin, rf, user, **params):
    request = rf.get("/", params)
    request.user = user
    return model_admin.get_changelist_instance(request)


def test_o_sorts_only_by_the_columns_sortable_by_names(rf, ops, two_campaigns):
    model_admin = NarrowSortApplicationAdmin(Application, admin.site)

    by_account = changelist_instance(model_admin, rf, ops, o="1")  # alliance_account: not in sortable_by
    by_name = changelist_instance(model_admin, rf, ops, o="0")  # company_name

    assert by_account.list_display[1] == "alliance_account"
    skipped = changelist_instance(model_admin, rf, ops, o="999")  # an index Django skips
    assert (by_account.get_ordering_field_columns(), [str(t) for t in by_account.queryset.query.order_by]) == (
        {}, [str(t) for t in skipped.queryset.query.order_by]
    )
    assert (by_name.get_ordering_field_columns(), by_name.queryset.query.order_by[0]) == ({0: "asc"}, "company_name")


class MobileFilterApplicationAdmin(ApplicationAdmin):
    """The applications admin with a (careless) filter on the mobile number."""

    list_filter = [*ApplicationAdmin.list_filter, "mobile"]


def test_a_filter_on_a_masked_field_is_shown_only_to_roles_that_see_it(rf, ops, reviewer):
    model_admin = MobileFilterApplicationAdmin(Application, admin.site)
    shown = {}
    for name, user in (("ops", ops), ("reviewer", reviewer)):
        request = rf.get("/")
        request.user = user
        shown[name] = "mobile" in model_admin.get_list_filter(request)

    assert shown == {"ops": True, "reviewer": False}


def test_a_masked_filters_parameter_is_refused_to_a_role_that_sees_it_masked(rf, ops, reviewer, two_campaigns):
    model_admin = MobileFilterApplicationAdmin(Application, admin.site)
    mobile = two_campaigns["ours"].mobile

    # Django's filter of a plain text field takes the bare name as parameter.
    for_ops = changelist_instance(model_admin, rf, ops, mobile=mobile)
    with pytest.raises(DisallowedModelAdminLookup):
        changelist_instance(model_admin, rf, reviewer, mobile=mobile)

    assert [a.company_name for a in for_ops.result_list] == ["本期提交公司"]


@pytest.mark.parametrize(("user_fixture", "expected"), [
    ("ops", ["company_name", "credit_code", "alliance_account", "mobile", "applicant__username",
             "applicant__email"]),
    ("reviewer", ["company_name", "credit_code", "alliance_account", "applicant__email"]),
])
def test_search_fields_leave_out_what_the_role_sees_masked(rf, request, user_fixture, expected):
    http_request = rf.get("/")
    http_request.user = request.getfixturevalue(user_fixture)

    assert admin.site.get_model_admin(Application).get_search_fields(http_request) == expected


def test_an_applicant_named_by_mobile_is_masked_on_the_application_page(client, reviewer, ops, campaign):
    """A reviewer sees 136****0026 for the mobile field, so also for the applicant's login name and in the
    audit trail (the applicant submitted it)."""
    from tests.factories import UserFactory

    login = UserFactory(username="13600000026", mobile="13600000026")
    application = SubmittedApplicationFactory(campaign=campaign, applicant=login, mobile="13600000026")
    application.status_changes.create(actor=login, from_status=ApplicationStatus.DRAFT,
                                      to_status=ApplicationStatus.SUBMITTED)
    url = reverse("admin:applications_application_change", args=[application.pk])
    pages = {}
    for name, user in (("reviewer", reviewer), ("ops", ops)):
        client.force_login(user)
        pages[name] = client.get(url).content.decode()

    assert (pages["reviewer"].count("13600000026"), pages["reviewer"].count("136****0026")) == (0, 3)
    assert pages["ops"].count("13600000026") == 3
