import Foundation
import Testing
import YAML

@testable import IdentitySync

/// A minimal valid idsync.yaml in a temporary folder, pointing at the real mappings, with
/// one line changed per test. Line numbers below are this text's.
struct ConfigFile {
    static let text = """
        site:
          time_zone: America/New_York
          locations:
            Denver Clinic: America/Denver
        feed:
          path: hr/day1.csv
          layout: MAPPINGS/bamboohr.yaml
        directory:
          url: ldap://127.0.0.1:3890
          bind_dn: cn=idsync,ou=services,dc=example,dc=org
          password_file: secret.pw
          base: dc=example,dc=org
          people: ou=people,dc=example,dc=org
          groups: ou=groups,dc=example,dc=org
          placeholder_member: uid=placeholder,ou=services,dc=example,dc=org
        mapping: MAPPINGS/accounts.yaml
        roles: MAPPINGS/roles.yaml
        audit:
          path: audit.jsonl
        lock:
          path: idsync.lock

        """

    let path: String

    init(replacing old: String? = nil, with new: String = "") throws {
        var text = Self.text.replacingOccurrences(of: "MAPPINGS", with: Fixtures.path("mappings"))
        if let old {
            #expect(text.contains(old), "fixture has no line \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("idsync-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("idsync.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}

@Suite struct ConfigLoaderTests {
    /// Loads and expects a YAMLError at `line` whose message contains `text`.
    func expectError(_ file: ConfigFile, line: Int, containing text: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ConfigLoader.load(path: file.path)
            Issue.record("loaded, expected an error containing '\(text)'", sourceLocation: sourceLocation)
        } catch let error as YAMLError {
            #expect(error.file == file.path, sourceLocation: sourceLocation)
            #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error)", sourceLocation: sourceLocation)
            #expect("\(error)".hasPrefix("\(file.path):\(line):"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func sampleConfigLoads() throws {
        let config = try ConfigLoader.load(path: Fixtures.path("sample/idsync.yaml"))
        #expect(config.timeZone.identifier == "America/New_York")
        #expect(config.zone(forLocation: "Denver Clinic").identifier == "America/Denver")
        #expect(config.zone(forLocation: "Main Campus").identifier == "America/New_York")
        #expect(config.feed.path.hasSuffix("sample/hr/day1.csv"))
        #expect(config.feed.layout.name == "bamboohr")
        #expect(config.feed.layout.columns[.employeeID] == "Employee #")
        #expect(config.feed.maxBadRows == 5)
        #expect(config.roles.rules.map(\.name) == ["all-staff", "nursing", "physicians", "pharmacy",
                                                    "ehr-superusers", "contractors"])
        #expect(config.roles.rules.first { $0.name == "ehr-superusers" }?.mfa == .phishingResistant)
        #expect(config.roles.privilegedGroups == ["ehr-superusers"])
        #expect(config.policy.preHireDays == 14)
        #expect(config.policy.enrollmentGroup == "mfa-enroll")
        #expect(config.guards.leavers.percent == 25)
        // A DN inside a YAML flow list must be quoted, or its commas split it into four "DNs".
        #expect(config.protected.groups == [Fixtures.groupDN("break-glass")])
        #expect(config.protected.values == ["break-glass", "service"])
        #expect(config.mapping.attributes.map(\.name).first == "cn")
        #expect(config.mapping.placement.first?.container == Fixtures.contractors)
        #expect(!config.auditPath.contains(".."))
    }

    @Test func minimalConfigLoadsWithDefaults() throws {
        let config = try ConfigLoader.load(path: ConfigFile().path)
        #expect(config.policy.orphans == .report)
        #expect(config.feed.missingPerson == .leaver)
        #expect(config.directory.passwordFile?.hasSuffix("/secret.pw") == true)
    }

    @Test func unknownKeySuggestsTheClosestOne() throws {
        expectError(try ConfigFile(replacing: "lock:\n", with: "polcy: {orphans: report}\nlock:\n"),
                    line: 20, containing: "did you mean 'policy'?")
    }

    @Test func unknownKeyInsideASectionSuggestsTheClosestOne() throws {
        expectError(try ConfigFile(replacing: "  password_file:", with: "  pasword_file:"),
                    line: 11, containing: "did you mean 'password_file'?")
    }

    @Test func badTimeZoneNamesFileAndLine() throws {
        expectError(try ConfigFile(replacing: "Denver Clinic: America/Denver", with: "Denver Clinic: Mountain"),
                    line: 4, containing: "'Mountain'")
    }

    @Test func badDNNamesFileAndLine() throws {
        expectError(try ConfigFile(replacing: "groups: ou=groups,dc=example,dc=org",
                                   with: "groups: ou=groups;dc=example"),
                    line: 14, containing: "is not a DN")
    }

    @Test func unquotedDNInAFlowListIsCaught() throws {
        let file = try ConfigFile(replacing: "audit:\n", with: "protected:\n  groups: [cn=break-glass,ou=groups,dc=example,dc=org]\naudit:\n")
        expectError(file, line: 19, containing: "quote each DN")
    }

    @Test func missingPasswordSourceIsAnError() throws {
        let file = try ConfigFile(replacing: "  password_file: secret.pw\n", with: "")
        do {
            _ = try ConfigLoader.load(path: file.path)
            Issue.record("loaded without password_file or password_env")
        } catch let error as YAMLError {
            #expect(error.file == file.path)
            #expect(error.line == 9, "\(error)")
            #expect(error.message.contains("password_file or password_env"))
        }
    }

    /// The file used to win silently; a site that set both could not tell which was used.
    @Test func passwordFileAndPasswordEnvTogetherAreRefused() throws {
        let file = try ConfigFile(replacing: "  password_file: secret.pw\n",
                                  with: "  password_file: secret.pw\n  password_env: IDSYNC_PW\n")
        expectError(file, line: 12, containing: "password_env' is given as well as password_file")
    }

    @Test func aConnectorSecretFromTwoSourcesIsRefused() throws {
        let file = try ConfigFile(replacing: "  path: idsync.lock\n", with: """
              path: idsync.lock
            mfa:
              connectors:
                - name: okta
                  type: okta
                  url: https://example.okta.com
                  token_file: okta.token
                  token_env: OKTA_TOKEN

            """)
        expectError(file, line: 28, containing: "token_env' is given as well as token_file")
    }

    /// A list key given with nothing after it read as "none": `credentials:` turned the wipe
    /// off, `redact:` showed every value. Each is refused at its line now.
    @Test(arguments: [("disable:\n  credentials:\n", "'disable.credentials'"),
                      ("protected:\n  values:\n", "'protected.values'"),
                      ("protected:\n  groups:\n", "'protected.groups'"),
                      ("report:\n  redact:\n", "'report.redact'"),
                      ("approval:\n  require_for:\n", "'approval.require_for'"),
                      ("monitoring:\n  status_file:\n", "'monitoring.status_file'")])
    func anEmptyListKeyIsRefusedAtItsLine(_ block: String, _ key: String) throws {
        let file = try ConfigFile(replacing: "  path: idsync.lock\n",
                                  with: "  path: idsync.lock\n" + block)
        expectError(file, line: 23, containing: "\(key) is given with nothing under it")
    }

    /// `[]` is taken as written where it means none; for credentials it read as the defaults.
    @Test func anExplicitEmptyListIsTakenAsNoneButNotForCredentials() throws {
        let none = try ConfigFile(replacing: "  path: idsync.lock\n", with: """
              path: idsync.lock
            report:
              redact: []
            approval:
              require_for: []

            """)
        let config = try ConfigLoader.load(path: none.path)
        #expect(config.report.redact.isEmpty)
        #expect(config.approval.requireFor.isEmpty)

        let wipe = try ConfigFile(replacing: "  path: idsync.lock\n",
                                  with: "  path: idsync.lock\ndisable:\n  credentials: []\n")
        expectError(wipe, line: 23, containing: "write [defaults] to wipe the usual credentials")
    }

    /// The policies were read and then ignored when no connector was configured.
    @Test(arguments: ["privileged_grants: hold", "lapsed_enrollment: lock",
                      "noncompliant_members: {remove_from: 2027-03-01}"])
    func anMFAPolicyWithoutAConnectorIsRefused(_ policy: String) throws {
        let block = "mfa:\n  \(policy)\n  connectors: []\n"
        let file = try ConfigFile(replacing: "  path: idsync.lock\n",
                                  with: "  path: idsync.lock\n" + block)
        expectError(file, line: 23, containing: "names no connector to apply it with; add the "
                        + "MFA service under 'mfa.connectors'")
    }

    /// Read as absent, an empty block meant no removal policy at all, silently.
    @Test func anEmptyNoncompliantMembersIsRefusedAtItsLine() throws {
        let file = try ConfigFile(replacing: "  path: idsync.lock\n", with: """
              path: idsync.lock
            mfa:
              noncompliant_members:
              privileged_grants: hold

            """)
        expectError(file, line: 23, containing: "'mfa.noncompliant_members' is given with "
                        + "nothing under it; write its settings indented below it, or delete "
                        + "the line")
    }

    @Test func anEmptyBlockOfAnyMappingKeyIsRefusedAtItsLine() throws {
        let emptyGuards = try ConfigFile(replacing: "  path: idsync.lock\n", with: """
              path: idsync.lock
            guards:
              max_leavers:

            """)
        expectError(emptyGuards, line: 23, containing: "'guards.max_leavers' is given with nothing")
        let emptyMFA = try ConfigFile(replacing: "  path: idsync.lock\n",
                                      with: "  path: idsync.lock\nmfa:\n")
        expectError(emptyMFA, line: 22, containing: "'mfa' is given with nothing under it")
    }

    /// An empty `match:` would have granted the rule's groups to every person.
    @Test func anEmptyMatchInARoleRuleIsRefused() throws {
        let folder = (try ConfigFile().path as NSString).deletingLastPathComponent
        let roles = folder + "/roles.yaml"
        try "rules:\n  - name: icu\n    match:\n    groups: [icu]\n"
            .write(toFile: roles, atomically: false, encoding: .utf8)

        #expect(throws: YAMLError.self) { _ = try ConfigLoader.loadRoles(roles) }
        do {
            _ = try ConfigLoader.loadRoles(roles)
        } catch {
            #expect("\(error)".hasPrefix("\(roles):3:"), "\(error)")
            #expect("\(error)".contains("'rules[0].match' is given with nothing under it"))
        }
    }

    /// Without {login} no suffix frees the second John Smith's address: planning hung. Other
    /// fields made addresses the directory refuses (José) or that a suffix did not reach.
    @Test(arguments: [
        ("  mail: \"{first}.{last}@example.org\"", "mail must be made from {login} alone"),
        ("  mail: \"{first}.{login}@example.org\"", "mail must be made from {login} alone"),
        ("  rfc822Mailbox: \"{first}.{last}@example.org\"", "write 'rfc822Mailbox' as 'mail'"),
        ("  \"0.9.2342.19200300.100.1.3\": \"{last}@example.org\"", "as 'mail'"),
        ("  \"mail;lang-en\": \"{first}@example.org\"", "name the attribute 'mail' without it"),
    ])
    func aMailTemplateThatCouldCollideIsRefusedAtItsLine(line: String, message: String) throws {
        let folder = (try ConfigFile().path as NSString).deletingLastPathComponent
        let mapping = folder + "/accounts.yaml"
        try "attributes:\n  cn: \"{first} {last}\"\n\(line)\n"
            .write(toFile: mapping, atomically: false, encoding: .utf8)

        do {
            _ = try ConfigLoader.loadMapping(mapping)
            Issue.record("\(line) was taken")
        } catch {
            #expect("\(error)".hasPrefix("\(mapping):3:"), "\(error)")
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func aMailTemplateMadeFromTheLoginIsTaken() throws {
        let folder = (try ConfigFile().path as NSString).deletingLastPathComponent
        let mapping = folder + "/accounts.yaml"
        try "attributes:\n  Mail: \"{login}@example.org\"\n"
            .write(toFile: mapping, atomically: false, encoding: .utf8)
        #expect(try ConfigLoader.loadMapping(mapping).attributes.map(\.name) == ["Mail"])
    }

    /// site, audit and lock took any key beside theirs: a misspelt `timezone` or an
    /// `audit: {path:, mode:}` passed as if it meant something.
    @Test(arguments: [
        ("  time_zone: America/New_York\n", "  time_zone: America/New_York\n  timezone: UTC\n", 3),
        ("  path: audit.jsonl\n", "  path: audit.jsonl\n  mode: 600\n", 20),
        ("  path: idsync.lock\n", "  path: idsync.lock\n  wait: 5m\n", 22),
    ])
    func anUnknownKeyInSiteAuditOrLockIsRefusedAtItsLine(old: String, new: String,
                                                        line: Int) throws {
        let file = try ConfigFile(replacing: old, with: new)
        expectError(file, line: line, containing: "unknown key")
    }

    /// A container outside people took the accounts out of the managed subtree (a new
    /// account every night after) or, where the ACL refused the moves, left the managers'
    /// links pointing at the DNs the moves would have given.
    @Test(arguments: [
        ("ou=contractors,dc=example,dc=org", false),
        ("ou=people,dc=example,dc=com", false),
        ("dc=example,dc=org", false),
        ("ou=people,dc=example,dc=org", true),
        ("ou=contractors,ou=people,dc=example,dc=org", true),
    ])
    func aPlacementContainerOutsidePeopleIsRefusedAtItsLine(container: String,
                                                             taken: Bool) throws {
        let file = try ConfigFile(replacing: "mapping: \(Fixtures.path("mappings"))/accounts.yaml",
                                  with: "mapping: accounts.yaml")
        let mapping = (file.path as NSString).deletingLastPathComponent + "/accounts.yaml"
        try """
            attributes:
              cn: "{first} {last}"
            placement:
              - name: contractors
                match: {worker_type: [Contractor]}
                container: \(container)

            """.write(toFile: mapping, atomically: false, encoding: .utf8)

        do {
            let config = try ConfigLoader.load(path: file.path)
            #expect(taken, "\(container) was taken")
            #expect(config.mapping.placement.first?.container.description == container)
        } catch {
            #expect(!taken, "\(error)")
            #expect("\(error)".hasPrefix("\(mapping):6:"), "\(error)")
            #expect("\(error)".contains("'placement[0].container' is \(container), which lies "
                + "outside directory.people (ou=people,dc=example,dc=org)"), "\(error)")
        }
    }

    /// With max_length 2 the namesakes' logins were bare numbers (2 … 105), longer than
    /// the limit: the number left no room for the name.
    @Test func aLoginMaxLengthBelowSixIsRefusedAtItsLine() throws {
        let folder = (try ConfigFile().path as NSString).deletingLastPathComponent
        let mapping = folder + "/accounts.yaml"
        let file = { (length: Int) in
            "login:\n  template: \"{first.1}{last}\"\n  max_length: \(length)\n"
                + "attributes:\n  cn: \"{first} {last}\"\n"
        }
        try file(5).write(toFile: mapping, atomically: false, encoding: .utf8)

        do {
            _ = try ConfigLoader.loadMapping(mapping)
            Issue.record("login.max_length 5 was taken")
        } catch {
            #expect("\(error)".hasPrefix("\(mapping):3:"), "\(error)")
            #expect("\(error)".contains("'login.max_length' must be 6 or more, found 5"),
                    "\(error)")
        }

        try file(6).write(toFile: mapping, atomically: false, encoding: .utf8)
        #expect(try ConfigLoader.loadMapping(mapping).loginMaxLength == 6)
    }

    @Test func anExplicitEmptyMappingIsTakenAsWritten() throws {
        let file = try ConfigFile(replacing: "  path: idsync.lock\n",
                                  with: "  path: idsync.lock\nguards: {}\n")
        #expect(try ConfigLoader.load(path: file.path).guards.leavers.count > 0)
    }

    @Test func passwordFromTheEnvironmentIsEnough() throws {
        let file = try ConfigFile(replacing: "  password_file: secret.pw\n", with: "  password_env: IDSYNC_PW\n")
        #expect(try ConfigLoader.load(path: file.path).directory.passwordEnvironment == "IDSYNC_PW")
    }
}

@Suite struct ExecConnectorConfigTests {
    /// An exec connector block after the lock section; its `pass_env` line is line 27.
    func file(passEnv: String) throws -> ConfigFile {
        try ConfigFile(replacing: "  path: idsync.lock\n", with: """
              path: idsync.lock
            mfa:
              connectors:
                - name: site
                  type: exec
                  program: /bin/true
                  pass_env: \(passEnv)

            """)
    }

    @Test func passEnvNamesAreKeptAsTheyAreGiven() throws {
        let config = try ConfigLoader.load(path: try file(passEnv: "[SITE_MFA_TOKEN, _X1]").path)
        #expect(config.mfa.connectors.first?.value("pass_env") == "SITE_MFA_TOKEN _X1")
    }

    /// The bind password's variable (here the directory's `password_env`) and another
    /// connector's `*_env` hold idsync's own secrets: an exec program gets neither.
    @Test func aVariableHoldingOneOfIdsyncsSecretsIsRefused() throws {
        let secrets = """
                - name: okta
                  type: okta
                  url: https://example.okta.com
                  token_env: OKTA_TOKEN

            """
        for (name, extra) in [("IDSYNC_BIND_PW", ""), ("OKTA_TOKEN", secrets)] {
            let config = try file(passEnv: "[SITE_TOKEN, \(name)]")
            var text = try String(contentsOfFile: config.path, encoding: .utf8)
            text = text.replacingOccurrences(of: "  password_file: secret.pw\n",
                                             with: "  password_env: IDSYNC_BIND_PW\n") + extra
            try text.write(toFile: config.path, atomically: true, encoding: .utf8)
            do {
                _ = try ConfigLoader.load(path: config.path)
                Issue.record("\(name) passed")
            } catch let error as YAMLError {
                #expect("\(error)".hasPrefix("\(config.path):27:"), "\(error)")
                let expected = "names \(name), which holds a secret of idsync's own"
                #expect(error.message.contains(expected), "\(error)")
            }
        }
    }

    @Test func aNameThatIsNotAVariableIsRefusedAtItsLine() throws {
        for bad in ["[SITE_TOKEN, $HOME]", "[\"A B\"]", "[1ABC]"] {
            let config = try file(passEnv: bad)
            do {
                _ = try ConfigLoader.load(path: config.path)
                Issue.record("\(bad) loaded")
            } catch let error as YAMLError {
                #expect("\(error)".hasPrefix("\(config.path):27:"), "\(error)")
                #expect(error.message.contains("must be an environment variable name"), "\(error)")
            }
        }
    }
}
