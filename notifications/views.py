"""Alibaba Cloud's delivery receipts (SmsReport, HTTP batch push): the one URL of this app.

The provider cannot log in or sign its pushes, so the URL carries a secret of its own
(``ALIYUN_SMS_RECEIPT_TOKEN``): without it configured, or with any other token, the URL does not exist (404).
The body is a JSON array of reports; each updates the SMS it names (``services.record_sms_receipts``). The
answer the provider expects is ``{"code": 0, "msg": …}`` with HTTP 200; anything else makes it push again.
"""

import json
import logging
import secrets

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def sms_receipts(request, token):
    expected = settings.ALIYUN_SMS_RECEIPT_TOKEN
    if not expected or not secrets.compare_digest(token.encode(), expected.encode()):
        raise Http404
    try:
        reports = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"code": 400, "msg": "invalid JSON"}, status=400)
    if not isinstance(reports, list) or not all(isinstance(report, dict) for report in reports):
        return JsonResponse({"code": 400, "msg": "expected a JSON array of reports"}, status=400)
    matched = services.record_sms_receipts(reports)
    logger.info("SMS receipts: %s report(s), %s matched", len(reports), matched)
    return JsonResponse({"code": 0, "msg": "成功"}, json_dumps_params={"ensure_ascii": False})
