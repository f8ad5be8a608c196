"""Local stand-ins for the cloud MFA APIs idsync talks to: Duo Admin API, Okta, Microsoft Graph.

Usage: python3 fake_vendors.py duo|okta|graph STATE.json
Secrets come from the environment (FAKE_DUO_IKEY/FAKE_DUO_SKEY, FAKE_OKTA_TOKEN,
FAKE_GRAPH_CLIENT_ID/FAKE_GRAPH_CLIENT_SECRET), never from arguments. Each fake checks the
authentication its vendor documents and refuses anything else with the vendor's error shape.
Listens on 127.0.0.1 only, on a port the kernel picks, and prints "PORT <n>" when it listens.

STATE.json: {"users": [{"id", "login", "employee_id", "enabled",
                        "factors": [{"id", "type", "status"}]}],
             "page_size": 2, "next_link_host": "127.0.0.2:1"}
next_link_host, where given, is the host Graph's @odata.nextLink names instead of the fake's own
(a misbehaving server sending the client elsewhere).
Test controls (no auth, loopback only): POST /_fake/fail {"path": prefix, "status": 429|503,
"count": n, "retry_after": "0"} answers the next n matching requests with that status;
GET /_fake/state gives the users; GET /_fake/log gives the requests seen; POST /_fake/add
{"login", "factor": {"id", "type"}} registers a factor behind idsync's back.
"""
import base64
import datetime
import email.utils
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VENDOR = sys.argv[1]
STATE = json.load(open(sys.argv[2]))
LOCK = threading.Lock()
FAILURES = []
LOG = []
GRAPH_TOKENS = set()
PAGE = STATE.get("page_size", 2)


def users():
    return STATE["users"]


def find(key, value):
    return next((user for user in users() if user.get(key) == value), None)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # -- plumbing --------------------------------------------------------------------------
    def reply(self, status, body=None, headers=()):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        raw = self.body()
        if url.path.startswith("/_fake/"):
            return self.control(method, url.path, raw)
        with LOCK:
            LOG.append(f"{method} {url.path}")
            for failure in FAILURES:
                if url.path.startswith(failure["path"]) and failure["count"] > 0:
                    failure["count"] -= 1
                    extra = [("Retry-After", failure["retry_after"])] if "retry_after" in failure else []
                    return self.reply(failure["status"], self.error_body(failure["status"]), extra)
        getattr(self, VENDOR)(method, url, raw)

    def control(self, method, path, raw):
        with LOCK:
            if path == "/_fake/fail":
                FAILURES.append(json.loads(raw))
                return self.reply(200, {"ok": True})
            if path == "/_fake/state":
                return self.reply(200, STATE)
            if path == "/_fake/log":
                return self.reply(200, LOG)
            if path == "/_fake/add":
                given = json.loads(raw)
                find("login", given["login"])["factors"].append(given["factor"])
                return self.reply(200, {"ok": True})
        self.reply(404, {})

    def error_body(self, status):
        if VENDOR == "duo":
            return {"stat": "FAIL", "code": status * 100 + 1, "message": "fake failure"}
        if VENDOR == "okta":
            return {"errorCode": "E0000047" if status == 429 else "E0000009", "errorSummary": "fake failure"}
        return {"error": {"code": "TooManyRequests" if status == 429 else "ServiceUnavailable",
                          "message": "fake failure"}}

    do_GET = lambda self: self.handle_any("GET")
    do_POST = lambda self: self.handle_any("POST")
    do_DELETE = lambda self: self.handle_any("DELETE")

    # -- Duo Admin API: HTTP Basic ikey:hex(HMAC-SHA1(skey, canonical request)) -------------
    def duo(self, method, url, raw):
        params = urllib.parse.parse_qsl(url.query if method in ("GET", "DELETE") else raw.decode(),
                                        keep_blank_values=True)
        if not self.duo_signed(method, url.path, params):
            return self.reply(401, {"stat": "FAIL", "code": 40103, "message": "Invalid signature in request credentials"})
        parts = url.path.strip("/").split("/")
        query = dict(params)
        if method == "GET" and url.path == "/admin/v1/users":
            found = users()
            if "username" in query:
                found = [user for user in found if user["login"] == query["username"]]
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
            page = found[offset:offset + min(limit, PAGE)]
            metadata = {"total_objects": len(found)}
            if offset + len(page) < len(found):
                metadata["next_offset"] = offset + len(page)
            return self.reply(200, {"stat": "OK", "response": [self.duo_user(user) for user in page],
                                    "metadata": metadata})
        if method == "GET" and url.path == "/admin/v2/logs/authentication":
            return self.duo_authlogs(params)
        # DELETE /admin/v1/users/{user_id}/phones/{id}, .../tokens/{id}; /admin/v1/webauthncredentials/{key}
        if method == "DELETE" and len(parts) == 6 and parts[2] == "users" and parts[4] in ("phones", "tokens"):
            return self.remove(find("id", parts[3]), parts[5], "duo")
        if method == "DELETE" and len(parts) == 4 and parts[2] == "webauthncredentials":
            owner = next((user for user in users() if any(f["id"] == parts[3] for f in user["factors"])), None)
            return self.remove(owner, parts[3], "duo")
        self.reply(404, {"stat": "FAIL", "code": 40401, "message": "Resource not found"})

    def duo_authlogs(self, params):
        """Admin API v2 authentication log: mintime and maxtime (13-digit milliseconds,
        mintime < maxtime) are required; users, results and event_types filter (comma-separated
        lists); sort ts:desc or ts:asc; paged by limit and next_offset "ms,txid", the pair
        metadata.next_offset names. STATE["authlogs"]: [{"txid", "user_id", "timestamp" (s),
        "result", "reason", "factor", "event_type"}]."""
        query = dict(params)
        bad = {"stat": "FAIL", "code": 40002, "message": "Invalid request parameters"}
        times = [query.get("mintime", ""), query.get("maxtime", "")]
        if not all(t.isdigit() and len(t) == 13 for t in times) or int(times[0]) >= int(times[1]):
            return self.reply(400, dict(bad, message_detail="mintime, maxtime"))
        wanted = {key: set(query[key].split(","))
                  for key in ("users", "results", "event_types") if key in query}
        field = {"users": "user_id", "results": "result", "event_types": "event_type"}
        found = [log for log in STATE.get("authlogs", [])
                 if int(times[0]) <= log["timestamp"] * 1000 <= int(times[1])
                 and all(log[field[key]] in values for key, values in wanted.items())]
        found.sort(key=lambda log: log["timestamp"], reverse=query.get("sort") == "ts:desc")
        start = 0
        if "next_offset" in query:
            txids = [log["txid"] for log in found]
            after = query["next_offset"].split(",")[-1]
            if after not in txids:
                return self.reply(400, dict(bad, message_detail="next_offset"))
            start = txids.index(after) + 1
        page = found[start:start + min(int(query.get("limit", 100)), PAGE)]
        metadata = {"total_objects": len(found)}
        if start + len(page) < len(found):
            metadata["next_offset"] = [str(page[-1]["timestamp"] * 1000), page[-1]["txid"]]
        logs = [dict({k: v for k, v in log.items() if k != "user_id"}, user={"key": log["user_id"]},
                     isotimestamp=time.strftime(
            "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(log["timestamp"]))) for log in page]
        self.reply(200, {"stat": "OK", "response": {"authlogs": logs, "metadata": metadata}})

    def duo_signed(self, method, path, params):
        date = self.headers.get("Date", "")
        try:
            sent = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return False
        if abs(time.time() - sent) > 300:
            return False
        host = self.headers.get("Host", "").lower()
        encoded = "&".join(f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}"
                           for k, v in sorted(params))
        canon = "\n".join([date, method.upper(), host, path, encoded])
        expected = hmac.new(os.environ["FAKE_DUO_SKEY"].encode(), canon.encode(), hashlib.sha1).hexdigest()
        wanted = "Basic " + base64.b64encode(f"{os.environ['FAKE_DUO_IKEY']}:{expected}".encode()).decode()
        return hmac.compare_digest(self.headers.get("Authorization", ""), wanted)

    @staticmethod
    def duo_user(user):
        kinds = {"phones": [], "tokens": [], "webauthncredentials": []}
        for factor in user["factors"]:
            if factor["type"] == "webauthn":
                kinds["webauthncredentials"].append({"webauthnkey": factor["id"], "credential_name": "key",
                                                     "date_added": 1700000000})
            elif factor["type"] in ("h6", "t6", "yk"):
                kinds["tokens"].append({"token_id": factor["id"], "type": factor["type"], "serial": factor["id"]})
            else:
                kinds["phones"].append({"phone_id": factor["id"], "type": "Mobile", "activated": True,
                                        "capabilities": ["push", "sms"]})
        return dict({"user_id": user["id"], "username": user["login"], "status": "active"}, **kinds)

    # -- Okta: Authorization: SSWS <API token> ---------------------------------------------
    def okta(self, method, url, raw):
        if self.headers.get("Authorization") != "SSWS " + os.environ["FAKE_OKTA_TOKEN"]:
            return self.reply(401, {"errorCode": "E0000011", "errorSummary": "Invalid token provided"})
        parts = url.path.strip("/").split("/")
        query = dict(urllib.parse.parse_qsl(url.query))
        if method == "GET" and url.path == "/api/v1/users" and "search" in query:
            wanted = query["search"].split('"')[1] if '"' in query["search"] else ""
            found = [user for user in users() if user.get("employee_id") == wanted]
            return self.okta_page(url, query, found)
        if method == "GET" and url.path == "/api/v1/logs":
            return self.okta_logs(query)
        if len(parts) >= 4 and parts[:3] == ["api", "v1", "users"]:
            user = find("id", parts[3]) or find("login", urllib.parse.unquote(parts[3]))
            if user is None:
                return self.reply(404, {"errorCode": "E0000007", "errorSummary": f"Not found: Resource not found: {parts[3]} (User)"})
            if method == "GET" and len(parts) == 4:
                return self.reply(200, self.okta_user(user))
            if method == "GET" and parts[4:] == ["factors"]:
                return self.reply(200, [{"id": f["id"], "factorType": f["type"], "provider": "OKTA",
                                         "status": f.get("status", "ACTIVE")} for f in user["factors"]])
            if method == "DELETE" and len(parts) == 6 and parts[4] == "factors":
                return self.remove(user, parts[5], "okta")
            if method == "DELETE" and parts[4:] == ["sessions"]:
                user["sessions_revoked"] = user.get("sessions_revoked", 0) + 1
                return self.reply(204)
        self.reply(404, {"errorCode": "E0000022", "errorSummary": "The endpoint does not support the provided HTTP method"})

    def okta_logs(self, query):
        """System Log: since and until (ISO 8601) bound `published`; filter is clauses
        `path eq "value"` joined by `and`, matched against the LogEvent; sortOrder ASCENDING
        (the default) or DESCENDING; limit. STATE["events"] holds LogEvents as Okta gives them."""
        def instant(text):
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))

        def field(event, path):
            for key in path.split("."):
                event = event.get(key) if isinstance(event, dict) else None
            return event

        bad = {"errorCode": "E0000001", "errorSummary": "Api validation failed: filter"}
        try:
            since = instant(query["since"]) if "since" in query else None
            until = instant(query["until"]) if "until" in query else None
        except ValueError:
            return self.reply(400, dict(bad, errorSummary="Api validation failed: since/until"))
        clauses = []
        for clause in query["filter"].split(" and ") if "filter" in query else []:
            path, op, value = (clause.split(" ", 2) + ["", ""])[:3]
            if op != "eq" or len(value) < 2 or value[0] != '"' or value[-1] != '"':
                return self.reply(400, bad)
            clauses.append((path, value[1:-1]))
        found = [event for event in STATE.get("events", [])
                 if (since is None or instant(event["published"]) >= since)
                 and (until is None or instant(event["published"]) < until)
                 and all(field(event, path) == value for path, value in clauses)]
        newest_first = query.get("sortOrder") == "DESCENDING"
        found.sort(key=lambda event: event["published"], reverse=newest_first)
        self.reply(200, found[:int(query.get("limit", 100))])

    def okta_page(self, url, query, found):
        """A page of users after the cursor `after` (a user id), `limit` at most, and the
        next page's URL in a `Link: <…>; rel="next"` header beside the `self` link."""
        ids = [user["id"] for user in found]
        start = ids.index(query["after"]) + 1 if query.get("after") in ids else 0
        page = found[start:start + min(int(query.get("limit", 200)), PAGE)]
        origin = f"http://{self.headers.get('Host')}"
        links = [("Link", f'<{origin}{self.path}>; rel="self"')]
        if start + len(page) < len(found):
            rest = {key: value for key, value in query.items() if key != "after"}
            rest["after"] = page[-1]["id"]
            target = f"{origin}{url.path}?{urllib.parse.urlencode(rest)}"
            links.append(("Link", f'<{target}>; rel="next"'))
        self.reply(200, [self.okta_user(user) for user in page], links)

    @staticmethod
    def okta_user(user):
        return {"id": user["id"], "status": "ACTIVE",
                "profile": {"login": user["login"], "employeeNumber": user.get("employee_id")}}

    # -- Microsoft Graph: bearer token from a client-credentials grant at /token -----------
    def graph(self, method, url, raw):
        if url.path == "/token" and method == "POST":
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            if (form.get("grant_type") != "client_credentials"
                    or form.get("client_id") != os.environ["FAKE_GRAPH_CLIENT_ID"]
                    or form.get("client_secret") != os.environ["FAKE_GRAPH_CLIENT_SECRET"]):
                return self.reply(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
            token = secrets.token_urlsafe(24)
            GRAPH_TOKENS.add(token)
            return self.reply(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in GRAPH_TOKENS:
            return self.reply(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure."}})
        parts = url.path.strip("/").split("/")  # v1.0/users/{id}/...
        query = dict(urllib.parse.parse_qsl(url.query))
        if method == "GET" and parts == ["v1.0", "users"] and "$filter" in query:
            wanted = query["$filter"].split("'")[1]
            found = [user for user in users() if user.get("employee_id") == wanted]
            return self.reply(200, {"value": [{"id": u["id"], "userPrincipalName": u["login"]} for u in found]})
        if method == "GET" and parts == ["v1.0", "users"]:
            listed = [{"id": u["id"], "employeeId": u.get("employee_id")} for u in users()]
            return self.graph_page(url, query, listed)
        report = ["v1.0", "reports", "authenticationMethods", "userRegistrationDetails"]
        if method == "GET" and parts == report:
            # Documented: the report does not cover users disabled in Entra.
            listed = [self.registration(u) for u in users() if u.get("enabled", True)]
            return self.graph_page(url, query, listed)
        if len(parts) >= 3 and parts[:2] == ["v1.0", "users"]:
            user = find("id", parts[2]) or find("login", urllib.parse.unquote(parts[2]))
            if user is None:
                return self.reply(404, {"error": {"code": "Request_ResourceNotFound", "message": f"Resource '{parts[2]}' does not exist."}})
            if method == "GET" and len(parts) == 3:
                return self.reply(200, {"id": user["id"], "userPrincipalName": user["login"]})
            if method == "GET" and parts[3:] == ["authentication", "methods"]:
                return self.graph_methods(user, url, int(query.get("skip", 0)))
            if method == "DELETE" and len(parts) == 6 and parts[3] == "authentication":
                factor = next((f for f in user["factors"] if f["id"] == parts[5]), None)
                if factor is None or parts[4] != factor["type"] + "Methods":
                    return self.reply(404, {"error": {"code": "itemNotFound", "message": "not found"}})
                return self.remove(user, parts[5], "graph")
            if method == "POST" and parts[3:] == ["revokeSignInSessions"]:
                user["sessions_revoked"] = user.get("sessions_revoked", 0) + 1
                return self.reply(200, {"value": True})
        self.reply(404, {"error": {"code": "BadRequest", "message": "Resource not found for the segment."}})

    # The report's names for the method types (userRegistrationDetails.methodsRegistered).
    REGISTERED = {"microsoftAuthenticator": "microsoftAuthenticatorPush",
                  "softwareOath": "softwareOneTimePasscode", "fido2": "fido2SecurityKey",
                  "phone": "mobilePhone", "email": "email",
                  "windowsHelloForBusiness": "windowsHelloForBusiness",
                  "temporaryAccessPass": "temporaryAccessPass"}

    def registration(self, user):
        methods = [self.REGISTERED.get(f["type"], f["type"]) for f in user["factors"]]
        return {"id": user["id"], "userPrincipalName": user["login"],
                "userDisplayName": user["login"], "userType": "member", "isAdmin": False,
                "methodsRegistered": methods,
                "isMfaRegistered": bool(methods), "lastUpdatedDateTime": "2026-12-01T02:00:00Z"}

    def graph_page(self, url, query, items):
        """One page of a collection, the next in @odata.nextLink with an opaque $skiptoken."""
        skip = int(base64.b64decode(query["$skiptoken"]).decode()) if "$skiptoken" in query else 0
        body = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata",
                "value": items[skip:skip + PAGE]}
        if skip + PAGE < len(items):
            token = base64.b64encode(str(skip + PAGE).encode()).decode()
            rest = urllib.parse.urlencode(dict(query, **{"$skiptoken": token}))
            body["@odata.nextLink"] = f"http://{self.headers.get('Host')}{url.path}?{rest}"
        self.reply(200, body)

    def graph_methods(self, user, url, skip):
        methods = [{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "password-0"}]
        methods += [{"@odata.type": f"#microsoft.graph.{f['type']}AuthenticationMethod", "id": f["id"]}
                    for f in user["factors"]]
        page = methods[skip:skip + PAGE]
        body = {"value": page}
        if skip + PAGE < len(methods):
            host = STATE.get("next_link_host") or self.headers.get("Host")
            body["@odata.nextLink"] = f"http://{host}{url.path}?skip={skip + PAGE}"
        self.reply(200, body)

    # -- shared ---------------------------------------------------------------------------
    def remove(self, user, factor_id, vendor):
        with LOCK:
            if user is not None:
                before = len(user["factors"])
                user["factors"] = [f for f in user["factors"] if f["id"] != factor_id]
                if len(user["factors"]) < before:
                    if vendor == "duo":
                        return self.reply(200, {"stat": "OK", "response": ""})
                    return self.reply(204)
        if vendor == "duo":
            return self.reply(404, {"stat": "FAIL", "code": 40401, "message": "Resource not found"})
        if vendor == "okta":
            return self.reply(404, {"errorCode": "E0000007", "errorSummary": "Not found"})
        return self.reply(404, {"error": {"code": "itemNotFound", "message": "not found"}})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
