"""Uploads stream to disk and stop at the size limit of the form they are sent to (``FILE_UPLOAD_HANDLERS``).

Django reads a multipart body in chunks and hands each file's chunks to the upload handlers. This one
writes them to a temporary file (a small request stays in memory) and counts them: once a file passes
the limit of the page it is posted to, the rest of it is read and dropped, what was written is deleted,
and the form receives a ``RefusedUpload`` instead. A refused upload holds no data but says its size,
so the form's own size check answers with its usual message ("larger than 10 MB"), and
``refusal(file)`` tells code that reads files (the data import) why it is empty.

The limit of a page comes from ``settings.UPLOAD_LIMITS`` (URL name → MB, or the name of a campaign
field: the largest value any campaign has), else ``UPLOAD_DEFAULT_MAX_MB``. The reverse proxy caps the
body of a whole request before it reaches Django (docs/deployment.md, "Request body limits").
django-import-export's import form reads a refused file as empty: admins importing through it use
``LimitedImportForm``, which says the file was too large.
"""

import io
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db.models import Max
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from import_export.forms import ImportForm

MB = 1024 * 1024


def limit_mb(request):
    """The largest file, in MB, the page ``request`` is sent to accepts."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    rule = settings.UPLOAD_LIMITS.get(match.view_name if match else None, settings.UPLOAD_DEFAULT_MAX_MB)
    if isinstance(rule, int):
        return rule
    from recruitment.models import Campaign  # models only once the app registry is ready

    # The largest any campaign allows: the form then holds the file to its own campaign's limit.
    largest = Campaign.objects.aggregate(largest=Max(rule))["largest"]
    return largest if largest is not None else settings.UPLOAD_DEFAULT_MAX_MB


class RefusedContent(io.BytesIO):
    """The (empty) content of a refused upload; ``refusal`` reads its reason."""

    def __init__(self, *, size, limit_mb):
        super().__init__(b"")
        self.received = size
        self.limit_mb = limit_mb


class RefusedUpload(UploadedFile):
    """A file that passed its limit while it was uploaded: no data; ``size`` is what the client sent."""

    def __init__(self, *, name, content_type, charset, size, limit_mb, content_type_extra=None):
        super().__init__(RefusedContent(size=size, limit_mb=limit_mb), name, content_type, size, charset,
                         content_type_extra)
        self.limit_mb = limit_mb


def refusal(file):
    """Why ``file`` (an uploaded file or its ``.file``) holds no data, or ``""``."""
    content = getattr(file, "file", file)
    if isinstance(content, RefusedContent):
        return _("the file is larger than %(limit)s MB, the largest this page accepts; nothing was stored") % {
            "limit": content.limit_mb
        }
    return ""


class LimitedUploadHandler(FileUploadHandler):
    """Every uploaded file to disk (a request of at most ``FILE_UPLOAD_MAX_MEMORY_SIZE`` bytes: to memory),
    stopped at ``limit_mb(request)`` MB per file."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit_mb = limit_mb(request) if request is not None else settings.UPLOAD_DEFAULT_MAX_MB
        self.limit = self.limit_mb * MB
        self.in_memory = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.in_memory = content_length <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False
        if self.in_memory:
            self.file = io.BytesIO()
        else:
            self.file = TemporaryUploadedFile(self.file_name, self.content_type, 0, self.charset,
                                              self.content_type_extra)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refused:
            return None
        if self.received > self.limit:
            self.refused = True
            self._discard()
            return None
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(name=self.file_name, content_type=self.content_type, charset=self.charset,
                                 size=self.received, limit_mb=self.limit_mb,
                                 content_type_extra=self.content_type_extra)
        self.file.seek(0)
        if self.in_memory:
            return InMemoryUploadedFile(self.file, self.field_name, self.file_name, self.content_type, file_size,
                                        self.charset, self.content_type_extra)
        self.file.size = file_size
        return self.file

    def upload_interrupted(self):
        self._discard()

    def _discard(self):
        """Close and delete what was written of the current file."""
        file = getattr(self, "file", None)
        if isinstance(file, TemporaryUploadedFile):
            path = file.temporary_file_path()
            file.close()
            try:
                os.remove(path)
            except FileNotFoundError:
                pass  # closing a NamedTemporaryFile deletes it
        elif file is not None:
            file.close()
        self.file = None


class LimitedImportForm(ImportForm):
    """django-import-export's import form, answering a refused upload with its reason (the admin's
    ``import_form_class``); without it the library reads the empty file as "no valid data"."""

    def clean_import_file(self):
        file = self.cleaned_data["import_file"]
        if reason := refusal(file):
            raise ValidationError(reason, code="file_too_large")
        return file
