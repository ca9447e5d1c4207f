"""A real HTTP server on 127.0.0.1 that receives Slack/webhook posts and can misbehave on request."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """`faults` is a list consumed one per request: "500", "slow", "drop", "404"; then 200s."""

    def __init__(self):
        self.received: list[dict] = []
        self.faults: list[str] = []
        self.slow_s = 30.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fault = receiver.faults.pop(0) if receiver.faults else ""
                if fault == "drop":
                    self.connection.close()
                    return
                if fault == "slow":
                    time.sleep(receiver.slow_s)
                if fault in ("500", "404"):
                    self.send_response(int(fault))
                    self.end_headers()
                    return
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
