"""A stand-in for Alibaba Cloud's SMS API (dysmsapi, ``SendSms``) on loopback, for the real SDK to talk to.

The SDK (``alibabacloud_dysmsapi20170525`` 4.6 on ``alibabacloud_tea_openapi``) sends ``SendSms`` as an RPC-style
``POST /`` whose parameters are in the query string (``PhoneNumbers``, ``SignName``, ``TemplateCode``,
``TemplateParam``), the action and version in ``x-acs-action``/``x-acs-version`` headers, signed with
ACS3-HMAC-SHA256 (``Authorization: ACS3-HMAC-SHA256 Credential=<key id>,SignedHeaders=…,Signature=…``). The
stub checks that signature with the test secret, as the provider does, records each request, and answers
with the next scenario queued (``respond_with``), then with success:

- ``ok``: HTTP 200, ``Code`` OK and a new ``BizId``;
- ``throttled``: HTTP 200, ``isv.BUSINESS_LIMIT_CONTROL`` (the provider's per-number flow control);
- ``gateway_throttled``: HTTP 400, ``Throttling.User`` (the API gateway's flow control);
- ``template_rejected``: HTTP 200, ``isv.SMS_TEMPLATE_ILLEGAL``;
- ``bad_number``: HTTP 200, ``isv.MOBILE_NUMBER_ILLEGAL``;
- ``server_error``: HTTP 500, ``InternalError``;
- ``timeout``: answers only after ``slow_seconds``, past the client's read timeout.

A request whose signature does not verify gets HTTP 400 ``SignatureDoesNotMatch`` whatever is queued.
"""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

ACCESS_KEY_ID = "LTAI-test-not-a-real-key"
ACCESS_KEY_SECRET = "test-secret-not-a-real-secret"

ANSWERS = {
    "throttled": (200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"),
    "gateway_throttled": (400, "Throttling.User", "Request was denied due to user flow control."),
    "template_rejected": (200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"),
    "bad_number": (200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
    "server_error": (500, "InternalError", "The request processing has failed due to some unknown error."),
}


@dataclass
class Received:
    """One request as the stub saw it."""

    action: str
    params: dict
    headers: dict
    signature_ok: bool
    answered: str = ""

    @property
    def template_param(self):
        return json.loads(self.params.get("TemplateParam", "{}"))


def expected_authorization(method, path, query, headers, signed_headers, secret):
    """The ``Authorization`` value ACS3-HMAC-SHA256 gives for this request (the provider's side of it)."""
    canonical_query = "&".join(
        f"{key}={quote(value, safe='~')}" for key, value in sorted(query.items())
    )
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    payload_hash = headers.get("x-acs-content-sha256", "")
    canonical_request = "\n".join([
        method, path or "/", canonical_query, canonical_headers, ";".join(signed_headers), payload_hash,
    ])
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class AliyunSmsStub:
    slow_seconds: float = 2.0
    received: list = field(default_factory=list)
    _queue: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)
    _biz_ids: int = 0

    def respond_with(self, *scenarios):
        """Answer the next requests with these scenarios, in order (then ``ok``)."""
        with self._lock:
            self._queue.extend(scenarios)

    def _next(self):
        with self._lock:
            return self._queue.pop(0) if self._queue else "ok"

    def _new_biz_id(self):
        with self._lock:
            self._biz_ids += 1
            return f"90061974693649{self._biz_ids:04d}^0"

    def start(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                stub._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self._released.set()  # a "timeout" answer still sleeping gives up now
        self.server.shutdown()
        self.server.server_close()

    @property
    def endpoint(self):
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def _handle(self, request):
        url = urlsplit(request.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(request.headers.get("content-length") or 0)
        body = request.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in request.headers.items()}
        received = Received(
            action=headers.get("x-acs-action", ""), params=query, headers=headers,
            signature_ok=self._verify(request.command, url.path, query, headers, body),
        )
        self.received.append(received)
        if not received.signature_ok:
            received.answered = "bad_signature"
            return self._answer(request, 400, {"Code": "SignatureDoesNotMatch", "Message": "signature mismatch"})
        scenario = self._next()
        received.answered = scenario
        if scenario == "timeout":
            self._released.wait(self.slow_seconds)
            scenario = "ok"
        if scenario == "ok":
            return self._answer(request, 200, {
                "Code": "OK", "Message": "OK", "BizId": self._new_biz_id(), "RequestId": "STUB-REQUEST-ID",
            })
        status, code, message = ANSWERS[scenario]
        self._answer(request, status, {"Code": code, "Message": message, "RequestId": "STUB-REQUEST-ID"})

    @staticmethod
    def _verify(method, path, query, headers, body):
        authorization = headers.get("authorization", "")
        if not authorization.startswith("ACS3-HMAC-SHA256 "):
            return False
        parts = dict(part.split("=", 1) for part in authorization.split(" ", 1)[1].split(",") if "=" in part)
        if parts.get("Credential") != ACCESS_KEY_ID:
            return False
        if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
            return False
        signed = parts.get("SignedHeaders", "").split(";")
        expected = expected_authorization(method, path, query, headers, signed, ACCESS_KEY_SECRET)
        return hmac.compare_digest(expected, parts.get("Signature", ""))

    @staticmethod
    def _answer(request, status, payload):
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json;charset=utf-8")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass  # the client gave up (a timeout scenario)
