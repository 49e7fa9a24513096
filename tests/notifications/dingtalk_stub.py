"""A loopback stub of the DingTalk custom robot webhook (``POST /robot/send?access_token=…&timestamp=…&sign=…``).

It checks what DingTalk checks: the access token, a timestamp within an hour of its clock and the 加签 signature
computed independently here (HMAC-SHA256 of ``"<timestamp>\\n<secret>"``, Base64); then answers per scenario:

- ``ok``: ``{"errcode": 0, "errmsg": "ok"}`` and the message is recorded;
- ``too_fast``: ``130101`` ("send too fast, exceed 20 times per minute");
- ``bad_sign``: ``310000`` ("sign not match"), also answered to any request whose signature is wrong;
- ``timeout``: holds the answer longer than the client waits.

``scenarios`` is a list consumed one per request (the last one repeats). Test data only: the token and secret
below are made up.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "stubtoken0123456789abcdefWXYZ"
SECRET = "SECstub0000000000000000000000000000000000000000000000000000009f3a"


def expected_sign(timestamp, secret):
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkStub:
    def __init__(self, *, secret=SECRET, token=TOKEN, timeout_seconds=2.0):
        self.secret, self.token, self.timeout_seconds = secret, token, timeout_seconds
        self.scenarios = ["ok"]
        self.received = []  # every request: (query dict, body dict or None, answer code)
        self.messages = []  # accepted message bodies
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                stub._handle(self, raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def webhook(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token={self.token}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _next_scenario(self):
        with self._lock:
            return self.scenarios.pop(0) if len(self.scenarios) > 1 else self.scenarios[0]

    def _handle(self, handler, raw):
        parts = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = None
        scenario = self._next_scenario()
        if scenario == "timeout":
            time.sleep(self.timeout_seconds)
            code = None
        elif parts.path != "/robot/send" or query.get("access_token") != self.token:
            code, text = 300001, "token is not exist"
        elif not self._signed(query) or scenario == "bad_sign":
            code, text = 310000, "sign not match"
        elif scenario == "too_fast":
            code, text = 130101, "send too fast, exceed 20 times per minute"
        else:
            code, text = 0, "ok"
        with self._lock:
            self.received.append((query, body, code))
            if code == 0:
                self.messages.append(body)
        if code is None:
            return
        answer = json.dumps({"errcode": code, "errmsg": text}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    def _signed(self, query):
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
            return False
        return hmac.compare_digest(sign, expected_sign(timestamp, self.secret))
