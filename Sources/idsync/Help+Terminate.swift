extension Help {
    static let terminate = """
    usage: idsync terminate (--employee ID | --login NAME) --reason TEXT [--ticket REF]
                            [--config FILE] [--yes] [--emergency-protected]
                            [--at INSTANT | --today DATE]

    Ends one person's access now, from the same config as the nightly sync, without reading the
    HR feed. Finds the account by equality of the employee id or the login (a value such
    as '*' matches nobody), shows who it found and asks for 'yes' on the terminal. Then it
    disables the account the way a nightly leaver is disabled, removes it from every managed
    group, revokes the person's authenticators and sessions in every configured MFA connector,
    and prints a receipt: each step, its result and its time. Every step has an audit record
    with the OS user, the reason and the ticket. A failed step does not stop the others; exit 1
    then, and running the same command again does only what is left.

    The account records the termination (date and ticket, never the reason) in idsyncState:
    later syncs keep it disabled even while HR still shows the person active, and report the
    conflict, until HR records the termination, HR shows a rehire after that date, or
    'idsync reinstate'.

    If a sync holds the lock, terminate waits for it up to terminate.lock_wait (default 5m),
    then goes ahead anyway and says so. It holds the lock while it asks for 'yes', and stops
    with nothing changed when no answer comes within terminate.confirm_wait (default 2m).

      --employee ID            the person's employee id (employeeNumber)
      --login NAME             or the account's login (the mapping's login attribute)
      --reason TEXT            why; required, kept in the audit log only
      --ticket REF             the change or incident ticket; in the audit log and on the account
      --yes                    do not ask; for scripts. Without it and without a terminal,
                               nothing happens
      --emergency-protected    allow an emergency lock of a protected account (break-glass,
                               service): it only locks, leaves groups and authenticators, and is
                               audited as such
      --config FILE            the site's idsync.yaml (default ./idsync.yaml)
      --at, --today            the date the termination is recorded with (default now)

    Exit codes: 0 every step done; 1 some step failed (the receipt says what is left); 2 usage
    or config error, or no terminal and no --yes; 3 nothing written: no account or several, a
    protected or unmanaged account, not confirmed, or the directory did not answer.
    """

    static let reinstate = """
    usage: idsync reinstate (--employee ID | --login NAME) --reason TEXT [--ticket REF]
                            [--config FILE] [--yes] [--emergency-protected]

    Lifts an on-demand termination made by mistake. It takes the termination fact off the
    account and nothing more: the next 'idsync sync' then plans the person from HR, so an
    active person is re-enabled through the rehire path (groups from the role rules, MFA
    enrollment anew) and one HR shows terminated stays disabled. An account disabled outside
    idsync before the termination stays disabled. A protected account's emergency lock
    (--emergency-protected) is lifted at once, since no sync ever changes a protected account.
    Takes the sync lock like sync (exit 4 if a run holds it).

      --employee, --login, --reason, --ticket, --yes, --config: as for terminate
      --emergency-protected    required to lift the emergency lock of a protected account
    """
}
