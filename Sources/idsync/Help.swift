/// Help texts, one per command.
enum Help {
    static let general = """
    idsync: keeps an LDAP directory in step with the HR system of record.

    usage: idsync COMMAND [options]

    commands:
      plan       read the feed and the directory, print the plan; writes nothing
      sync       plan, run the guards, apply, write the audit log (what cron runs)
      validate   check the config, the mappings and the feed, without a directory

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
            usage: idsync plan [--config FILE] [--format text|json] [--out FILE] [--at INSTANT | --today DATE]

            Reads the HR feed and the directory and prints the plan: joiners, movers, leavers, each change
            with its reason, and the guards' verdict. Nothing is written to the directory.

            \(common)
              --format text|json   text for people (default), json for tools
              --out FILE           write the report to FILE (mode 0600) instead of standard output
            """
        case .sync:
            return """
            usage: idsync sync [--config FILE] [--format text|json] [--out FILE] [--at INSTANT | --today DATE]
                               [--allow-changes N --reason TEXT]

            Plans as 'idsync plan' does, stops with exit 3 if a guard fails, otherwise applies the plan
            (leavers first) and appends every change attempted to the audit log.

            \(common)
              --format, --out      as for plan; the report is the plan followed by what was applied
              --allow-changes N    let a budget guard pass for this run when its count is at most N
              --reason TEXT        why; required with --allow-changes, recorded in the audit log
            """
        case .validate:
            return """
            usage: idsync validate [--config FILE]

            Loads the config and mappings and reads the feed without contacting the directory; prints how
            many people were read, and every quarantined row with its file, line and problem.

            \(common)
            """
        }
    }
}
