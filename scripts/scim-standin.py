"""A SCIM /Users server that misbehaves on purpose, for idsync's tests and benchmarks.

usage: python3 scripts/scim-standin.py MODE (--people FILE | --generate N) [--cap N]
                                     [--tls CERT KEY]
Listens on 127.0.0.1 on a port the kernel picks and prints "PORT n"; the bearer token comes
from the environment variable IDSYNC_SCIM_TOKEN. Serves GET /v2/Users?startIndex=&count=
and logs one line per request. MODE is one of:
  rfc              pages as RFC 7644 says, at most --cap users each
  short            legal short pages: 7, 3, 5, 1, 7, ... users whatever count asks for
  zero-based       reads startIndex as 0-based: the first user is never sent
  overlap          every page after the first starts one user early
  total-changes    a user is added after the first page, so totalResults grows
  error-halfway    answers 500 to every page past the middle of the list
  truncated        cuts off the body of the page past the middle of the list
  throttle         answers 429 with Retry-After: 1 to the first try of each page, then the page
"""
import argparse
import hashlib
import json
import os
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scim_people  # noqa: E402

MODES = ["rfc", "short", "zero-based", "overlap", "total-changes", "error-halfway", "truncated", "throttle"]
SHORT_PAGES = [7, 3, 5, 1]


def resource_id(employee_id):
    return hashlib.sha256(employee_id.encode()).hexdigest()[:32]


def encoded_users(people):
    """Each User as JSON bytes, serialized once: pages are joined from these."""
    ids = {person["employee_id"]: resource_id(person["employee_id"]) for person in people}
    return [json.dumps(scim_people.resource(person, ids.get(person.get("manager", "")),
                                            ids[person["employee_id"]])).encode() for person in people]


class Listing:
    def __init__(self, mode, users, cap):
        self.mode, self.users, self.cap = mode, users, cap
        self.pages_served = 0
        self.tried = set()
        self.lock = threading.Lock()

    def answer(self, start, count):
        """(status, headers, body, cut): the answer to one page request."""
        with self.lock:
            first_try = start not in self.tried
            self.tried.add(start)
            served = self.pages_served
            self.pages_served += 1
        users = self.users
        if self.mode == "total-changes" and served > 0:
            users = users + [json.dumps(scim_people.resource(extra_person(), None, "f" * 32)).encode()]
        past_middle = start > len(users) // 2 + 1
        if self.mode == "error-halfway" and past_middle:
            return 500, {}, error_body(500, "the HR backend timed out"), False
        if self.mode == "throttle" and first_try:
            return 429, {"Retry-After": "1"}, error_body(429, "too many requests"), False
        begin, size = start - 1, min(count, self.cap)
        if self.mode == "zero-based":
            begin = start
        elif self.mode == "overlap" and start > 1:
            begin = start - 2
        elif self.mode == "short":
            size = min(count, SHORT_PAGES[served % len(SHORT_PAGES)])
        page = users[max(begin, 0):max(begin, 0) + max(size, 0)]
        body = (b'{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],'
                + b'"totalResults":%d,"startIndex":%d,"itemsPerPage":%d,"Resources":[' % (len(users), start, len(page))
                + b",".join(page) + b"]}")
        return 200, {}, body, self.mode == "truncated" and past_middle


def extra_person():
    return scim_people.generated(1)[0] | {"employee_id": "999999", "first": "Late", "last": "Addition"}


def error_body(status, detail):
    return json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                       "status": str(status), "detail": detail}).encode()


def handler_for(listing, token):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            url = urlparse(self.path)
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self.send(401, {"WWW-Authenticate": 'Bearer realm="SCIM"'},
                                 error_body(401, "Authorization failure"), False)
            if not url.path.rstrip("/").endswith("/Users"):
                return self.send(404, {}, error_body(404, "no such endpoint"), False)
            query = parse_qs(url.query)
            start = int(query.get("startIndex", ["1"])[0])
            count = int(query.get("count", ["100"])[0])
            self.send(*listing.answer(start, count), start=start, count=count)

        def send(self, status, headers, body, cut, start=None, count=None):
            print(f"GET startIndex={start} count={count} -> {status}{' cut' if cut else ''}", flush=True)
            self.send_response(status)
            self.send_header("Content-Type", "application/scim+json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body[:len(body) // 2] if cut else body)
            if cut:
                self.close_connection = True

        def log_message(self, *arguments):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description="a misbehaving SCIM /Users stand-in")
    parser.add_argument("mode", choices=MODES)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--people", help="a JSON list of people (scim_people.resource fields)")
    source.add_argument("--generate", type=int, help="serve N generated people")
    parser.add_argument("--cap", type=int, default=1000, help="most users per page (default 1000)")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve https with this certificate")
    options = parser.parse_args()
    token = os.environ.get("IDSYNC_SCIM_TOKEN")
    if not token:
        sys.exit("scim-standin.py: set IDSYNC_SCIM_TOKEN")
    if options.people:
        with open(options.people) as file:
            people = json.load(file)
    else:
        people = scim_people.generated(options.generate)
    listing = Listing(options.mode, encoded_users(people), options.cap)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(listing, token))
    server.daemon_threads = True
    if options.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*options.tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


main()
