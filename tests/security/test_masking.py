"""Personal numbers masked for roles that do not need them: phone numbers in full only for operations
and the campaign admin, the legal representative's ID number only for the risk officer and the
campaign admin; everyone else sees 138****5678 / 110105********002X in lists, detail pages and exports."""

import csv
import io

import pytest
from django.urls import reverse

from applications.masking import mask_id_number, mask_phone
from applications.permissions import can_see_full_phone
from reviews.permissions import can_see_full_id_number
from tests.security.conftest import ROLES
from tests.security.test_admin_matrix import export_form_data

MOBILE, MOBILE_MASKED = "13811112222", "138****2222"
TASK_PHONE, TASK_PHONE_MASKED = "13933334444", "139****4444"
ID_NUMBER, ID_MASKED = "11010519491231002X", "110105********002X"

FULL_PHONE = {"reviewer": False, "risk": False, "committee": False, "ops": True, "admin": True, "none": False}
FULL_ID = {"reviewer": False, "risk": True, "committee": False, "ops": False, "admin": True, "none": False}


def test_mask_helpers():
    assert (mask_phone("13812345678"), mask_id_number("11010519491231002X")) == ("138****5678", "110105********002X")
    assert (mask_phone(""), mask_phone(None), mask_phone("1234567")) == ("", "", "*******")


@pytest.mark.parametrize("column", list(ROLES))
def test_predicates_per_role(staff, column):
    user = staff[column]

    assert (can_see_full_phone(user), can_see_full_id_number(user)) == (FULL_PHONE[column], FULL_ID[column])


def test_predicates_for_superuser_and_anonymous(admin_user, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert (can_see_full_phone(admin_user), can_see_full_id_number(admin_user)) == (True, True)
    assert (can_see_full_phone(AnonymousUser()), can_see_full_id_number(AnonymousUser())) == (False, False)


def pages(world):
    """Admin pages that show a phone number, per role allowed to open them."""
    return {
        "application list": reverse("admin:applications_application_changelist"),
        "application page": reverse("admin:applications_application_change", args=[world.submitted.pk]),
        "phone task list": reverse("admin:reviews_phonetask_changelist"),
        "phone task page": reverse("admin:reviews_phonetask_change", args=[world.phone_task.pk]),
        "phone task history": reverse("admin:reviews_phonetask_history", args=[world.phone_task.pk]),
        "score page": reverse("admin:reviews_finalreviewqueue_score", args=[world.final.pk]),
    }


@pytest.mark.parametrize("column", ["reviewer", "risk", "committee", "ops", "admin"])
def test_phone_numbers_on_admin_pages(client, world, staff, column):
    world.final.mobile = "13755556666"
    world.final.save(update_fields=["mobile"])
    client.force_login(staff[column])
    shown = {}
    for name, url in pages(world).items():
        response = client.get(url)
        if response.status_code != 200:
            continue
        page = response.content.decode()
        number = {"phone task list": TASK_PHONE, "phone task page": TASK_PHONE, "phone task history": TASK_PHONE,
                  "score page": "13755556666"}.get(name, MOBILE)
        shown[name] = ("full" if number in page else "") + ("masked" if mask_phone(number) in page else "")

    expected = "full" if FULL_PHONE[column] else "masked"
    assert shown and set(shown.values()) == {expected}, shown


@pytest.mark.parametrize("column", ["reviewer", "risk", "committee", "ops", "admin"])
def test_search_by_phone_number_only_for_roles_that_see_it(client, world, staff, column):
    client.force_login(staff[column])

    response = client.get(reverse("admin:applications_application_changelist"), {"q": MOBILE})

    found = [a.pk for a in response.context["cl"].result_list]
    assert found == ([world.submitted.pk] if FULL_PHONE[column] else [])


@pytest.mark.parametrize("column", ["reviewer", "risk", "committee", "ops", "admin"])
def test_applications_export_masks_the_mobile(client, admin_client, world, staff, column):
    data = export_form_data(admin_client.get(reverse("admin:applications_application_export")).context["form"])
    client.force_login(staff[column])

    response = client.post(reverse("admin:applications_application_export"), data)

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    mobiles = sorted(row["联系人手机号"] for row in rows)
    full = sorted(a.mobile for a in type(world.submitted).objects.all())
    assert mobiles == (full if FULL_PHONE[column] else sorted(mask_phone(m) for m in full))
    assert MOBILE_MASKED in mobiles or FULL_PHONE[column]


@pytest.mark.parametrize("column", ["risk", "admin"])
def test_id_number_on_the_round2_page_for_roles_that_see_filings(client, world, staff, column):
    client.force_login(staff[column])

    page = client.get(reverse("admin:reviews_riskqueue_change", args=[world.risk.pk])).content.decode()

    assert ID_NUMBER in page
    assert ID_MASKED not in page


def test_id_number_masked_for_a_filing_viewer_without_the_risk_role(client, world):
    """A staff member given only the view permissions of round 2 (not a role) sees the masked number."""
    from tests.probation.factories import staff_with

    viewer = staff_with("reviews.view_riskassessment", "reviews.view_filing", "applications.view_application",
                        username="viewer@example.com")
    client.force_login(viewer)

    page = client.get(reverse("admin:reviews_riskqueue_change", args=[world.risk.pk])).content.decode()

    assert ID_MASKED in page
    assert ID_NUMBER not in page
