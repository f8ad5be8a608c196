/// Help texts, one per command.
enum Help {
    static let general = """
    idsync: keeps an LDAP directory in step with the HR system of record.

    usage: idsync COMMAND [options]

    commands:
      plan       read the feed and the directory, print the plan; writes nothing
      sync       plan, run the guards, apply, write the audit log (what cron runs)
      validate   check the config, the mappings and the feed, without a directory
      adopt      propose which HR person each account without an employee id is, for review;
                 with --apply, write the employee ids a reviewer approved
      terminate  end one person's access now, without the HR feed (disable, groups, MFA)
      reinstate  lift an on-demand termination made by mistake
      apply      apply a saved, approved plan (idsync plan --format json) if nothing it changes moved
      report     render a saved plan as text, csv or html, as it is, for the people who approve it
      explain    one person: HR record, desired and observed account, planned changes and their rules

    'idsync COMMAND --help' describes each. Exit codes: 0 success; 1 some changes failed or rows were
    quarantined (the rest applied); 2 usage or config error; 3 stopped before any write (a guard, or an
    input that cannot be trusted); 4 another run holds the lock.
    """

    static let common = """
      --config FILE        the site's idsync.yaml (default ./idsync.yaml)
      --at INSTANT         the run's instant, ISO 8601 (e.g. 2026-12-04T02:15:00Z); default now
      --today DATE         the run is at local midnight starting DATE in the site's time zone
    """

    static func text(for command: Arguments.Command) -> String {
        switch command {
        case .plan:
            return """
            usage: idsync plan [--config FILE] [--format text|json|csv|html] [--out FILE] [--at INSTANT | --today DATE]

            Reads the HR feed and the directory and prints the plan: joiners, movers, leavers, each change
            with its reason, and the guards' verdict. Nothing is written to the directory.

            \(common)
              --format FORMAT      text (default) or html for people, csv for a spreadsheet, json for
                                   tools and for 'idsync apply --plan'
              --out FILE           write the report to FILE (mode 0600) instead of standard output
              --unredacted         show the HR fields that report.redact hides
            """
        case .sync:
            return """
            usage: idsync sync [--config FILE] [--format text|json|csv|html] [--out FILE]
                               [--at INSTANT | --today DATE] [--allow-changes N --reason TEXT]

            Plans as 'idsync plan' does, stops with exit 3 if a guard fails, otherwise applies the plan
            (leavers first) and appends every change attempted to the audit log.

            \(common)
              --format, --out      as for plan; the report is the plan followed by what was applied
              --allow-changes N    let a budget guard pass for this run when its count is at most N
              --reason TEXT        why; required with --allow-changes, recorded in the audit log
            """
        case .adopt:
            return adoptHelp
        case .terminate: return terminate
        case .reinstate: return reinstate
        case .apply, .explain, .report:
            return reportHelp(for: command)
        case .validate:
            return """
            usage: idsync validate [--config FILE]

            Loads the config and mappings and reads the feed without contacting the directory; prints how
            many people were read, and every quarantined row with its file, line and problem. The MFA
            connectors are built as plan builds them (secret files, URLs) but not contacted.

            \(common)
            """
        }
    }

    static let adoptHelp = """
    usage: idsync adopt [--config FILE] [--out-dir DIR]
           idsync adopt --apply FILE --approved-by NAME [--config FILE] [--reason TEXT]

    Without --apply: reads the feed and the directory as plan does and proposes, for each account
    in the people subtree that carries no employee id (and is not protected), the HR person without
    an account it belongs to. Evidence: HR's work_email equal to the account's mail (high); the
    name, transliterated and case-folded, with the legal or preferred first name, plus the
    department or the manager (medium); the name alone (low). Writes DIR/adoption-review.csv and
    DIR/adoption-review.json (mode 0600), one row per proposal with the evidence. A row whose
    account or person has another candidate is ambiguous and says which; only unambiguous mail
    matches are written approved (yes). Until adopted, plan and sync hold a person whose account
    probably exists (medium or high) instead of creating a second one. Writes nothing else.

    In the CSV, a cell that starts with = + - @, a tab or a carriage return gets a leading ' so
    that a spreadsheet shows it as text instead of running it; --apply drops that ' again.

    With --apply: reads FILE (CSV, or JSON when it ends in .json), re-reads the feed and the
    directory, and for each row whose approved cell is yes writes the employee id
    (employeeNumber) and idsync's state on the account; for reject it remembers on the account
    that it is not that person's, so the person is no longer held. Rows with no are left alone.
    A row edited into nonsense (a DN that is no account, a login or name that does not go with
    it, an employee id the feed lacks, two approved rows for one account or one person, an
    approved cell that is not yes, no or reject) stops everything before any write, naming the
    file and line (exit 3). A row the directory or feed has overtaken since the review is
    skipped and reported (exit 1). Each row written gets one audit record with the approver.

      --config FILE        the site's idsync.yaml (default ./idsync.yaml)
      --out-dir DIR        where the review files go (default: the current directory)
      --apply FILE         the reviewed file to apply
      --approved-by NAME   who approved it; required with --apply, recorded in every audit record
      --reason TEXT        why, e.g. a ticket; recorded in the audit log
    """
}
