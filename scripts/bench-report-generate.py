#!/usr/bin/env python3
"""bench-report-generate.py PEOPLE CHANGES OUT.json [--seed S]

Writes a saved plan (schema 4, docs/plan-schema.json) of a large day without a directory: a
feed of PEOPLE people and about CHANGES changes, made of leavers (a disable and four group
removals each), joiners (an account, three groups and the MFA enrollment flag), movers (new
title and department, a group in, a group out, re-verification) and a few orphan and
protected-account findings. Names carry diacritics, quotes and now and then markup and
spreadsheet formulas, so that the report's escaping is exercised at size. The content hash is
computed as idsync computes it (the document compact, keys sorted, contentHash empty), so
'idsync report --plan OUT.json' accepts the file.

Deterministic for a given seed. Python 3 standard library only.
"""
import argparse
import hashlib
import json
import random

FIRST = ["Ana", "Liam", "Chloé", "Grace", "Noah", "Mateus", "Priya", "René", "Łukasz", "Zoë",
         "John"]
LAST = ["García", "O'Brien", "Dubois-Martin", "Hopper", "Kim", "Gonçalves", "Patel", "D'Arcy, Jr.",
        "Müller", "Smith", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"x\")"]
DEPARTMENTS = ["Nursing", "ICU", "Cardiology", "Oncology", "Pharmacy", "Admissions", "Radiology",
               "Medicine"]
TITLES = ["Registered Nurse", "Cardiologist", "Pharmacist", "Admissions Clerk", "Radiographer",
          "Physician"]
GROUPS = ["all-staff", "nursing", "ehr-users", "physicians", "pharmacy", "radiology"]
PEOPLE = "ou=people,dc=example,dc=org"
GROUPS_DN = "ou=groups,dc=example,dc=org"


def group(name):
    return "cn=%s,%s" % (name, GROUPS_DN)


def change(kind, category, person, target=None, attributes=None, state=None, rule="", text="",
           fields=None):
    item = {"kind": kind, "category": category, "employeeID": person["employeeID"],
            "login": person["login"],
            "dn": person["dn"], "attributes": attributes or [],
            "reason": {"rule": rule, "text": text, "fields": fields or []}}
    if target is not None:
        item["target"] = target
    if state is not None:
        item["state"] = state
    return item


def leaver(person):
    fields = [{"field": "termination_date", "value": "2026-12-03"}]
    rule = "lifecycle: left: the termination date has passed or HR says terminated"
    state = "idsync:v1;disabled=leaver;disabled-on=2026-12-04;revoke"
    changes = [change("disable", "leaver", person, state=state,
                      rule=rule, text="", fields=fields)]
    for name in ["all-staff", "nursing", "ehr-users", "mfa-enroll"]:
        changes.append(change("remove-from-group", "leaver", person, target=group(name), rule=rule,
                              text="out of every managed group", fields=fields))
    return changes


def joiner(person):
    classes = ["inetOrgPerson", "idsyncAccount"]
    attributes = [{"name": "objectClass", "before": [], "after": classes},
                  {"name": "cn", "before": [], "after": [person["name"]]},
                  {"name": "title", "before": [], "after": [person["jobTitle"]]},
                  {"name": "departmentNumber", "before": [], "after": [person["department"]]},
                  {"name": "uid", "before": [], "after": [person["login"]]}]
    fields = [{"field": "status", "value": "active"},
              {"field": "department", "value": person["department"]}]
    changes = [change("create-account", "joiner", person, attributes=attributes,
                      state="idsync:v1;created-on=2026-12-04;enroll", rule="joiner: all-staff",
                      text="in the feed and active, no account yet", fields=fields)]
    for name in ["all-staff", "ehr-users", "nursing"]:
        changes.append(change("add-to-group", "joiner", person, target=group(name), rule=name,
                              text="the role rule grants " + name))
    changes.append(change("flag-mfa-enrollment", "joiner", person, target=group("mfa-enroll"),
                          rule="mfa-enrollment",
                          text="new or returning account: MFA enrollment is due"))
    return changes


def mover(person, rng):
    before = rng.choice(DEPARTMENTS)
    attributes = [{"name": "departmentNumber", "before": [before], "after": [person["department"]]},
                  {"name": "title", "before": [rng.choice(TITLES)], "after": [person["jobTitle"]]}]
    fields = [{"field": "departmentNumber", "value": person["department"], "before": before}]
    return [change("set-attributes", "mover", person, attributes=attributes,
                   rule="attribute-templates",
                   text="HR fields changed", fields=fields),
            change("add-to-group", "mover", person, target=group("physicians"), rule="physicians",
                   text="the role rule grants physicians"),
            change("remove-from-group", "mover", person, target=group("nursing"), rule="nursing",
                   text="no role rule grants nursing any more"),
            change("require-mfa-reverification", "mover", person, target=group("mfa-reverify"),
                   rule="mfa-reverification", text="access grew")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("people", type=int)
    parser.add_argument("changes", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    changes, people, findings = [], [], []
    summary = {"joiners": 0, "movers": 0, "leavers": 0, "contractEnded": 0, "rehires": 0,
               "orphansDisabled": 0, "unmanagedEntries": 0,
               "changes": 0, "quarantined": 0, "protectedSkipped": 0, "orphans": 0,
               "peopleInFeed": args.people, "accountsObserved": args.people}
    index = 0
    while len(changes) < args.changes:
        index += 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        person = {"employeeID": "%06d" % (100000 + index * 37 % args.people),
                  "name": first + " " + last,
                  "department": rng.choice(DEPARTMENTS), "jobTitle": rng.choice(TITLES),
                  "source": "hr/day2.csv:%d" % (index + 1)}
        person["login"] = "u%06d" % index
        person["dn"] = "uid=%s,%s" % (person["login"], PEOPLE)
        roll = rng.random()
        if roll < 0.4:
            changes += leaver(person)
            summary["leavers"] += 1
        elif roll < 0.7:
            changes += joiner(person)
            summary["joiners"] += 1
        else:
            changes += mover(person, rng)
            summary["movers"] += 1
        keys = ["employeeID", "name", "department", "jobTitle", "source"]
        people.append({k: person[k] for k in keys})
    for n in range(20):
        findings.append({"kind": "orphan", "dn": "uid=old%d,%s" % (n, PEOPLE),
                         "text": "in the managed subtree but idsync never claimed it"})
    summary["orphans"] = 20
    summary["changes"] = len(changes)
    people.sort(key=lambda p: p["employeeID"])

    targets = {}
    for item in changes:
        targets["entry:" + item["dn"]] = "0" * 64
        if "target" in item:
            targets["member:%s|%s" % (item["target"], item["dn"])] = "not-member"
    guards = [{"guardName": "leavers", "passed": True, "overridable": True, "overridden": False,
               "count": summary["leavers"],
               "text": "%d leavers; stops above 5000" % summary["leavers"]}]
    document = {"schema": 4, "createdAt": "2026-12-04T02:15:00Z", "redacted": [],
                "targets": targets,
                "contentHash": "",
                "plan": {"runDate": "2026-12-04", "instant": "2026-12-04T07:15:00Z",
                         "feed": "hr/day2.csv", "directoryFingerprint": "0123456789abcdef",
                         "summary": summary, "changes": changes,
                         "findings": findings, "guards": guards, "people": people}}
    compact = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    document["contentHash"] = "sha256:" + hashlib.sha256(compact.encode("utf-8")).hexdigest()
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, sort_keys=True, indent=2)
    print("%d people, %d changes, %d people named" % (args.people, len(changes), len(people)))


if __name__ == "__main__":
    main()
