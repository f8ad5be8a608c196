"""A throwaway privacyIDEA for idsync's tests: SQLite in DIR, bound to 127.0.0.1.

Usage: VENV/bin/python privacyidea-test-server.py DIR
The admin password comes from the environment (IDSYNC_PI_ADMIN_PASSWORD), never from an
argument. Prints "PORT <n>" once the server answers, and exits when its parent (the test
process) is gone, so a crashed test run leaves no server behind.
"""
import os
import secrets
import socket
import sys
import threading
import time


def write_config(folder, port):
    path = os.path.join(folder, "pi.cfg")
    with open(path, "w") as config:
        config.write(
            f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{folder}/pi.sqlite'\n"
            f"SECRET_KEY = '{secrets.token_hex(24)}'\n"
            f"PI_PEPPER = '{secrets.token_hex(24)}'\n"
            f"PI_ENCFILE = '{folder}/enckey'\n"
            f"PI_AUDIT_KEY_PRIVATE = '{folder}/private.pem'\n"
            f"PI_AUDIT_KEY_PUBLIC = '{folder}/public.pem'\n"
            f"PI_LOGFILE = '{folder}/privacyidea.log'\n"
            "PI_LOGLEVEL = 30\n"
            f"PI_BASE_URL = 'http://127.0.0.1:{port}'\n"
            # SQLite takes one writer at a time: wait for the lock instead of failing at once.
            "SQLALCHEMY_ENGINE_OPTIONS = {'connect_args': {'timeout': 30}}\n")
    return path


def bootstrap(password):
    # One process for the setup steps: each pi-manage start costs seconds of imports.
    from privacyidea.cli.pimanage import cli
    for args in (["setup", "create_enckey"], ["setup", "create_audit_keys"],
                 ["setup", "create_tables"], ["admin", "add", "admin", "-p", password]):
        try:
            cli.main(args, prog_name="pi-manage", standalone_mode=False)
        except SystemExit as stop:
            if stop.code:
                raise


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exit_with_parent():
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    folder = os.path.abspath(sys.argv[1])
    os.makedirs(folder, exist_ok=True)
    password = os.environ["IDSYNC_PI_ADMIN_PASSWORD"]
    port = free_port()
    os.environ["PRIVACYIDEA_CONFIGFILE"] = write_config(folder, port)
    bootstrap(password)

    from privacyidea.app import create_app
    from werkzeug.serving import make_server
    app = create_app(config_name="production", config_file=os.environ["PRIVACYIDEA_CONFIGFILE"],
                     silent=True)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=exit_with_parent, daemon=True).start()
    print(f"PORT {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
