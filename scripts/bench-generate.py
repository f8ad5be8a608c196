#!/usr/bin/env python3
"""bench-generate.py N OUTDIR [--seed S]

Writes two BambooHR-style exports (the layout of mappings/bamboohr.yaml) for the benchmark:

  OUTDIR/day1.csv  N people, all hired before 2026-12-04
  OUTDIR/day2.csv  the next day's export with 1 % churn:
                   0.4 % leavers (Terminated, termination date 12/03/2026, in the past on day 2),
                   0.3 % joiners (new employee ids, hired 12/01/2026),
                   0.3 % movers  (department and job code, and so the role groups, change)

Names are drawn with a Zipf-like weight, so common names repeat (many "John Smith"s, which
exercises login collisions), and about one name in twelve carries diacritics or punctuation
(García, Müller-Lüdenscheidt, O'Brien, Łukasz); a quarter of surnames come from a Zipf-weighted
common list (Smith about 1 %), two thirds from a long tail. Departments and job codes hit every rule of
mappings/roles.yaml; about 2 % are contractors (Contractor, Locum, Agency), about 0.5 % are on
leave of absence. Managers are referenced by employee id: about one person in fifteen is a
manager, and everyone else reports to a manager of their own department.

Deterministic for a given N and seed. Python 3 standard library only.
"""
import argparse
import csv
import os
import random

HEADER = ["Employee #", "First Name", "Preferred Name", "Last Name", "Job Title", "Job Code",
          "Department", "Location", "Employment Status", "Status", "Hire Date", "Termination Date",
          "Contract End Date", "Supervisor EID"]

# Most common first, so the Zipf weights make the first ones frequent.
FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
         "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
         "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily",
         "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
         "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Sharon",
         "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Dorothy", "Jacob", "Amy", "Gary", "Kathleen",
         "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Emma", "Stephen", "Brenda", "Larry",
         "Pamela", "Justin", "Nicole", "Scott", "Anna", "Brandon", "Samantha", "Benjamin", "Katherine",
         "Samuel", "Christine", "Gregory", "Debra", "Alexander", "Rachel", "Patrick", "Carolyn", "Frank",
         "Janet", "Raymond", "Maria", "Jack", "Olivia", "Dennis", "Heather", "Jerry", "Helen", "Priya",
         "Wei", "Mohammed", "Fatima", "Aisha", "Omar", "Hiroshi", "Yuki", "Ravi", "Anjali", "Ivan",
         "Olga", "Liam", "Noah", "Ava", "Sofia", "Mateo", "Lucas", "Chen", "Mei"]
FIRST_DIACRITIC = ["José", "Zoë", "Chloé", "Renée", "François", "Jürgen", "Søren", "Björn", "Łukasz",
                   "Ana-María", "Inés", "Agnès", "Žofie", "Ñuria", "Dóra", "Małgorzata", "Hélène",
                   "Thérèse", "Çağla", "Øystein"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
        "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
        "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
        "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
        "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
        "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers",
        "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard",
        "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James",
        "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders",
        "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Chen", "Wang", "Singh", "Kumar", "Shah",
        "Cohen", "Petrov", "Ivanova", "Tanaka", "Sato", "Kowalski", "Novak", "Hopper", "Okafor",
        "Mensah", "Haddad", "Nakamura", "Fischer", "Schmidt", "Weber", "Rossi", "Russo", "Dubois"]
LAST_PUNCT = ["García", "Müller", "Núñez", "Ångström", "Gonçalves", "Dubois-Martin", "O'Brien",
              "D'Arcy", "Müller-Lüdenscheidt", "van der Berg", "de la Cruz", "Łukasiewicz", "Søndergaard",
              "Brontë", "Peña", "Böhm", "Straße", "Ó Súilleabháin", "Nguyễn", "MacLeod-Smith"]

# (department, [(job code, job title), ...], weight). Covers every rule in mappings/roles.yaml:
# Nursing/ICU (nursing), MD01/MD02 (physicians), Pharmacy (pharmacy), EHR-SU (ehr-superusers).
DEPARTMENTS = [
    ("Nursing", [("RN01", "Registered Nurse"), ("RN02", "Charge Nurse"), ("AD02", "Ward Clerk"),
                 ("NA01", "Nursing Assistant")], 30),
    ("ICU", [("RN01", "Registered Nurse, Intensive Care"), ("RN02", "ICU Charge Nurse")], 8),
    ("Medicine", [("MD01", "Physician"), ("MD02", "Attending Physician")], 8),
    ("Cardiology", [("MD01", "Cardiologist"), ("CT01", "Cardiac Technician")], 4),
    ("Anaesthesia", [("MD01", "Anaesthetist"), ("AT01", "Anaesthesia Technician")], 3),
    ("Pharmacy", [("PH01", "Pharmacist"), ("PH02", "Pharmacy Technician")], 5),
    ("Radiology", [("RD01", "Radiographer"), ("MD02", "Radiologist")], 5),
    ("Laboratory", [("LB01", "Biomedical Scientist"), ("LB02", "Phlebotomist")], 5),
    ("Admissions", [("AD01", "Admissions Clerk"), ("EHR-SU", "EHR Superuser")], 5),
    ("Information Technology", [("IT01", "IT Analyst"), ("EHR-SU", "EHR Application Analyst")], 3),
    ("Facilities", [("PT01", "Porter"), ("FM01", "Maintenance Technician")], 8),
    ("Social Work", [("SW01", "Social Worker")], 2),
    ("Rehabilitation", [("PY01", "Physiotherapist"), ("OT01", "Occupational Therapist")], 4),
    ("Finance", [("FN01", "Accountant"), ("FN02", "Payroll Officer")], 3),
    ("Human Resources", [("HR01", "HR Advisor")], 2),
]
# A long tail of rarer surnames (800, uniform), so that common names repeat at realistic rates
# (Smith about 1 %) instead of a short list repeating everything.
TAIL_PREFIX = ["Ash", "Bar", "Black", "Brad", "Brook", "Cal", "Car", "Craw", "Dal", "Dun", "El", "Fair",
               "Fitz", "Gar", "Hal", "Har", "Hol", "Kings", "Lang", "Mar", "Mont", "Nor", "Pem", "Rad",
               "Ren", "Ros", "Sher", "Stan", "Stock", "Thorn", "Wal", "Wes", "Whit", "Wil", "Win", "Yar",
               "Ber", "Lind", "Ost", "Hart"]
TAIL_SUFFIX = ["ton", "ley", "field", "wood", "man", "son", "ford", "ridge", "well", "by", "worth",
               "stead", "more", "land", "berg", "strom", "gaard", "sen", "ow", "ick"]
LAST_TAIL = [p + s for p in TAIL_PREFIX for s in TAIL_SUFFIX]
LOCATIONS = [("Main Campus", 90), ("Denver Clinic", 10)]
CONTRACTOR_TYPES = ["Contractor", "Locum", "Agency"]


def zipf_weights(n, s=0.5):
    return [1.0 / (rank ** s) for rank in range(1, n + 1)]


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.first_w = zipf_weights(len(FIRST))
        self.last_w = zipf_weights(len(LAST))
        self.dept_w = [d[2] for d in DEPARTMENTS]

    def name(self):
        r = self.rng
        first = r.choice(FIRST_DIACRITIC) if r.random() < 0.08 else r.choices(FIRST, self.first_w)[0]
        x = r.random()
        if x < 0.08:
            last = r.choice(LAST_PUNCT)
        elif x < 0.33:
            last = r.choices(LAST, self.last_w)[0]
        else:
            last = r.choice(LAST_TAIL)
        preferred = ""
        if r.random() < 0.05:
            preferred = first[:3] if len(first) > 4 else r.choice(["Sam", "Alex", "Jo", "Max"])
        return first, preferred, last

    def date(self, year_from, year_to):
        r = self.rng
        return "%02d/%02d/%04d" % (r.randint(1, 12), r.randint(1, 28), r.randint(year_from, year_to))

    def person(self, eid, dept_index=None):
        r = self.rng
        first, preferred, last = self.name()
        if dept_index is None:
            dept_index = r.choices(range(len(DEPARTMENTS)), self.dept_w)[0]
        dept, jobs, _ = DEPARTMENTS[dept_index]
        code, title = r.choice(jobs)
        location = r.choices([l[0] for l in LOCATIONS], [l[1] for l in LOCATIONS])[0]
        status, kind, contract_end = "Active", r.choice(["Full-Time"] * 4 + ["Part-Time"]), ""
        if r.random() < 0.02:
            kind = r.choice(CONTRACTOR_TYPES)
            contract_end = self.date(2027, 2028)
        if r.random() < 0.005:
            status = "Leave of Absence"
        return {"Employee #": "%07d" % eid, "First Name": first, "Preferred Name": preferred,
                "Last Name": last, "Job Title": title, "Job Code": code, "Department": dept,
                "Location": location, "Employment Status": kind, "Status": status,
                "Hire Date": self.date(1995, 2025), "Termination Date": "",
                "Contract End Date": contract_end, "Supervisor EID": "", "_dept": dept_index}


def assign_managers(rows, rng):
    """About one in fifteen is a manager; the first of each department reports to a chief."""
    chief = rows[0]
    by_dept = {}
    for row in rows[1:]:
        if rng.random() < 1 / 15 or row["_dept"] not in by_dept:
            by_dept.setdefault(row["_dept"], []).append(row)
            row["Supervisor EID"] = chief["Employee #"]
    for row in rows[1:]:
        if not row["Supervisor EID"]:
            row["Supervisor EID"] = rng.choice(by_dept[row["_dept"]])["Employee #"]
    return {id(m) for ms in by_dept.values() for m in ms} | {id(chief)}


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, HEADER, extrasaction="ignore", lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args()
    gen = Generator(args.seed)
    rng = gen.rng
    os.makedirs(args.outdir, exist_ok=True)

    ids = rng.sample(range(100000, 100000 + args.n * 3), args.n)
    rows = [gen.person(eid) for eid in ids]
    rows[0].update({"Job Title": "Chief Medical Officer", "Job Code": "MD02", "Department": "Medicine",
                    "Employment Status": "Full-Time", "Status": "Active", "Contract End Date": ""})
    managers = assign_managers(rows, rng)
    write(os.path.join(args.outdir, "day1.csv"), rows)

    # Day 2: 1 % churn. Managers neither leave nor move, so no one's manager vanishes.
    day2 = [dict(r) for r in rows]
    candidates = [i for i, r in enumerate(day2) if id(rows[i]) not in managers]
    leavers_n = max(1, round(args.n * 0.004))
    movers_n = max(1, round(args.n * 0.003))
    joiners_n = max(1, round(args.n * 0.003))
    picked = rng.sample(candidates, min(len(candidates), leavers_n + movers_n))
    for i in picked[:leavers_n]:
        day2[i].update({"Status": "Terminated", "Termination Date": "12/03/2026"})
    for i in picked[leavers_n:]:
        row = day2[i]
        choices = [d for d in range(len(DEPARTMENTS)) if DEPARTMENTS[d][0] != row["Department"]]
        dept_index = rng.choice(choices)
        dept, jobs, _ = DEPARTMENTS[dept_index]
        code, title = rng.choice(jobs)
        row.update({"Department": dept, "Job Code": code, "Job Title": title})
        row["Supervisor EID"] = rng.choice([r for r in rows if id(r) in managers and r["_dept"] == dept_index]
                                           or [rows[0]])["Employee #"]
    used = set(ids)
    for _ in range(joiners_n):
        eid = rng.randrange(100000 + args.n * 3, 100000 + args.n * 4)
        while eid in used:
            eid += 1
        used.add(eid)
        row = gen.person(eid)
        row["Hire Date"] = "12/01/2026"
        row["Supervisor EID"] = rows[0]["Employee #"]
        day2.append(row)
    write(os.path.join(args.outdir, "day2.csv"), day2)
    print("day1 %d people; day2 %d people: %d leavers, %d movers, %d joiners"
          % (len(rows), len(day2), leavers_n, len(picked) - leavers_n, joiners_n))


if __name__ == "__main__":
    main()
