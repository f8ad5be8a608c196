"""Starts scim2-server (PyPI) for idsync's tests and benchmarks, on 127.0.0.1 only.

usage: .venv-scim/bin/python scripts/scim-test-server.py [PORT]
Prints "PORT n" once it listens (PORT 0, the default, lets the kernel choose). The bearer token comes from the environment variable IDSYNC_SCIM_TOKEN, because the
server's own command line takes it only as an argument (visible in ps). The User resource
type also gets the HR extension that mappings/scim.yaml reads hire and end dates, job codes
and locations from, since scim2-server serves only the schemas it is given.
"""
import json
import os
import sys
import tempfile

from scim2_server.testserver import cli
from scim2_server.utils import load_json_resource

HR_EXTENSION = "urn:example:params:scim:schemas:extension:hr:2.0:User"


def attribute(name, kind="string"):
    return {"name": name, "type": kind, "multiValued": False, "required": False,
            "caseExact": False, "mutability": "readWrite", "returned": "default",
            "uniqueness": "none", "description": name}


def hr_schema():
    names = ["jobCode", "location", "employmentStatus"]
    dates = ["hireDate", "terminationDate", "contractEndDate"]
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": HR_EXTENSION,
            "name": "HRUser", "description": "HR facts idsync reads",
            "attributes": [attribute(n) for n in names] + [attribute(n) for n in dates]}


def write_json(folder, name, value):
    path = os.path.join(folder, name)
    with open(path, "w") as file:
        json.dump(value, file)
    return path


def main():
    if len(sys.argv) > 2:
        sys.exit("usage: scim-test-server.py [PORT] (token in IDSYNC_SCIM_TOKEN)")
    port = sys.argv[1] if len(sys.argv) == 2 else "0"
    token = os.environ.get("IDSYNC_SCIM_TOKEN")
    if not token:
        sys.exit("scim-test-server.py: set IDSYNC_SCIM_TOKEN")
    folder = tempfile.mkdtemp(prefix="idsync-scim-")
    schemas = load_json_resource("default-schemas.json") + [hr_schema()]
    types = load_json_resource("default-resource-types.json")
    for kind in types:
        if kind["id"] == "User":
            kind["schemaExtensions"].append({"schema": HR_EXTENSION, "required": False})
    sys.argv = ["scim2-server", "--hostname", "127.0.0.1", "--port", port,
                "--schema", write_json(folder, "schemas.json", schemas),
                "--resource-type", write_json(folder, "types.json", types),
                "--bearer-token", token]
    cli.make_server = announcing(cli.make_server)
    cli.main()


def announcing(make_server):
    """The CLI prints the port it was given; with port 0 the tests need the one it got."""
    def make(*arguments, **options):
        server = make_server(*arguments, **options)
        print(f"PORT {server.server_port}", flush=True)
        return server
    return make


main()
