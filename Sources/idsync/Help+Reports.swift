extension Help {
    static func reportHelp(for command: Arguments.Command) -> String {
        switch command {
        case .apply:
            return """
            usage: idsync apply --plan FILE [--approved-by NAME] [--config FILE]
                                [--format FORMAT] [--out FILE] [--unredacted]
                                [--at INSTANT | --today DATE] [--allow-changes N --reason TEXT]

            Plans again now and applies only the changes of the saved plan that are planned
            again identically (an edited file can add nothing), after the guards pass on them.
            Stops with exit 3, writing nothing, when the plan is older than
            approval.max_plan_age_hours, when its content does not match its hash, or when an
            entry or membership it changes moved since it was made. Changes that
            approval.require_for names wait unless --approved-by is given; disables and removals
            never wait. The audit log names the plan's content hash and the approver.

            \(common)
              --plan FILE          the plan, written by 'idsync plan --format json --out FILE'
              --approved-by NAME   who approved it, recorded in every audit record of the run
              --format, --out      as for plan; the report is the plan, then what was applied
            """
        case .report:
            return """
            usage: idsync report --plan FILE [--config FILE] [--format text|csv|html|json]
                                 [--out FILE]

            Renders a plan saved with 'idsync plan --format json' as it is, without the feed or
            the directory: the page people approve then shows the content hash that
            'idsync apply --plan' and the audit log name. A file whose content does not match
            its hash is refused (exit 3). Values are shown as they were saved: redact when the
            plan is saved.

            \(common)
              --plan FILE          the saved plan
              --format FORMAT      text (default), csv, html, or json (the document again)
              --out FILE           write it to FILE (mode 0600)
            """
        default:
            return """
            usage: idsync explain --employee ID [--config FILE] [--format text|html]
                                  [--out FILE] [--unredacted] [--at INSTANT | --today DATE]

            For one person: the HR record as read (every column), the normalized person and
            lifecycle state, the desired account, the observed account, and each planned change
            with the rule behind it. Writes nothing.

            \(common)
              --employee ID        the employee id, as HR writes it
              --format text|html   text (default) or one HTML page
              --out FILE           write it to FILE (mode 0600)
              --unredacted         show the HR fields that report.redact hides
            """
        }
    }
}
