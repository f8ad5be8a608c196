import Foundation
import LDAP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One row of the HR export, in the BambooHR layout of mappings/bamboohr.yaml.
struct HRRow {
    var id: String
    var first: String
    var preferred = ""
    var last: String
    var title = "Admissions Clerk"
    var jobCode = "AD01"
    var department = "Admissions"
    var location = "Main Campus"
    var workerType = "Full-Time"
    var status = "Active"
    var hire = "01/15/2020"
    var termination = ""
    var contractEnd = ""
    var manager = ""

    static let header = "Employee #,First Name,Preferred Name,Last Name,Job Title,Job Code,Department,"
        + "Location,Employment Status,Status,Hire Date,Termination Date,Contract End Date,Supervisor EID"

    /// The row terminated: HR status and a last day worked in the past of the run date.
    func terminated(on date: String = "11/15/2026") -> HRRow {
        var row = self
        row.status = "Terminated"
        row.termination = date
        return row
    }

    var csvLine: String {
        [id, first, preferred, last, title, jobCode, department, location, workerType, status, hire,
         termination, contractEnd, manager].map(HRRow.quoted).joined(separator: ",")
    }

    /// RFC 4180: a field with a comma, quote, CR or LF (or edge spaces, to be safe) is quoted.
    static func quoted(_ field: String) -> String {
        let special = field.contains { ",\"\r\n".contains($0) } || field.hasPrefix(" ") || field.hasSuffix(" ")
        guard special else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Which identity of the TestSlapd the config binds as.
enum BindIdentity {
    case service, reader
}

/// An idsync site in a temporary folder, pointed at one TestSlapd: idsync.yaml, the feed, the
/// audit log and the lock file. The mappings are the repository's own (mappings/*.yaml), so the
/// tests run the account and role rules a site starts from. Runs the real `idsync` binary.
final class SyncFixture: @unchecked Sendable {
    /// The run's instant for every test: noon in New York on 2026-12-01.
    static let runInstant = "2026-12-01T17:00:00Z"

    let slapd: TestSlapd
    let dir: String
    var configPath: String { dir + "/idsync.yaml" }
    var feedPath: String { dir + "/feed.csv" }
    var auditPath: String { dir + "/audit.jsonl" }
    var lockPath: String { dir + "/idsync.lock" }

    /// Writes the config (with `guards` and `directory` lines that a test may replace) and an
    /// empty feed, and adds ou=contractors, the container of the placement rule.
    init(slapd: TestSlapd, bindAs identity: BindIdentity = .service, url: String? = nil,
         guards: String = SyncFixture.roomyGuards, sourceLocation: SourceLocation = #_sourceLocation) throws {
        self.slapd = slapd
        dir = slapd.dir + "/site"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try SyncFixture.requireBinary(sourceLocation: sourceLocation)
        let (dn, passwordFile) = identity == .service
            ? (slapd.serviceDN, slapd.dir + "/idsync.pw") : (slapd.readerDN, slapd.dir + "/reader.pw")
        try config(url: url ?? slapd.url, bindDN: dn, passwordFile: passwordFile, guards: guards)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        try writeFeed([])
        try slapd.loadLDIF("""
            dn: ou=contractors,ou=people,dc=example,dc=org
            objectClass: organizationalUnit
            ou: contractors
            """)
    }

    /// Budgets that let the bulk tests through; the guard tests set their own. Group removals
    /// are counted against managed accounts, so a leaver day with several groups each is
    /// well over 100 %.
    static let roomyGuards = """
        guards:
          max_feed_shrink_percent: 10
          max_leavers: {count: 100000, percent: 100}
          max_group_removals: {count: 100000, percent: 100}
          max_renames: {count: 100000, percent: 100}
        """

    private func config(url: String, bindDN: String, passwordFile: String, guards: String) -> String {
        let mappings = SyncFixture.packageRoot + "/mappings"
        return """
            site:
              time_zone: America/New_York
            feed:
              type: csv
              path: \(feedPath)
              layout: \(mappings)/bamboohr.yaml
              max_bad_rows: 5
              missing_person: leaver
            directory:
              flavour: openldap
              url: \(url)
              bind_dn: \(bindDN)
              password_file: \(passwordFile)
              base: dc=example,dc=org
              people: ou=people,dc=example,dc=org
              groups: ou=groups,dc=example,dc=org
              placeholder_member: uid=placeholder,ou=services,dc=example,dc=org
              password_policy: cn=default,ou=policies,dc=example,dc=org
              state_attribute: idsyncState
              state_object_class: idsyncAccount
            mapping: \(mappings)/accounts.yaml
            roles: \(mappings)/roles.yaml
            policy:
              pre_hire_days: 14
              leave_of_absence: keep
              orphans: report
              mfa_enrollment_group: mfa-enroll
              mfa_reverification_group: mfa-reverify
            \(guards)
            audit:
              path: \(auditPath)
            lock:
              path: \(lockPath)

            """
    }

    /// Writes the feed: the header, then one line per row.
    func writeFeed(_ rows: [HRRow]) throws {
        let text = ([HRRow.header] + rows.map(\.csvLine)).joined(separator: "\n") + "\n"
        try text.write(toFile: feedPath, atomically: true, encoding: .utf8)
    }

    /// Runs `idsync COMMAND --config … --at runInstant EXTRA…` to its end.
    func run(_ command: String, _ extra: [String] = [], at instant: String = SyncFixture.runInstant) throws
        -> ProcessOutput {
        try TestSlapd.run(executable: SyncFixture.binary, arguments: arguments(command, extra, instant))
    }

    /// Starts `idsync sync` and returns its pid; output goes to files in `dir`.
    func startSync(at instant: String = SyncFixture.runInstant) throws -> pid_t {
        try TestSlapd.spawn(SyncFixture.binary, arguments("sync", [], instant),
                            stdout: dir + "/killed.out", stderr: dir + "/killed.err")
    }

    private func arguments(_ command: String, _ extra: [String], _ instant: String) -> [String] {
        [command, "--config", configPath, "--at", instant] + extra
    }

    /// The audit log's records, each a decoded JSON object; [] if there is no log.
    func auditRecords() throws -> [[String: Any]] {
        let text = TestSlapd.contents(auditPath)
        return try text.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    func changeRecords() throws -> [[String: Any]] {
        try auditRecords().filter { $0["event"] as? String == "change" }
    }
}

extension SyncFixture {
    /// The package root, four levels above this file (Tests/DirectoryTests/Support/…).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let binary = packageRoot + "/.build/debug/idsync"

    static func requireBinary(sourceLocation: SourceLocation) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            let message = "the idsync binary is missing at \(binary); build it with "
                + "'swift build --build-tests' before 'swift test'"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            throw TestSlapdError(message)
        }
    }
}

/// The number in the plan's "changes N" summary line.
func plannedChanges(_ report: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int? {
    let line = report.split(separator: "\n").first { $0.hasPrefix("joiners ") }
    let count = line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
    if count == nil { Issue.record("no summary line in the report:\n\(report)", sourceLocation: sourceLocation) }
    return count
}

/// Expects `output` to have ended with `status`, showing both streams when not.
func expectStatus(_ output: ProcessOutput, _ status: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(output.status == status,
            "exit \(output.status), expected \(status)\nstdout:\n\(output.stdout)\nstderr:\n\(output.stderr)",
            sourceLocation: sourceLocation)
}
