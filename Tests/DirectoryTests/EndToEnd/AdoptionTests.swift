import Foundation
import IdentitySync
import LDAP
import Testing

/// A directory built by hand before idsync: nobody carries an employee id. Grace's mail is
/// HR's; Ana's name is typed without the accent; John has a near-duplicate second account;
/// one Mary Lee account for two Mary Lees in HR; an old workstation account nobody owns.
let handmadeDirectory = """
    dn: uid=ghopper,\(people)
    objectClass: inetOrgPerson
    uid: ghopper
    cn: Grace Hopper
    givenName: Grace
    sn: Hopper
    mail: grace.hopper@example.org
    departmentNumber: Medicine

    dn: uid=agarcia,\(people)
    objectClass: inetOrgPerson
    uid: agarcia
    cn: Ana Garcia
    givenName: Ana
    sn: Garcia
    departmentNumber: Nursing
    manager: uid=ghopper,\(people)

    dn: uid=jsmith,\(people)
    objectClass: inetOrgPerson
    uid: jsmith
    cn: John Smith
    sn: Smith
    departmentNumber: Admissions

    dn: uid=john.smith,\(people)
    objectClass: inetOrgPerson
    uid: john.smith
    cn: JOHN SMITH
    sn: Smith

    dn: uid=mlee,\(people)
    objectClass: inetOrgPerson
    uid: mlee
    cn: Mary Lee
    sn: Lee
    departmentNumber: Nursing

    dn: uid=oldlab,\(people)
    objectClass: inetOrgPerson
    uid: oldlab
    cn: Old Lab Workstation
    sn: Lab
    """

/// The HR side: the five people above (two of them Mary Lee) and a joiner with no account.
let adoptionFeed: [(HRRow, String)] = [
    (chief, "Grace.Hopper@example.org"),
    (nurse, ""),
    (clerk, ""),
    (
        HRRow(
            id: "000130", first: "Mary", last: "Lee", title: "Registered Nurse", jobCode: "RN01",
            department: "Nursing"), ""
    ),
    (
        HRRow(
            id: "000131", first: "Mary", last: "Lee", title: "Pharmacist", jobCode: "PH01",
            department: "Pharmacy"), ""
    ),
    (HRRow(id: "000140", first: "Pat", last: "Khan", department: "Admissions"), ""),
]

extension SyncFixture {
    /// The feed with the layout's optional Work Email column at the end.
    func writeFeed(withMail rows: [(HRRow, String)]) throws {
        let lines = [HRRow.header + ",Work Email"] + rows.map { $0.0.csvLine + "," + $0.1 }
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: feedPath, atomically: true, encoding: .utf8)
    }
}

@Suite struct AdoptionTests {
    /// The review file's rows as `login id confidence ambiguous? approved`, read with the
    /// project's own CSV reader.
    func reviewRows(_ path: String) throws -> [String] {
        let table = try CSVReader.read(path: path)
        let column = { (name: String) in try #require(table.column(named: name)) }
        let (login, id, confidence, ambiguous, approved) = (
            try column("login"), try column("employee_id"),
            try column("confidence"), try column("ambiguous"),
            try column("approved")
        )
        return table.rows.map { row in
            let flag = row.fields[ambiguous].isEmpty ? "-" : "ambiguous"
            let pair = "\(row.fields[login]) \(row.fields[id])"
            return "\(pair) \(row.fields[confidence]) \(flag) \(row.fields[approved])"
        }
    }

    /// The CSV with `approved` set to yes on the rows of these login/employee id pairs.
    func approve(_ text: String, _ pairs: [(String, String)]) -> String {
        text.components(separatedBy: "\r\n").map { line in
            let chosen = pairs.contains { line.contains(",\($0.0),\($0.1),") }
            return chosen && line.hasSuffix(",no") ? String(line.dropLast(2)) + "yes" : line
        }.joined(separator: "\r\n")
    }

    func count(_ slapd: TestSlapd, _ filter: String) throws -> Int {
        try slapd.count(filter, on: slapd.adminConnection())
    }

    @Test func handmadeDirectoryIsAdoptedAndSyncCreatesNoDuplicates() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        try slapd.loadLDIF(handmadeDirectory)
        try site.writeFeed(withMail: adoptionFeed)

        // 1. Before adoption the plan holds everyone whose account probably exists.
        let plan = try site.run("plan")
        expectStatus(plan, 0)
        for (id, login) in [
            ("000110", "ghopper"), ("000101", "agarcia"), ("000104", "jsmith"), ("000130", "mlee"),
        ] {
            #expect(
                plan.stdout.contains(
                    "probable-existing-account: [\(id)] probable existing account: "
                        + "uid=\(login),\(people)"), "\(id) not held:\n\(plan.stdout)")
        }
        #expect(
            plan.stdout.contains(
                "uid=agarcia,\(people) (medium: givenName+sn 'Ana Garcia' = "
                    + "first_name+last_name 'Ana García'; departmentNumber 'Nursing' = department "
                    + "'Nursing'; manager 'uid=ghopper,\(people)'"))
        let created = plan.stdout.split(separator: "\n").filter { $0.contains("create-account") }
        #expect(created.map { $0.split(separator: " ")[1] } == ["000131", "000140"], "\(created)")
        #expect(!plan.stdout.contains("jsmith2") && !plan.stdout.contains("agarcia2"))

        // 2. The review file: the right pairs, the ambiguous ones flagged, only Grace
        // approved ahead.
        let out = site.dir + "/review"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let proposed = try site.run("adopt", ["--out-dir", out])
        expectStatus(proposed, 0)
        let csv = out + "/adoption-review.csv"
        #expect(
            try reviewRows(csv) == [
                "agarcia 000101 medium - no",
                "ghopper 000110 high - yes",
                "john.smith 000104 low ambiguous no",
                "jsmith 000104 medium ambiguous no",
                "mlee 000130 medium ambiguous no",
                "mlee 000131 low ambiguous no",
            ])
        for file in [csv, out + "/adoption-review.json"] {
            let mode =
                try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) has mode \(String(mode ?? 0, radix: 8))")
        }
        #expect(proposed.stdout.contains("6 proposals (1 high, 3 medium, 2 low); 4 ambiguous"))

        // 3. A row whose employee id lost its zeros in a spreadsheet stops the whole file.
        let reviewed = approve(
            TestSlapd.contents(csv),
            [
                ("agarcia", "000101"), ("jsmith", "000104"),
                ("mlee", "000130"),
            ])
        let broken = out + "/broken.csv"
        try reviewed.replacingOccurrences(of: ",agarcia,000101,", with: ",agarcia,101,")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let refused = try site.run("adopt", ["--apply", broken, "--approved-by", "M. Rivera"])
        expectStatus(refused, 3)
        #expect(
            refused.stderr.contains("\(broken):2: employee id '101' is not in the feed"),
            "\(refused.stderr)")
        #expect(try count(slapd, "(employeeNumber=*)") == 0, "nothing may be written")

        // 4. The reviewed file applies: four accounts get their employee id and idsync's state.
        let approvedFile = out + "/approved.csv"
        try reviewed.write(toFile: approvedFile, atomically: true, encoding: .utf8)
        let applied = try site.run(
            "adopt",
            [
                "--apply", approvedFile, "--approved-by", "M. Rivera",
                "--reason", "CHG-4711",
            ])
        expectStatus(applied, 0)
        for (id, login) in [
            ("000110", "ghopper"), ("000101", "agarcia"), ("000104", "jsmith"), ("000130", "mlee"),
        ] {
            let entry = try slapd.person(uid: login)
            #expect(entry.values("employeeNumber") == [id])
            #expect(entry.values("idsyncState") == ["idsync:v1"])
            #expect(entry.values("objectClass").contains("idsyncAccount"))
        }
        #expect(try slapd.person(uid: "john.smith").values("employeeNumber").isEmpty)
        let adoptions = try site.changeRecords().filter { $0["action"] as? String == "adopt" }
        #expect(adoptions.count == 4)
        #expect(
            adoptions.allSatisfy {
                $0["approvedBy"] as? String == "M. Rivera" && $0["result"] as? String == "ok"
            })
        #expect(
            adoptions.allSatisfy {
                ($0["actor"] as? [String: Any])?["reason"] as? String == "CHG-4711"
            })

        // 5. The sync after it creates no duplicates and manages the adopted accounts.
        let synced = try site.run("sync")
        expectStatus(synced, 0)
        for id in ["000110", "000101", "000104", "000130", "000131", "000140"] {
            #expect(try count(slapd, "(employeeNumber=\(id))") == 1, "employee id \(id)")
        }
        #expect(try count(slapd, "(|(uid=ghopper2)(uid=agarcia2)(uid=jsmith2))") == 0)
        #expect(try slapd.person(employeeID: "000131").values("uid") == ["mlee2"])
        let ana = try LDAPDN.normalize(personDN("agarcia"))
        for group in ["all-staff", "nursing", "ehr-users"] {
            #expect(try slapd.members(of: group)?.contains(ana) == true, "agarcia not in \(group)")
        }
        #expect(
            try slapd.members(of: "physicians")?.contains(try LDAPDN.normalize(personDN("ghopper")))
                == true)
        let after = try site.run("plan")
        #expect(!after.stdout.contains("probable-existing-account"), "\(after.stdout)")
        #expect(plannedChanges(after.stdout) == 0, "\(after.stdout)")
    }

    @Test func applyNeedsAnApproverAndAdoptHasHelp() throws {
        let slapd = try TestSlapd()
        let site = try SyncFixture(slapd: slapd)
        let missing = try site.run("adopt", ["--apply", site.dir + "/none.csv"])
        expectStatus(missing, 2)
        #expect(missing.stderr.contains("--apply needs --approved-by NAME"))
        let help = try TestSlapd.run(
            executable: SyncFixture.binary, arguments: ["adopt", "--help"])
        expectStatus(help, 0)
        #expect(help.stdout.contains("usage: idsync adopt [--config FILE] [--out-dir DIR]"))
    }
}
