"""One applicant never sees or changes another's application or files; anonymous users must log in."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications import permissions
from applications.models import Application, Attachment
from tests.factories import ApplicationFactory, AttachmentFactory, UserFactory

SCOPED_GET_URLS = [
    reverse("applications:apply"),
    reverse("applications:overview"),
    reverse("applications:status"),
    reverse("applications:withdraw"),
    *[reverse("applications:section", args=[s]) for s in
      ["identity", "risk", "qualifications", "assessment", "cases", "attachments", "declaration"]],
]


@pytest.mark.parametrize("url", SCOPED_GET_URLS)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("name", ["applications:attachment", "applications:attachment_delete"])
def test_anonymous_cannot_reach_a_file(client, draft, name):
    attachment = AttachmentFactory(application=draft)
    url = reverse(name, args=[attachment.pk])

    response = client.post(url) if name.endswith("delete") else client.get(url)

    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    assert Attachment.objects.filter(pk=attachment.pk).exists() is True


@pytest.mark.parametrize("url", SCOPED_GET_URLS)
def test_other_applicant_never_sees_the_draft(client, submitted, other_applicant, inside_window, url):
    client.force_login(other_applicant)

    response = client.get(url, follow=True)

    page = response.content.decode()
    assert submitted.company_name not in page
    assert submitted.alliance_account not in page
    assert submitted.credit_code not in page


def test_section_post_without_application_saves_nothing(client, other_applicant, campaign, inside_window):
    client.force_login(other_applicant)

    response = client.post(reverse("applications:section", args=["identity"]), {"company_name": "X公司"})

    assert response["Location"] == reverse("applications:apply")
    assert Application.objects.filter(applicant=other_applicant).exists() is False


def test_other_applicant_sections_work_on_their_own_application(client, submitted, other_applicant, inside_window):
    client.force_login(other_applicant)
    client.post(reverse("applications:apply"))  # starts their own draft (开始填写)

    client.post(reverse("applications:section", args=["identity"]), {"company_name": "别人的公司", "action": "save"})

    mine = Application.objects.get(applicant=other_applicant)
    submitted.refresh_from_db()
    assert mine.company_name == "别人的公司"
    assert submitted.company_name != "别人的公司"


def test_other_applicant_cannot_withdraw_or_reopen_someone_else(client, submitted, other_applicant, inside_window):
    client.force_login(other_applicant)

    withdraw = client.post(reverse("applications:withdraw"))
    reopen = client.post(reverse("applications:reopen"))

    assert (withdraw.status_code, reopen.status_code) == (404, 404)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_other_applicant_gets_404_for_a_file(client, draft, other_applicant):
    attachment = AttachmentFactory(application=draft)
    client.force_login(other_applicant)

    download = client.get(reverse("applications:attachment", args=[attachment.pk]))
    delete = client.post(reverse("applications:attachment_delete", args=[attachment.pk]))

    assert (download.status_code, delete.status_code) == (404, 404)
    assert Attachment.objects.filter(pk=attachment.pk).exists() is True


def test_missing_file_and_foreign_file_answer_the_same(client, draft, other_applicant):
    attachment = AttachmentFactory(application=draft)
    client.force_login(other_applicant)

    foreign = client.get(reverse("applications:attachment", args=[attachment.pk]))
    missing = client.get(reverse("applications:attachment", args=[attachment.pk + 1000]))

    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)


def test_owner_downloads_own_file(client, draft, applicant):
    attachment = AttachmentFactory(application=draft)
    client.force_login(applicant)

    response = client.get(reverse("applications:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%test\n"


def test_staff_with_view_permission_downloads(client, draft):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_application"))
    attachment = AttachmentFactory(application=draft)
    client.force_login(staff)

    response = client.get(reverse("applications:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_staff_without_view_permission_gets_404(client, draft):
    staff = UserFactory(is_staff=True)
    attachment = AttachmentFactory(application=draft)
    client.force_login(staff)

    assert client.get(reverse("applications:attachment", args=[attachment.pk])).status_code == 404


def test_staff_cannot_delete_an_applicants_file(client, draft):
    staff = UserFactory(is_staff=True, is_superuser=True)
    attachment = AttachmentFactory(application=draft)
    client.force_login(staff)

    assert client.post(reverse("applications:attachment_delete", args=[attachment.pk])).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists() is True


def test_permission_predicates_both_sides(draft, applicant, other_applicant):
    from django.contrib.auth.models import AnonymousUser

    attachment = AttachmentFactory(application=draft)
    assert permissions.can_view_application(applicant, draft) is True
    assert permissions.can_view_application(other_applicant, draft) is False
    assert permissions.can_view_application(AnonymousUser(), draft) is False
    assert permissions.can_edit_answers(applicant, draft) is True
    assert permissions.can_edit_answers(other_applicant, draft) is False
    assert permissions.can_delete_attachment(applicant, attachment) is True
    assert permissions.can_delete_attachment(other_applicant, attachment) is False
    draft.status = "submitted"
    assert permissions.can_edit_answers(applicant, draft) is False
    assert permissions.can_delete_attachment(applicant, attachment) is False
    assert permissions.can_view_application(applicant, draft) is True


def test_supplementary_material_cannot_be_deleted_by_the_applicant(draft, applicant):
    attachment = AttachmentFactory(application=draft, kind="supplementary")

    assert permissions.can_delete_attachment(applicant, attachment) is False


def test_applications_of_two_users_in_one_campaign_are_separate(campaign, applicant, other_applicant):
    mine = ApplicationFactory(campaign=campaign, applicant=applicant)
    theirs = ApplicationFactory(campaign=campaign, applicant=other_applicant)

    assert permissions.is_owner(applicant, mine) is True
    assert permissions.is_owner(applicant, theirs) is False
