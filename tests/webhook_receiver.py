"""A webhook receiver for the HTTP tests: listens on 127.0.0.1 (a free port, printed as the first
line of stdout), answers each delivery as its path says, and keeps every request as received.
`GET /_report?path=…&secret=…` verifies each kept request of that path with the Standard Webhooks
project's own verifier (`standardwebhooks.Webhook(secret).verify`), once per secret given.

Paths are `/<name>/<behaviour>`: `ok` answers 204; `fail2` answers 500 to the first two requests
of a message id, then 204; `gone` answers 410; `retry-after-N` answers 503 with `Retry-After: N`
to a message id's first request, then 204.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from standardwebhooks import Webhook

lock = threading.Lock()
received = []  # dicts: path, headers, body, answered
seen = {}  # (path, webhook-id) -> requests so far


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        path = urlparse(self.path).path
        headers = {name: value for name, value in self.headers.items()}
        key = (path, self.headers.get("webhook-id", ""))
        with lock:
            seen[key] = seen.get(key, 0) + 1
            count = seen[key]
        behaviour = path.rsplit("/", 1)[-1]
        status, extra = 204, {}
        if behaviour == "fail2" and count <= 2:
            status = 500
        elif behaviour == "gone":
            status = 410
        elif behaviour.startswith("retry-after-") and count == 1:
            status, extra = 503, {"Retry-After": behaviour[len("retry-after-"):]}
        with lock:
            received.append({"path": path, "headers": headers, "body": body.decode(), "answered": status})
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        answer = b"" if status == 204 else b"receiver says " + str(status).encode()
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        path = query.get("path", [""])[0]
        secrets = query.get("secret", [])
        with lock:
            requests = [r for r in received if r["path"] == path]
        report = []
        for request in requests:
            verified = []
            for secret in secrets:
                try:
                    Webhook(secret).verify(request["body"], request["headers"])
                    verified.append(True)
                except Exception:
                    verified.append(False)
            lowered = {k.lower(): v for k, v in request["headers"].items()}
            report.append({
                "webhook_id": lowered.get("webhook-id"),
                "signatures": len(lowered.get("webhook-signature", "").split(" ")),
                "answered": request["answered"],
                "verified": verified,
                "payload": json.loads(request["body"]),
            })
        answer = json.dumps(report).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
# Ends with the test: the test closes stdin when its receiver is dropped.
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
