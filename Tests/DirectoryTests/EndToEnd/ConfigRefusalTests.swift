import Foundation
import Testing

extension SyncFixture {
    /// Puts `yaml` (an `mfa:` section) after the rest of idsync.yaml, in place of any before.
    func setMFA(_ yaml: String) throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        let base = text.components(separatedBy: "mfa:\n").first ?? text
        try (base + yaml).write(toFile: configPath, atomically: true, encoding: .utf8)
    }
}

/// What a fresh user's trial found idsync accepting: each is refused (exit 2) before anything
/// is contacted, by `validate` as by `plan`, with the file or setting and the fix.
@Suite struct ConfigRefusalTests {
    /// A private secret file with a made-up password in it.
    static func secretFile(_ dir: String, mode: Int = 0o600) -> String {
        let path = dir + "/pi-admin.pw"
        FileManager.default.createFile(atPath: path, contents: Data("not-used\n".utf8),
                                       attributes: [.posixPermissions: mode])
        return path
    }

    /// A privacyIDEA block on a port nothing listens on: nothing may be contacted.
    static func privacyIDEA(_ lines: String) -> String {
        """
        mfa:
          connectors:
            - name: pi
              type: privacyidea
              realm: staff
        \(lines)

        """
    }

    /// `--config=FILE` works as `--config FILE` does (a fresh user typed it).
    @Test func anOptionTakesItsValueAfterAnEqualsSign() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)

        let joined = try TestSlapd.run(executable: SyncFixture.binary,
                                       arguments: ["validate", "--config=\(site.configPath)"])
        let apart = try TestSlapd.run(executable: SyncFixture.binary,
                                      arguments: ["validate", "--config", site.configPath])

        expectStatus(joined, 0)
        #expect(joined.stdout == apart.stdout)
    }

    @Test func validateRefusesWhatPlanRefusesInTheMFASection() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let secret = Self.secretFile(slapd.dir)
        let open = slapd.dir + "/open.pw"
        FileManager.default.createFile(atPath: open, contents: Data("not-used\n".utf8),
                                       attributes: [.posixPermissions: 0o644])
        let graph = """
            mfa:
              connectors:
                - name: entra
                  type: graph
                  url: http://127.0.0.1:1/v1.0
                  token_url: http://127.0.0.1:1/token
                  client_id: idsync-app
                  client_secret_file: \(secret)
                  find_by: mail
                  bulk_reconciliation: true

            """
        let cases: [(String, String)] = [
            (Self.privacyIDEA("      url: http://127.0.0.1:1"), "needs password_file or password_env"),
            (Self.privacyIDEA("      url: http://127.0.0.1:1\n      password_file: \(open)"),
             "chmod 600 \(open)"),
            (Self.privacyIDEA("      url: http://127.0.0.1:1\n      password_file: \(slapd.dir)/none.pw"),
             "\(slapd.dir)/none.pw: cannot read the file"),
            (Self.privacyIDEA("      url: http://127.0.0.1.idsync.invalid:1\n      password_file: \(secret)"),
             "is plain http to 127.0.0.1.idsync.invalid"),
            (Self.privacyIDEA("      url: ftp://127.0.0.1/\n      password_file: \(secret)"),
             "is not an http:// or https:// URL"),
            (Self.privacyIDEA("      url: javascript:alert(1)\n      password_file: \(secret)"),
             "is not an http:// or https:// URL"),
            (graph, "bulk_reconciliation needs find_by login or employee-id"),
        ]
        for (yaml, expected) in cases {
            try site.setMFA(yaml)

            let validate = try site.run("validate")
            let plan = try site.run("plan")

            expectStatus(validate, 2)
            #expect(validate.stderr.contains(expected), "\(validate.stderr)")
            #expect(validate.stderr == plan.stderr, "plan said \(plan.stderr)")
            #expect(!validate.stderr.contains("not-used"))
        }
    }

    @Test func validateBuildsAGoodConnectorWithoutContactingIt() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let secret = Self.secretFile(slapd.dir)
        try site.setMFA(Self.privacyIDEA("      url: http://127.0.0.1:1\n      password_file: \(secret)"))

        let validate = try site.run("validate")

        expectStatus(validate, 0)
        #expect(validate.stdout.contains("mfa connectors pi: ok"), "\(validate.stdout)")
    }

    /// A CA file decides whom the connector's secret goes to; an exec program runs with its
    /// secrets. Others may not be able to change either.
    @Test func aConnectorCAFileOrExecProgramOthersCanWriteIsRefused() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let secret = Self.secretFile(slapd.dir)
        let caFile = slapd.dir + "/pi-ca.pem"
        FileManager.default.createFile(atPath: caFile, contents: Data("-----\n".utf8),
                                       attributes: [.posixPermissions: 0o664])
        let program = slapd.dir + "/site-mfa"
        FileManager.default.createFile(atPath: program, contents: Data("#!/bin/sh\n".utf8),
                                       attributes: [.posixPermissions: 0o757])
        let exec = """
            mfa:
              connectors:
                - name: site
                  type: exec
                  program: \(program)

            """
        let cases = [
            (Self.privacyIDEA("      url: https://127.0.0.1:1\n      password_file: \(secret)\n"
                              + "      ca_file: \(caFile)"), caFile, "664"),
            (exec, program, "757"),
        ]
        for (yaml, file, mode) in cases {
            try site.setMFA(yaml)

            let validate = try site.run("validate")

            expectStatus(validate, 2)
            #expect(validate.stderr.contains("\(file) has mode \(mode)"), "\(validate.stderr)")
            #expect(validate.stderr.contains("chmod go-w \(file)"), "\(validate.stderr)")
        }
        #expect(chmod(program, 0o755) == 0)
        expectStatus(try site.run("validate"), 0)
    }

    /// The CSV export decides who is disabled: anyone who can write it could end anyone's access.
    @Test func aFeedOthersCanWriteStopsSyncBeforeAnyWrite() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        #expect(chmod(site.feedPath, 0o666) == 0)
        let before = try slapd.dump()

        let sync = try site.run("sync")

        expectStatus(sync, 2)
        #expect(sync.stderr.contains("\(site.feedPath) has mode 666"), "\(sync.stderr)")
        #expect(sync.stderr.contains("chmod go-w \(site.feedPath)"), "\(sync.stderr)")
        #expect(try slapd.dump() == before)
    }

    /// Whoever can write the export's folder can put another export in its place, whatever
    /// the export's own mode.
    @Test func aFeedInAFolderOthersCanWriteStopsSyncBeforeAnyWrite() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try site.writeFeed(tenClerks)
        let dropbox = site.dir + "/dropbox"
        try FileManager.default.createDirectory(atPath: dropbox, withIntermediateDirectories: false)
        #expect(chmod(dropbox, 0o775) == 0)
        let feed = dropbox + "/feed.csv"
        try FileManager.default.moveItem(atPath: site.feedPath, toPath: feed)
        let config = try String(contentsOfFile: site.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "path: \(site.feedPath)", with: "path: \(feed)")
            .write(toFile: site.configPath, atomically: true, encoding: .utf8)
        let before = try slapd.dump()

        let sync = try site.run("sync")

        expectStatus(sync, 2)
        #expect(sync.stderr.contains("\(feed) lies in the folder \(dropbox), which has mode 775"),
                "\(sync.stderr)")
        #expect(sync.stderr.contains("chmod go-w \(dropbox)"), "\(sync.stderr)")
        #expect(try slapd.dump() == before)
        #expect(chmod(dropbox, 0o755) == 0)
        expectStatus(try site.run("validate"), 0)
    }

    /// stderr goes to the cron wrapper's log: a value typed after `=` never appears in it.
    @Test func anUnknownOptionIsNamedWithoutItsValue() throws {
        try SyncFixture.requireBinary(sourceLocation: #_sourceLocation)

        let output = try TestSlapd.run(executable: SyncFixture.binary,
                                       arguments: ["plan", "--bind-password=Hunter2-secret"])

        expectStatus(output, 2)
        #expect(output.stderr.contains("unknown option '--bind-password'"), "\(output.stderr)")
        #expect(!output.stderr.contains("Hunter2"), "\(output.stderr)")
    }

    /// `-pHunter2` and a bare word were echoed whole; only the option's name or the
    /// argument's position is shown now.
    @Test(arguments: [(["plan", "-pHunter2-secret"], "unknown option '-p'"),
                      (["plan", "--config", "x.yaml", "Hunter2-secret"],
                       "an extra argument was given at position 4")])
    func anUnknownArgumentIsNeverEchoed(_ arguments: [String], _ message: String) throws {
        try SyncFixture.requireBinary(sourceLocation: #_sourceLocation)

        let output = try TestSlapd.run(executable: SyncFixture.binary, arguments: arguments)

        expectStatus(output, 2)
        #expect(output.stderr.contains(message), "\(output.stderr)")
        #expect(!output.stderr.contains("Hunter2"), "\(output.stderr)")
    }
}
