"""A bounded HTTP load from a process of its own (standard library only), for the fault tests.

    python tests/faults/loadgen.py JOBS.json RESULTS.json

JOBS.json: ``{"host", "port", "start_at" (epoch seconds), "path", "jobs": [{"id", "cookie", "body"}]}``;
a job may carry its own ``start_at``. Every job gets a thread that waits for its start and POSTs its body
once, so all requests are in flight together. With ``"request_start": true`` the load generator plays
the trusted reverse proxy: each request carries ``X-Request-Start: t=<send time>`` as nginx's
``t=${msec}`` (epoch seconds, milliseconds). RESULTS.json: one entry per job with the status, the
Location header, the cookies the response set, the header sent (``stamp``, or ``None``) and the
client's send/receive times (epoch seconds; same clock as the server's).
"""

import http.client
import json
import sys
import threading
import time
from http.cookies import SimpleCookie


def post(spec, job):
    time.sleep(max(0.0, job.get("start_at", spec["start_at"]) - time.time()))
    sent = time.time()
    headers = {
        "Host": f"{spec['host']}:{spec['port']}", "Cookie": job["cookie"],
        "Content-Type": "application/x-www-form-urlencoded",
    }
    stamp = f"t={sent:.3f}" if spec.get("request_start") else None
    if stamp:
        headers["X-Request-Start"] = stamp
    conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=spec.get("timeout", 60))
    try:
        conn.request("POST", spec["path"], body=job["body"], headers=headers)
        response = conn.getresponse()
        response.read()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return {
            "id": job["id"], "status": response.status, "location": response.getheader("Location"),
            "cookies": {name: morsel.coded_value for name, morsel in cookies.items()},
            "stamp": stamp, "sent": sent, "received": time.time(),
        }
    except OSError as error:
        return {"id": job["id"], "status": None, "error": f"{type(error).__name__}: {error}", "stamp": stamp,
                "sent": sent, "received": time.time()}
    finally:
        conn.close()


def main(jobs_path, results_path):
    with open(jobs_path) as f:
        spec = json.load(f)
    results = [None] * len(spec["jobs"])

    def run(index, job):
        results[index] = post(spec, job)

    threading.stack_size(256 * 1024)
    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(spec["jobs"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(results_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(*sys.argv[1:3])
