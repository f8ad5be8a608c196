"""Seeds people into a SCIM 2.0 server through POST /Bulk (stdlib only).

usage: python3 scripts/scim-seed.py BASE_URL (--people FILE | --generate N)
e.g. BASE_URL http://127.0.0.1:8081/v2; the bearer token comes from IDSYNC_SCIM_TOKEN.
Managers go in before the people who report to them, so that manager.value can hold the
server id each manager got.
"""
import argparse
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scim_people  # noqa: E402

CHUNK = 500   # scim2-server takes at most 1000 operations and 1 MiB per Bulk request


def call(base, token, method, path, body):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/scim+json"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def levels(people):
    """People in rounds: those whose manager is absent or seeded in an earlier round."""
    remaining = {person["employee_id"]: person for person in people}
    placed = set()
    while remaining:
        ready = [p for p in remaining.values() if p.get("manager", "") in placed or p.get("manager", "") not in remaining]
        if not ready:
            sys.exit("scim-seed.py: the manager links form a cycle")
        for person in ready:
            del remaining[person["employee_id"]]
        placed.update(person["employee_id"] for person in ready)
        yield ready


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--people")
    source.add_argument("--generate", type=int)
    options = parser.parse_args()
    token = os.environ.get("IDSYNC_SCIM_TOKEN") or sys.exit("scim-seed.py: set IDSYNC_SCIM_TOKEN")
    if options.people:
        with open(options.people) as file:
            people = json.load(file)
    else:
        people = scim_people.generated(options.generate)
    began = time.time()
    ids = {}
    for level in levels(people):
        for start in range(0, len(level), CHUNK):
            operations = [{"method": "POST", "path": "/Users", "bulkId": person["employee_id"],
                           "data": scim_people.resource(person, ids.get(person.get("manager", "")))}
                          for person in level[start:start + CHUNK]]
            answer = call(options.base, token, "POST", "/Bulk",
                          {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                           "failOnErrors": 1, "Operations": operations})
            for operation in answer["Operations"]:
                if not str(operation.get("status", "")).startswith("201"):
                    sys.exit(f"scim-seed.py: a bulk operation failed: {operation}")
                ids[operation["bulkId"]] = operation["location"].rstrip("/").rsplit("/", 1)[1]
    print(f"seeded {len(ids)} users in {time.time() - began:.2f} s", flush=True)


main()
