"""The upload handler (recruitment.uploads): files stream to disk and stop at the limit of the page they are
posted to; a refused upload stores nothing and answers the page's own clear message, never a 500."""

import io
import os

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile, TemporaryUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from applications.models import Attachment
from probation.models import Leader
from recruitment import uploads
from reviews.models import SanctionRecord
from reviews.roles import RISK_OFFICER
from tests.factories import credit_code
from tests.probation.factories import staff_with
from tests.reviews.factories import staff_with_role

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ATTACHMENTS = reverse("applications:section", args=["attachments"])
DATA_IMPORT = reverse("admin:probation_dataimport_changelist")


@pytest.fixture
def temp_dir(settings, tmp_path):
    """Where Django writes uploads while they arrive: empty again after every request below."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def files_of(path, content, name="f.pdf"):
    """``request.FILES["file"]`` for ``content`` posted to ``path`` through the configured handlers."""
    request = RequestFactory().post(path, {"file": SimpleUploadedFile(name, content)})
    return request.FILES["file"]


def test_a_small_request_stays_in_memory_and_a_larger_one_streams_to_disk(campaign, temp_dir):
    small = files_of(ATTACHMENTS, PDF)
    large = files_of(ATTACHMENTS, PDF + b"0" * (3 * MB))

    assert (type(small), small.read(), small.size) == (InMemoryUploadedFile, PDF, len(PDF))
    assert (type(large), large.size) == (TemporaryUploadedFile, len(PDF) + 3 * MB)
    assert os.path.dirname(large.temporary_file_path()) == str(temp_dir)
    assert large.read(len(PDF)) == PDF


@pytest.mark.parametrize(("extra", "refused"), [(0, False), (1, True)])
def test_a_file_is_refused_one_byte_over_the_campaign_limit(campaign, temp_dir, extra, refused):
    campaign.attachment_max_mb = 3
    campaign.save(update_fields=["attachment_max_mb"])

    file = files_of(ATTACHMENTS, b"0" * (3 * MB + extra))

    assert isinstance(file, uploads.RefusedUpload) is refused
    assert file.size == 3 * MB + extra
    if refused:
        reason = "文件超过 3 MB，超出此页面允许的大小；未保存任何内容"
        assert (file.read(), uploads.refusal(file), uploads.refusal(file.file)) == (b"", reason, reason)
        assert list(temp_dir.iterdir()) == []  # what was written of it is deleted


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        (reverse("applications:section", args=["attachments"]), 10),  # the campaign's attachment_max_mb
        (reverse("reviews:supplementary"), 50),  # the campaign's supplement_max_mb
        (reverse("admin:probation_dataimport_changelist"), 1024),  # DJANGO_IMPORT_MAX_MB
        (reverse("admin:reviews_sanctionrecord_import"), 10),  # any other page: UPLOAD_DEFAULT_MAX_MB
        ("/no/such/page/", 10),
    ],
)
def test_the_limit_is_the_one_of_the_page_the_file_is_posted_to(campaign, path, limit):
    request = RequestFactory().post(path)

    assert uploads.limit_mb(request) == limit


def test_a_campaign_limit_is_the_largest_any_campaign_allows_and_the_default_without_one(campaign):
    from recruitment.models import Campaign
    from tests.factories import CampaignFactory

    CampaignFactory(slug="next", is_current=False, attachment_max_mb=30, supplement_max_mb=20)
    request = RequestFactory().post(ATTACHMENTS)
    largest = uploads.limit_mb(request)
    Campaign.objects.all().delete()

    assert (largest, uploads.limit_mb(RequestFactory().post(reverse("reviews:supplementary")))) == (30, 10)


def test_an_attachment_over_the_limit_gets_the_form_message_and_nothing_is_stored(client, draft, inside_window,
                                                                                   temp_dir):
    draft.campaign.attachment_max_mb = 1
    draft.campaign.save(update_fields=["attachment_max_mb"])
    client.force_login(draft.applicant)

    response = client.post(ATTACHMENTS, {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * (3 * MB)),
                                         "description": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["文件超过 1 MB，请压缩或拆分成多个文件后上传。"]
    assert isinstance(response.context["form"].files["file"], uploads.RefusedUpload)
    assert Attachment.objects.count() == 0
    assert list(temp_dir.iterdir()) == []


def test_a_data_import_over_the_import_limit_lists_the_reason_and_imports_nothing(client, campaign, settings,
                                                                                   temp_dir):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "admin:probation_dataimport_changelist": 1}
    row = f"P01,杭州一号网络科技有限公司,{credit_code(1)},2024-05-06 10:00:00\n".encode()
    content = "团长账号,公司名称,统一社会信用代码,授权时间\n".encode() + row * (MB // len(row) + 1)
    client.force_login(staff_with("probation.add_dataimport"))

    response = client.post(DATA_IMPORT, {"kind": "leaders", "campaign": campaign.slug,
                                         "file": SimpleUploadedFile("leaders.csv", content)})

    result = response.context["result"]
    assert response.status_code == 200
    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (1, "-", "文件超过 1 MB，超出此页面允许的大小；未保存任何内容"),
    ]
    assert Leader.objects.count() == 0
    assert list(temp_dir.iterdir()) == []


def test_a_sanction_list_over_the_default_limit_is_refused_without_a_500(client, db, settings, temp_dir):
    settings.UPLOAD_DEFAULT_MAX_MB = 1
    client.force_login(staff_with_role(RISK_OFFICER))
    content = "淘宝联盟账号,统一社会信用代码,公司名称,类型,日期,活动代码,说明\n".encode() + (
        "mm_bad,,杭州甲公司,已清退,2024-01-10,,刷单\n".encode() * (MB // 40 + 1)
    )

    response = client.post(reverse("admin:reviews_sanctionrecord_import"),
                           {"import_file": SimpleUploadedFile("s.csv", content), "format": "0"})

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert response.context["form"].errors["import_file"] == ["文件超过 1 MB，超出此页面允许的大小；未保存任何内容"]
    assert SanctionRecord.objects.count() == 0
    assert list(temp_dir.iterdir()) == []


def test_the_import_reads_a_refused_upload_as_the_reason_not_as_an_empty_file(campaign):
    from probation.imports import RowError, import_file

    refused = uploads.RefusedUpload(name="orders.csv", content_type="text/csv", charset=None, size=3 * MB,
                                    limit_mb=2)

    result = import_file("orders", refused.file, campaign=campaign)

    assert result.errors == [RowError(1, "-", "文件超过 2 MB，超出此页面允许的大小；未保存任何内容")]
    assert io.BytesIO(refused.read()).getvalue() == b""
