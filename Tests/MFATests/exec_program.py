#!/usr/bin/env python3
"""A site program for idsync's exec connector, as a test stand-in: users and their
authenticators in the JSON file EXEC_STATE ({"mode": …, "users": {login: [...]}}); a mode of
slow, fail, garbage, revoked-but-usable, twice, serial-not-id, exists-yes or no-list misbehaves
on purpose."""
import json, os, sys, time

path = os.environ["EXEC_STATE"]
document = json.load(open(path))
state = document["users"]
mode = document.get("mode", "")
if mode == "slow":
    time.sleep(30)
if mode == "fail":
    print("the MFA system refused the service account", file=sys.stderr)
    sys.exit(3)
request = json.load(sys.stdin)
if mode == "garbage":
    print("not json")
    sys.exit(0)
verb = request["verb"]
if verb == "observe":
    results = []
    for subject in request["subjects"]:
        user = state.get(subject["login"])
        if mode == "revoked-but-usable":
            user = [dict(item, revoked=True) for item in user or []]
        if mode == "serial-not-id":
            user = [{"serial" if key == "id" else key: value for key, value in item.items()}
                    for item in user or []]
        result = {"login": subject["login"], "exists": user is not None,
                  "authenticators": user or []}
        if mode == "exists-yes":
            result = {"login": subject["login"], "exists": "yes", "authenticators": "none"}
        if mode == "no-list":
            del result["authenticators"]
        results.append(result)
        if mode == "twice":
            results.append({"login": subject["login"], "exists": True, "authenticators": []})
    print(json.dumps({"results": results}))
elif verb in ("revoke-authenticators", "delete-authenticators"):
    login = request["subject"]["login"]
    if verb == "delete-authenticators":
        state[login] = []
    else:
        for item in state.get(login, []):
            item.update(revoked=True, usable=False)
    json.dump(document, open(path, "w"))
    answer = state.get(login, [])
    if mode == "serial-not-id":
        answer = [{"serial": item["id"]} for item in answer]
    print(json.dumps({"ok": True, "authenticators": answer}))
else:
    print(json.dumps({"ok": False, "error": f"{verb} is not supported here"}))
