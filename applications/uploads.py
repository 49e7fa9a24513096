"""Checks on uploaded files: type by content (magic bytes), size by campaign limit, and a safe name.

The browser's content type and the file extension are not trusted: a text file renamed ``.pdf`` is
refused. Spreadsheets (.xlsx) are ZIP files, so the archive is opened and must contain an Excel
workbook. Files are stored under a random name (``models.attachment_path``); the sanitised original
name is only shown and used for downloads.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .enums import AttachmentKind

# How many files one application may hold (all kinds together).
MAX_ATTACHMENTS = 20
MAX_NAME_LENGTH = 120
SNIFF_BYTES = 8192

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"

# content type -> (accepted extensions, the one appended when the name has none)
ALLOWED_TYPES = {
    PDF: ((".pdf",), ".pdf"),
    PNG: ((".png",), ".png"),
    JPEG: ((".jpg", ".jpeg"), ".jpg"),
    XLSX: ((".xlsx",), ".xlsx"),
    XLS: ((".xls",), ".xls"),
}
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, Excel (.xlsx/.xls)"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    name: str
    content_type: str
    size: int


def size_limit_mb(campaign, kind):
    """Supporting files use ``attachment_max_mb``; supplementary material after round 1 is larger."""
    if kind == AttachmentKind.SUPPLEMENTARY:
        return campaign.supplement_max_mb
    return campaign.attachment_max_mb


def sanitize_filename(name):
    """The base name only, without path parts, control or format characters; never empty."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in _CONTROL.sub("", name) if unicodedata.category(ch) != "Cf")
    name = name.strip().strip(".").strip()
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePosixPath(name).suffix[:10]
        name = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return name or "file"


def _is_xlsx(fileobj):
    """An Office Open XML spreadsheet: a ZIP with an Excel workbook declared in [Content_Types].xml."""
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                return False
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                return False
            types = archive.read(info)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError, NotImplementedError):
        return False
    finally:
        fileobj.seek(0)
    return b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" in types


def detect_content_type(fileobj):
    """The allowed content type the bytes really are, or ``None``."""
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return XLSX if _is_xlsx(fileobj) else None
    kind = filetype.guess(head)
    if kind is None:
        return None
    return kind.mime if kind.mime in ALLOWED_TYPES else None


def check_upload(uploaded, *, campaign, kind=AttachmentKind.SUPPORTING):
    """Validate an uploaded file; returns a ``CheckedUpload`` or raises ``ValidationError``."""
    limit_mb = size_limit_mb(campaign, kind)
    if uploaded.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(limit)s MB. Compress it or split it into several files."),
            code="file_too_large",
            params={"limit": limit_mb},
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    content_type = detect_content_type(uploaded)
    if content_type is None:
        raise ValidationError(
            _("This file type is not accepted. Upload %(types)s files."),
            code="file_type",
            params={"types": ALLOWED_DESCRIPTION},
        )
    name = sanitize_filename(uploaded.name)
    extensions, default_extension = ALLOWED_TYPES[content_type]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in extensions:
        if suffix in {ext for exts, _default in ALLOWED_TYPES.values() for ext in exts}:
            raise ValidationError(
                _("The file name ends in %(suffix)s but the content is not of that type."),
                code="file_extension",
                params={"suffix": suffix},
            )
        name = sanitize_filename(name[: MAX_NAME_LENGTH - len(default_extension)] + default_extension)
    return CheckedUpload(file=uploaded, name=name, content_type=content_type, size=uploaded.size)
