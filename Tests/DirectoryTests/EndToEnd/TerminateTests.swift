import Connectors
import Foundation
import IdentitySync
import LDAP
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The nurse's managed groups after a day-0 sync of the small hospital.
let nurseGroups = ["all-staff", "nursing", "ehr-users", "mfa-enroll"]

/// A small hospital synced once, Ana with a password and in a group no rule names.
func terminateFixture(
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (TestSlapd, SyncFixture) {
    let slapd = try TestSlapd()
    let site = try SyncFixture(slapd: slapd)
    try site.writeFeed(smallHospital)
    expectStatus(try site.run("sync"), 0, sourceLocation: sourceLocation)
    try slapd.loadLDIF(
        """
        dn: cn=research,\(groups)
        objectClass: groupOfNames
        cn: research
        member: \(personDN("agarcia"))
        """)
    try slapd.setPassword("Night-shift-2026", for: personDN("agarcia"))
    return (slapd, site)
}

extension SyncFixture {
    /// `idsync terminate --employee ID --reason … --yes` and any extra options.
    func terminate(employee id: String, _ extra: [String] = []) throws -> ProcessOutput {
        try run(
            "terminate", ["--employee", id, "--reason", "walked out at 14:00", "--yes"] + extra)
    }

    func appendConfig(_ text: String) throws {
        let old = TestSlapd.contents(configPath)
        try (old + text).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// The change records of one action in the audit log.
    func records(_ action: String) throws -> [[String: Any]] {
        try changeRecords().filter { $0["action"] as? String == action }
    }
}

/// Holds the sync lock as another run would, until `release`.
final class HeldLock {
    private var fd: Int32

    init(_ path: String) throws {
        fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw TestSlapdError("cannot lock \(path)")
        }
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

@Suite struct TerminateTests {
    @Test func terminatedPersonCannotBindAndLeavesEveryManagedGroup() throws {
        let (slapd, site) = try terminateFixture()
        let anaDN = try LDAPDN.normalize(personDN("agarcia"))
        #expect(slapd.bindFailure(dn: anaDN, password: "Night-shift-2026") == nil)
        // The HR system is down: the feed is gone.
        try FileManager.default.removeItem(atPath: site.feedPath)

        let output = try site.terminate(employee: "000101", ["--ticket", "INC-4711"])

        expectStatus(output, 0)
        #expect(slapd.bindFailure(dn: anaDN, password: "Night-shift-2026") == 49)
        for group in nurseGroups {
            #expect(try slapd.members(of: group)?.contains(anaDN) == false, "still in \(group)")
        }
        #expect(
            try slapd.members(of: "research")?.contains(anaDN) == true,
            "a group no rule names is left")
        let state = try #require(try slapd.person(uid: "agarcia").first("idsyncState"))
        #expect(state.contains("terminated=2026-12-01"))
        #expect(state.contains("terminated-ref=INC-4711"))
        #expect(!state.contains("walked out"), "the reason stays in the audit log")
        #expect(output.stdout.contains("name:            Ana García"))
        #expect(output.stdout.contains("manager:         Grace Hopper"))
        #expect(
            output.stdout.contains(
                "check: the account is locked (binds fail) and no managed group lists it"))
        #expect(output.stdout.contains("5 of 5 steps done"))
    }

    @Test func auditLogHasEveryStepWithTheOperatorAndTicket() throws {
        let (_, site) = try terminateFixture()
        let before = try site.auditRecords().count

        expectStatus(try site.terminate(employee: "000101", ["--ticket", "INC-4711"]), 0)

        let records = try site.auditRecords().dropFirst(before)
        let events = records.map {
            ($0["event"] as? String ?? "") + " " + ($0["action"] as? String ?? "")
        }
        #expect(events.first == "run-start terminate")
        #expect(events.last == "run-end ")
        let changes = records.filter { $0["event"] as? String == "change" }
        #expect(
            records.contains {
                $0["event"] as? String == "attempt" && $0["action"] as? String == "disable"
            })
        #expect(
            records.contains {
                $0["event"] as? String == "attempt"
                    && $0["action"] as? String == "remove-from-group"
            },
            "each write is on the disk as an attempt before it is sent")
        let disable = try #require(changes.first { $0["action"] as? String == "disable" })
        #expect(disable["result"] as? String == "ok")
        #expect(
            disable["reason"] as? String
                == "on-demand-termination: terminated on demand by an operator")
        let after = try #require(disable["after"] as? [String: [String]])
        #expect(after["state"]?.first?.contains("terminated=2026-12-01") == true)
        let removals = changes.filter { $0["action"] as? String == "remove-from-group" }
        #expect(
            Set(removals.compactMap { $0["target"] as? String })
                == Set(nurseGroups.map { "cn=\($0),\(groups)" }))
        #expect(removals.allSatisfy { $0["result"] as? String == "ok" })
        for record in records {
            let actor = try #require(record["actor"] as? [String: Any])
            #expect(actor["reason"] as? String == "walked out at 14:00")
            #expect(actor["ticket"] as? String == "INC-4711")
            #expect((actor["osUser"] as? String)?.isEmpty == false)
        }
        #expect(records.last?["result"] as? String == "ok")
    }

    @Test func runningTheSameTerminationAgainWritesNothingNew() throws {
        let (slapd, site) = try terminateFixture()
        expectStatus(try site.terminate(employee: "000101"), 0)
        let dump = try slapd.dump()

        let again = try site.terminate(employee: "000101")

        expectStatus(again, 0)
        #expect(try slapd.dump() == dump)
        #expect(again.stdout.contains("to do:             nothing in the directory (done already)"))
        #expect(try site.records("disable").map { $0["result"] as? String } == ["ok", "skipped"])
        #expect(
            try site.records("disable").last?["detail"] as? String
                == "already done: the account is locked and its termination recorded")
        #expect(try site.records("remove-from-group").count == 4)
    }

    @Test(arguments: [
        "*", "a*)(uid=*", "\\", "0001*", "*)(employeeNumber=000101", "000101)", "\u{1}000101",
        "000101\n", "\u{1B}[2J",
    ])
    func hostileKeyTerminatesNobody(key: String) throws {
        let (slapd, site) = try terminateFixture()
        let dump = try slapd.dump()

        for option in ["--employee", "--login"] {
            let output = try site.run("terminate", [option, key, "--reason", "test", "--yes"])
            expectStatus(output, 3)
            #expect(output.stderr.contains("no account has"), "\(output.stderr)")
            #expect(output.stderr.contains("nobody was changed"))
            #expect(!output.stderr.contains("\u{1B}"), "control characters are shown escaped")
        }
        #expect(try slapd.dump() == dump)
        #expect(try site.records("disable").isEmpty)
    }

    @Test func keyWithANulCharacterMatchesNoEntry() throws {
        let (slapd, site) = try terminateFixture()
        let config = try ConfigLoader.load(path: site.configPath)
        let connector = OpenLDAPDirectory(
            connection: try DirectorySession.open(config.directory), config: config)
        defer { connector.close() }

        // A NUL cannot reach the command line, so the lookup is asked directly; the filter
        // escapes it (\00), and findOne refuses the key before asking.
        #expect(try connector.findAccounts(.employeeID("000101\u{0}")).isEmpty)
        #expect(try connector.findAccounts(.login("agarcia\u{0}*")).isEmpty)
        #expect(throws: LookupRefusal.self) { try connector.findOne(.employeeID("000101\u{0}")) }
        #expect(
            try connector.findAccounts(.employeeID("000101")).map(\.account.login) == ["agarcia"])
        _ = slapd
    }

    /// slapd's equality matches subtypes: a tagged value on Ana's entry must not make her the
    /// person another id or login names (fresh-user trial).
    @Test func aTaggedValueOnSomeoneElsesEntryTerminatesNobody() throws {
        let (slapd, site) = try terminateFixture()
        try slapd.loadLDIF(
            """
            dn: \(personDN("agarcia"))
            changetype: modify
            add: employeeNumber;lang-en
            employeeNumber;lang-en: 000199
            -
            add: uid;lang-en
            uid;lang-en: ghost
            """)
        let dump = try slapd.dump()

        expectStatus(try site.terminate(employee: "000199"), 3)
        expectStatus(try site.run("terminate", ["--login", "ghost", "--reason", "test", "--yes"]), 3)

        #expect(try slapd.dump() == dump)
        #expect(try site.records("disable").isEmpty)
        // Her own id still finds her, spaces and case folded as the directory folds them.
        let config = try ConfigLoader.load(path: site.configPath)
        let connector = OpenLDAPDirectory(
            connection: try DirectorySession.open(config.directory), config: config)
        defer { connector.close() }
        let byID = try connector.findAccounts(.employeeID(" 000101 ")).map(\.account.login)
        let byLogin = try connector.findAccounts(.login("AGarcia")).map(\.account.login)
        #expect(byID == ["agarcia"])
        #expect(byLogin == ["agarcia"])
    }

    @Test func twoAccountsWithOneEmployeeIdAreNamedAndNeitherTerminated() throws {
        let (slapd, site) = try terminateFixture()
        try slapd.loadLDIF(
            """
            dn: uid=agarcia2,\(people)
            objectClass: inetOrgPerson
            uid: agarcia2
            cn: Ana Garcia
            sn: Garcia
            employeeNumber: 000101
            """)
        let dump = try slapd.dump()

        let output = try site.terminate(employee: "000101")

        expectStatus(output, 3)
        #expect(output.stderr.contains("2 accounts have the employee id '000101'"))
        #expect(output.stderr.contains("uid=agarcia,"))
        #expect(output.stderr.contains("uid=agarcia2,"))
        #expect(try slapd.dump() == dump)
    }

    @Test func terminateTakesTheCredentialsTheNightlyDisableTakes() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(
            slapd: slapd, guards: SyncFixture.roomyGuards + "\ndisable:\n  credentials: [defaults]\n")
        try site.writeFeed(smallHospital)
        expectStatus(try site.run("sync"), 0)
        try slapd.setPassword("Night-shift-2026", for: personDN("agarcia"))

        let output = try site.terminate(employee: "000101")

        expectStatus(output, 0)
        #expect(
            output.stdout.contains(
                "credentials removed: userPassword (replaced with an unusable value)"))
        let ana = try slapd.person(uid: "agarcia")
        #expect(ana.first("userPassword")?.hasPrefix("{CRYPT}!") == true)
        #expect(ana.values("pwdAccountLockedTime") == ["000001010000Z"])
        #expect(ana.first("idsyncState")?.contains("wiped") == true)
    }

    @Test func withoutATerminalOrYesNothingHappens() throws {
        let (slapd, site) = try terminateFixture()
        let dump = try slapd.dump()

        // setsid: a session with no controlling terminal, so there is no /dev/tty to ask on.
        let output = try TestSlapd.run(
            executable: "/usr/bin/setsid",
            arguments: [
                "--wait", SyncFixture.binary, "terminate", "--config", site.configPath,
                "--employee", "000101",
                "--reason", "test",
            ])

        expectStatus(output, 2)
        #expect(
            output.stderr.contains("no terminal to confirm on and no --yes: nothing was changed"))
        #expect(try slapd.dump() == dump)
    }
}

@Suite struct TerminateProtectedTests {
    func breakGlass(_ slapd: TestSlapd) throws {
        try slapd.loadLDIF(
            """
            dn: uid=breakglass,\(people)
            objectClass: inetOrgPerson
            uid: breakglass
            cn: Break Glass
            sn: Glass
            employeeType: break-glass
            """)
        try slapd.setPassword("Emergency-only-2026", for: personDN("breakglass"))
    }

    @Test func protectedAccountIsRefusedWithoutTheEmergencyFlag() throws {
        let (slapd, site) = try terminateFixture()
        try breakGlass(slapd)
        try site.appendConfig(
            """
            protected:
              attribute: employeeType
              values: [break-glass, service]

            """)
        let dump = try slapd.dump()

        let output = try site.run(
            "terminate", ["--login", "breakglass", "--reason", "test", "--yes"])

        expectStatus(output, 3)
        #expect(output.stderr.contains("is a protected account (employeeType is break-glass)"))
        #expect(output.stderr.contains("--emergency-protected"))
        #expect(try slapd.dump() == dump)
    }

    @Test func emergencyLockOfAProtectedAccountIsAuditedAndReinstateLiftsIt() throws {
        let (slapd, site) = try terminateFixture()
        try breakGlass(slapd)
        try site.appendConfig(
            """
            protected:
              attribute: employeeType
              values: [break-glass, service]

            """)

        let output = try site.run(
            "terminate",
            [
                "--login", "breakglass", "--reason", "credentials leaked",
                "--yes", "--emergency-protected",
            ])

        expectStatus(output, 0)
        #expect(
            slapd.bindFailure(dn: personDN("breakglass"), password: "Emergency-only-2026") == 49)
        let start = try #require(
            try site.auditRecords().last { $0["event"] as? String == "run-start" })
        #expect(start["action"] as? String == "emergency-lock")
        #expect(
            (start["detail"] as? String)?.contains("EMERGENCY LOCK of a protected account") == true)
        let disable = try #require(try site.records("disable").last)
        #expect((disable["reason"] as? String)?.hasPrefix("emergency-lock: ") == true)

        // A sync never touches a protected account, so the lock stays until an operator lifts it.
        expectStatus(try site.run("sync"), 0)
        #expect(
            slapd.bindFailure(dn: personDN("breakglass"), password: "Emergency-only-2026") == 49)
        let refused = try site.run(
            "reinstate", ["--login", "breakglass", "--reason", "rotated", "--yes"])
        expectStatus(refused, 3)
        let lifted = try site.run(
            "reinstate",
            [
                "--login", "breakglass", "--reason", "rotated", "--yes",
                "--emergency-protected",
            ])
        expectStatus(lifted, 0)
        #expect(
            slapd.bindFailure(dn: personDN("breakglass"), password: "Emergency-only-2026") == nil)
        #expect(
            try slapd.person(uid: "breakglass").first("idsyncState")?.contains("terminated")
                == false)
    }
}
