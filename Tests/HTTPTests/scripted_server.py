#!/usr/bin/env python3
"""An HTTP server on 127.0.0.1 whose paths misbehave on purpose, for HTTPClient's tests.

  /echo            200, JSON of the method, headers and body received
  /status/N        answers N every time
  /busy/KEY/N      429 with Retry-After: 1 for the first N requests of KEY, then 200
  /wait-long       429 with Retry-After: 3600
  /slow            waits 3 s before answering
  /count/PATH      how many requests /PATH has had so far
  /not-json        200 with a plain-text body

Prints "PORT n" once it listens. With --tls CERT KEY it speaks https.
"""
import json
import ssl
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

seen = Counter()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json", extra=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = self.path.split("?")[0]
        with lock:
            seen[path] += 1
            count = seen[path]
        parts = path.strip("/").split("/")

        if parts[0] == "echo":
            headers = {k.lower(): v for k, v in self.headers.items()}
            self.answer(200, json.dumps({"method": self.command, "headers": headers, "body": body}))
        elif parts[0] == "status":
            self.answer(int(parts[1]), json.dumps({"status": int(parts[1])}))
        elif parts[0] == "busy":
            if count <= int(parts[2]):
                self.answer(429, "{}", extra=[("Retry-After", "1")])
            else:
                self.answer(200, json.dumps({"after": count}))
        elif parts[0] == "wait-long":
            self.answer(429, "{}", extra=[("Retry-After", "3600")])
        elif parts[0] == "slow":
            time.sleep(3)
            self.answer(200, "{}")
        elif parts[0] == "count":
            with lock:
                self.answer(200, json.dumps({"count": seen["/" + "/".join(parts[1:])]}))
        elif parts[0] == "not-json":
            self.answer(200, "hello", content_type="text/plain")
        else:
            self.answer(404, "{}")

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
