"""SCIM User resources for idsync's SCIM tests and benchmarks (stdlib only).

A person is given as the fields of the tests' HR export; `resource` turns one into a User with
the enterprise extension and the HR extension scripts/scim-test-server.py serves.
"""
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
HR = "urn:example:params:scim:schemas:extension:hr:2.0:User"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"


def resource(person, manager_id=None, resource_id=None):
    """person: a dict with employee_id, first, preferred, last, title, job_code, department,
    location, worker_type, active, hire, termination, contract_end (ISO dates or "")."""
    user = {"schemas": [CORE, ENTERPRISE, HR],
            "userName": "u" + person["employee_id"], "externalId": person["employee_id"],
            "name": {"givenName": person["first"], "familyName": person["last"]},
            "displayName": f'{person["first"]} {person["last"]}',
            "title": person["title"], "userType": person["worker_type"],
            "active": person["active"],
            "addresses": [{"type": "work", "locality": person["location"], "primary": True}],
            ENTERPRISE: {"employeeNumber": person["employee_id"], "department": person["department"]},
            HR: {"jobCode": person["job_code"]}}
    if resource_id:
        user["id"] = resource_id
    if person.get("preferred"):
        user["nickName"] = person["preferred"]
    if manager_id:
        user[ENTERPRISE]["manager"] = {"value": manager_id}
    for key, name in [("hire", "hireDate"), ("termination", "terminationDate"),
                      ("contract_end", "contractEndDate")]:
        if person.get(key):
            user[HR][name] = person[key]
    return user


def generated(count):
    """`count` people: one in ten a manager of the next nine, every fiftieth terminated."""
    departments = ["Nursing", "Pharmacy", "Cardiology", "Admissions", "Radiology"]
    people = []
    for number in range(1, count + 1):
        manager = number - (number - 1) % 10
        people.append({"employee_id": f"{number:06d}", "first": f"Given{number}", "last": f"Family{number}",
                       "title": "Registered Nurse", "job_code": "RN01",
                       "department": departments[number % len(departments)], "location": "Main Campus",
                       "worker_type": "Full-Time", "active": number % 50 != 0, "hire": "2020-01-15",
                       "termination": "2026-11-01" if number % 50 == 0 else "",
                       "manager": f"{manager:06d}" if manager != number else ""})
    return people
