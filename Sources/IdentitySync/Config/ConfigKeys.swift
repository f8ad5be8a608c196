/// The keys each block of idsync's config files takes; the loaders refuse any other key at
/// its line. README's configuration reference lists the same keys, and a unit test
/// compares the two.
enum ConfigKeys {
    // idsync.yaml
    static let root: Set<String> = [
        "site", "feed", "directory", "mapping", "roles", "policy", "guards", "protected",
        "audit", "lock", "exceptions", "disable", "monitoring", "mfa", "terminate", "report",
        "approval",
    ]
    static let site: Set<String> = ["time_zone", "locations"]
    static let csvFeed: Set<String> = [
        "type", "path", "layout", "max_bad_rows", "missing_person", "max_age",
    ]
    static let scimFeed: Set<String> = [
        "type", "url", "token_file", "token_env", "ca_file", "allow_plaintext", "page_size",
        "max_attempts", "page_timeout", "layout", "attributes", "max_bad_rows", "missing_person",
    ]
    static let directory: Set<String> = [
        "flavour", "url", "bind_dn", "password_file", "password_env", "ca_file", "start_tls",
        "allow_plaintext", "base", "people", "groups", "placeholder_member", "password_policy",
        "state_attribute", "state_object_class", "object_classes", "page_size", "write_window",
    ]
    static let policy: Set<String> = [
        "pre_hire_days", "leave_of_absence", "orphans", "mfa_enrollment_group",
        "mfa_reverification_group",
    ]
    static let guards: Set<String> = [
        "max_feed_shrink_percent", "max_leavers", "max_group_removals", "max_renames",
        "max_joiners", "max_privileged_grants",
    ]
    static let budget: Set<String> = ["count", "percent"]
    static let protected: Set<String> = ["dns", "groups", "attribute", "values"]
    static let audit: Set<String> = ["path"]
    static let lock: Set<String> = ["path"]
    static let exceptions: Set<String> = ["path", "max_days", "privileged"]
    static let disable: Set<String> = ["credentials"]
    static let monitoring: Set<String> = ["status_file", "metrics_file"]
    static let mfa: Set<String> = [
        "privileged_grants", "enrollment_days", "lapsed_enrollment", "noncompliant_members",
        "connectors",
    ]
    static let memberRemoval: Set<String> = ["remove_from"]
    static let terminate: Set<String> = ["lock_wait", "confirm_wait"]
    static let report: Set<String> = ["redact"]
    static let approval: Set<String> = ["require_for", "max_plan_age_hours"]

    // The HR layout
    static let layout: Set<String> = [
        "name", "date_format", "delimiter", "columns", "status", "contractor_types",
        "export_stamp", "optional_columns",
    ]
    static let status: Set<String> = ["active", "leave-of-absence", "terminated"]
    static let exportStamp: Set<String> = ["trailer", "first_line", "column"]
    static let stampRecord: Set<String> = ["prefix", "rows", "exported"]

    // The account mapping and the role rules
    static let mapping: Set<String> = ["login", "attributes", "placement"]
    static let login: Set<String> = ["template", "max_length", "attribute"]
    static let placement: Set<String> = ["name", "match", "container"]
    static let roles: Set<String> = ["rules", "privileged_groups"]
    static let rule: Set<String> = ["name", "match", "groups", "mfa"]

    // The exceptions file
    static let exceptionsFile: Set<String> = ["exceptions"]
    static let exception: Set<String> = ["employee_id", "group", "until", "approved_by", "why"]
}
