#!/usr/bin/env python3
"""bench-adopt.py DAY1_CSV OUTDIR [--seed S]

Turns a bench-generate.py export into the directory a site built by hand, for bench-adopt.sh:

  OUTDIR/handmade.ldif  one inetOrgPerson per person, no employeeNumber, no idsync state:
                        uid first initial + last name (a number on collisions), cn as HR
                        writes it (with the preferred name where HR has one), sn, givenName,
                        mail uid@example.org, departmentNumber; one person in ten has none
                        (a joiner), and one account in twenty has its name typed without
                        diacritics and its department missing (a name-only match).
  OUTDIR/feed.csv       the export with a Work Email column holding the account's mail for
                        half of the people who have an account.

Deterministic for a given input and seed. Python 3 standard library only.
"""
import argparse
import csv
import os
import random
import unicodedata


def fold(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("day1")
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.day1, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, people = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    taken = set()
    entries = []
    feed = [header + ["Work Email"]]
    for row in people:
        first = row[col["Preferred Name"]] or row[col["First Name"]]
        last = row[col["Last Name"]]
        if rng.random() < 0.1:
            feed.append(row + [""])
            continue
        base = (fold(first)[:1] + fold(last)) or "user"
        login, n = base, 1
        while login in taken:
            n += 1
            login = f"{base}{n}"
        taken.add(login)
        sloppy = rng.random() < 0.05
        cn = f"{first} {last}"
        entry = [f"dn: uid={login},ou=people,dc=example,dc=org", "objectClass: inetOrgPerson",
                 f"uid: {login}",
                 f"cn: {unicodedata.normalize('NFKD', cn).encode('ascii', 'ignore').decode() if sloppy else cn}",
                 f"sn: {last}", f"givenName: {first}", f"mail: {login}@example.org"]
        if not sloppy:
            entry.append(f"departmentNumber: {row[col['Department']]}")
        entries.append("\n".join(entry))
        feed.append(row + [f"{login}@example.org" if rng.random() < 0.5 else ""])
    os.makedirs(args.outdir, exist_ok=True)
    with open(os.path.join(args.outdir, "handmade.ldif"), "w", encoding="utf-8") as out:
        out.write("\n\n".join(entries) + "\n")
    with open(os.path.join(args.outdir, "feed.csv"), "w", newline="", encoding="utf-8") as out:
        csv.writer(out, lineterminator="\n").writerows(feed)


if __name__ == "__main__":
    main()
