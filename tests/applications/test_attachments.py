import io
import struct
import zlib

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.enums import AttachmentKind
from applications.models import Attachment
from applications.uploads import MAX_ATTACHMENTS, check_upload, sanitize_filename
from tests.factories import AttachmentFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def png_bytes():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = zlib.compress(b"\x00\x00\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "商家"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_like_zip():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    return buffer.getvalue()


UPLOAD_URL = reverse("applications:section", args=["attachments"])


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


def upload(client, name, content, content_type="application/octet-stream", description=""):
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content, content_type=content_type),
                                    "description": description})


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("营业执照.pdf", PDF, "application/pdf"),
        ("case.PNG", png_bytes(), "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("商家数据.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_upload_valid_file_accepted(logged_in, draft, inside_window, name, content, stored_type):
    response = upload(logged_in, name, content, content_type="text/plain", description="证明")

    assert response["Location"] == UPLOAD_URL
    attachment = Attachment.objects.get(application=draft)
    assert (attachment.original_name, attachment.content_type, attachment.size, attachment.kind) == (
        name, stored_type, len(content), AttachmentKind.SUPPORTING)
    assert attachment.description == "证明"
    assert attachment.file.name.startswith(f"applications/{draft.pk}/")
    assert name not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("licence.pdf", b"just some text pretending to be a PDF\n"),
        ("sheet.xlsx", docx_like_zip()),
        ("sheet.xlsx", b"PK\x03\x04 not really a zip"),
        ("script.pdf", b"<html><script>alert(1)</script></html>"),
        ("archive.pdf", b"\x1f\x8b\x08\x00" + b"\x00" * 32),
    ],
)
def test_upload_content_not_allowed_rejected(logged_in, draft, inside_window, name, content):
    response = upload(logged_in, name, content, content_type="application/pdf")

    assert response.status_code == 200
    assert "不支持该文件类型，请上传 PDF, PNG, JPEG, Excel (.xlsx/.xls) 文件。" in response.content.decode()
    assert Attachment.objects.filter(application=draft).exists() is False


def test_upload_extension_not_matching_content_rejected(logged_in, draft, inside_window):
    response = upload(logged_in, "photo.pdf", png_bytes())

    assert "文件扩展名为 .pdf，但文件内容不是该类型。" in response.content.decode()
    assert Attachment.objects.filter(application=draft).exists() is False


def test_upload_oversize_rejected_with_the_limit(logged_in, draft, campaign, inside_window):
    campaign.attachment_max_mb = 1
    campaign.save()

    response = upload(logged_in, "big.pdf", PDF + b"0" * (1024 * 1024 + 1 - len(PDF)))

    assert "文件超过 1 MB，请压缩或拆分成多个文件后上传。" in response.content.decode()
    assert Attachment.objects.filter(application=draft).exists() is False


def test_upload_exactly_at_the_limit_accepted(logged_in, draft, campaign, inside_window):
    campaign.attachment_max_mb = 1
    campaign.save()

    upload(logged_in, "big.pdf", PDF + b"0" * (1024 * 1024 - len(PDF)))

    assert Attachment.objects.get(application=draft).size == 1024 * 1024


def test_size_limit_depends_on_the_kind(campaign):
    campaign.attachment_max_mb, campaign.supplement_max_mb = 1, 3
    content = PDF + b"0" * (2 * 1024 * 1024)

    with pytest.raises(Exception) as error:
        check_upload(SimpleUploadedFile("a.pdf", content), campaign=campaign, kind=AttachmentKind.SUPPORTING)
    assert error.value.code == "file_too_large"
    checked = check_upload(SimpleUploadedFile("a.pdf", content), campaign=campaign, kind=AttachmentKind.SUPPLEMENTARY)
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\report.pdf", "report.pdf"),
        ("/abs/path/合同.pdf", "合同.pdf"),
        ("bad\x00na\x1bme\u202e.pdf", "badname.pdf"),
        ("  .hidden.pdf  ", "hidden.pdf"),
        ("..", "file"),
    ],
)
def test_sanitize_filename_neutralises_path_tricks(raw, clean):
    assert sanitize_filename(raw) == clean


def test_upload_path_tricks_in_the_name_neutralised(logged_in, draft, inside_window):
    upload(logged_in, "../../../etc/cron.d/x\t\x7f.pdf", PDF)

    attachment = Attachment.objects.get(application=draft)
    assert attachment.original_name == "x.pdf"
    assert ".." not in attachment.file.name
    assert attachment.file.name.startswith(f"applications/{draft.pk}/")


def test_upload_without_extension_gets_the_detected_one(logged_in, draft, inside_window):
    upload(logged_in, "营业执照", PDF)

    assert Attachment.objects.get(application=draft).original_name == "营业执照.pdf"


def test_upload_refused_beyond_the_maximum_number_of_files(logged_in, draft, inside_window):
    AttachmentFactory.create_batch(MAX_ATTACHMENTS, application=draft)

    response = upload(logged_in, "one-more.pdf", PDF)

    assert "每份申请最多上传 20 个文件，请先删除一个再上传。" in response.content.decode()
    assert Attachment.objects.filter(application=draft).count() == MAX_ATTACHMENTS


def test_attachments_are_listed_with_download_and_delete(logged_in, draft, inside_window):
    attachment = AttachmentFactory(application=draft, original_name="营业执照.pdf")

    page = logged_in.get(UPLOAD_URL).content.decode()

    assert f'href="/attachments/{attachment.pk}/">营业执照.pdf</a>' in page
    assert f'action="/apply/attachments/{attachment.pk}/delete/"' in page


def test_delete_attachment_of_a_draft(logged_in, draft, inside_window):
    attachment = AttachmentFactory(application=draft)
    storage, name = attachment.file.storage, attachment.file.name

    response = logged_in.post(reverse("applications:attachment_delete", args=[attachment.pk]))

    assert response["Location"] == UPLOAD_URL
    assert Attachment.objects.filter(pk=attachment.pk).exists() is False
    assert storage.exists(name) is True  # removed only after commit (tests roll back)


def test_delete_attachment_removes_the_file_after_commit(
    logged_in, draft, inside_window, django_capture_on_commit_callbacks
):
    attachment = AttachmentFactory(application=draft)
    storage, name = attachment.file.storage, attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(reverse("applications:attachment_delete", args=[attachment.pk]))

    assert storage.exists(name) is False


def test_submitted_application_refuses_upload_and_delete(logged_in, submitted, inside_window):
    attachment = submitted.attachments.get()

    upload_response = upload(logged_in, "late.pdf", PDF)
    delete_response = logged_in.post(reverse("applications:attachment_delete", args=[attachment.pk]))

    assert (upload_response.status_code, delete_response.status_code) == (403, 403)
    assert list(submitted.attachments.values_list("pk", flat=True)) == [attachment.pk]
    assert attachment.file.storage.exists(attachment.file.name) is True


def test_download_headers_exact(logged_in, draft, inside_window):
    upload(logged_in, "营业执照 2024.pdf", PDF)
    attachment = Attachment.objects.get(application=draft)

    response = logged_in.get(reverse("applications:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"____ 2024.pdf\"; "
        "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%202024.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF


def test_download_ascii_name_with_quotes(logged_in, draft, inside_window):
    attachment = AttachmentFactory(application=draft, original_name='a"b.pdf')

    response = logged_in.get(reverse("applications:attachment", args=[attachment.pk]))

    assert response["Content-Disposition"] == "attachment; filename=\"a_b.pdf\"; filename*=UTF-8''a%22b.pdf"
