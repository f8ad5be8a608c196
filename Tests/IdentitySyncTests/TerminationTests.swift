import Foundation
import Testing

@testable import IdentitySync

/// The fake directory answers lookups from what it holds, as the OpenLDAP one does.
extension FakeDirectory: AccountLookup {
    func findAccounts(_ key: AccountKey) throws -> [FoundAccount] {
        accounts.values.filter { account in
            switch key {
            case .employeeID(let id): return account.employeeID == id
            case .login(let login): return account.login == login
            }
        }.map(found)
    }

    func reread(_ dn: DistinguishedName) throws -> FoundAccount? {
        accounts[dn].map(found)
    }

    private func found(_ account: ObservedAccount) -> FoundAccount {
        let listing = groups.filter { $0.value.contains(account.dn) }.map(\.key).sorted {
            $0.normalized < $1.normalized
        }
        return FoundAccount(
            account: account, groups: listing,
            isManagedSubtree: account.dn.isDescendant(of: Fixtures.people),
            name: account.attributes["cn"]?.first, title: nil, manager: nil)
    }
}

@Suite struct TerminationTests {
    let nurse = Fixtures.person("000101", "Ana", "Garcia", jobCode: "RN01", department: "Nursing")
    var anaDN: DistinguishedName { Fixtures.personDN("agarcia") }

    func request(emergency: Bool = false, ticket: String? = "INC-1") -> TerminationRequest {
        TerminationRequest(
            key: .employeeID("000101"), reason: "walked out", ticket: ticket,
            emergencyProtected: emergency, instant: Fixtures.runInstant, run: "r-1")
    }

    /// Ana synced and in her groups (each with the placeholder too), in a fake directory.
    func directory(_ adjust: (inout ObservedAccount) -> Void = { _ in }) -> FakeDirectory {
        var (account, groups) = Fixtures.synced(nurse, login: "agarcia")
        adjust(&account)
        var members = Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })
        for group in groups { members[group, default: []].append(account.dn) }
        members["research"] = [account.dn]
        return FakeDirectory(Fixtures.directory([account], groups: members))
    }

    func steps(
        _ fake: FakeDirectory, config: Config = Fixtures.config(), emergency: Bool = false
    ) throws
        -> TerminationSteps
    {
        try TerminationSteps(
            config: config, request: request(emergency: emergency),
            found: fake.findOne(.employeeID("000101")))
    }

    // MARK: Steps

    @Test func stepsAreTheLeaversDisableWithTheFactAndEveryManagedGroup() throws {
        let steps = try steps(directory())

        let disable = try #require(steps.disable)
        #expect(disable.kind == .disable)
        let state = try #require(disable.state.flatMap(AccountState.init(stored:)))
        #expect(state.disabledBy == .leaver)
        #expect(state.terminatedOn == Fixtures.date("2024-03-15"))
        #expect(state.terminationRef == "INC-1")
        #expect(state.revocationPending)
        #expect(disable.reason.rule == "on-demand-termination")
        #expect(
            Set(steps.groupRemovals.compactMap(\.target))
                == Set(
                    ["all-staff", "nursing", "ehr-users"]
                        .map { Fixtures.groupDN($0).string }), "research is not managed")
    }

    @Test func aLockedAccountOnlyGetsTheFactAndADoneOneNothing() throws {
        let locked = directory {
            $0.lock = .administrative
            $0.state = Fixtures.disabledState(.leaver)
        }
        let first = try steps(locked)
        #expect(first.disable?.kind == .setAttributes)
        #expect(first.disable?.state?.contains("terminated=2024-03-15") == true)

        let done = directory { account in
            account.lock = .administrative
            var state = Fixtures.disabledState(.leaver)
            state.terminatedOn = Fixtures.date("2024-03-10")
            account.state = state
        }
        let again = try steps(done)
        #expect(again.disable == nil)
    }

    @Test func theReferenceIsTheTicketMadeSafeOrTheAuditRun() {
        #expect(request(ticket: "INC 42;x=y").reference == "INC_42_x_y")
        #expect(request(ticket: nil).reference == "run:r-1")
        #expect(request(ticket: String(repeating: "A", count: 100)).reference.count == 64)
    }

    @Test func aProtectedAccountIsRefusedWithoutTheEmergencyFlagAndOnlyLockedWithIt() throws {
        let config = Fixtures.config { $0.protected.groups = [Fixtures.groupDN("nursing")] }
        #expect(throws: TerminationRefusal.self) { try steps(directory(), config: config) }

        let emergency = try steps(directory(), config: config, emergency: true)
        #expect(emergency.isEmergencyLock)
        #expect(emergency.disable?.reason.rule == "emergency-lock")
        #expect(emergency.groupRemovals.isEmpty)
    }

    @Test func anAccountOutsideThePeopleSubtreeIsRefused() throws {
        let service = Fixtures.account(
            "svc", id: "000101", in: Fixtures.dn("ou=services,dc=example,dc=org"))
        let fake = FakeDirectory(Fixtures.directory([service]))
        #expect(throws: TerminationRefusal.self) { try steps(fake) }
    }

    @Test(arguments: ["", "\u{0}", "a\u{1}b", "x\ny", "\u{85}"])
    func keysNoAccountCanHaveAreRefusedBeforeAsking(key: String) {
        #expect(throws: LookupRefusal.self) { try directory().findOne(.login(key)) }
    }

    // MARK: Running

    @Test func aFailingGroupRemovalStopsNothingAndARerunDoesOnlyWhatIsLeft() throws {
        let fake = directory()
        let audit = try AuditFile()
        let nursing = Fixtures.groupDN("nursing").string
        fake.fail = { operation in
            if case .groupMembers(let group, _, _) = operation, group == nursing {
                return DirectoryFailure(code: 50, message: "insufficient access")
            }
            return nil
        }
        let run = TerminationRun(config: Fixtures.config(), connector: fake, request: request())

        let first = try run.run(steps(fake), independent: [], audit: audit.open())

        #expect(first.filter { $0.result.isFailure }.map(\.target) == [nursing])
        #expect(fake.account("agarcia")?.lock == .administrative)
        #expect(!fake.members(of: "all-staff").contains(anaDN))
        fake.fail = { _ in nil }
        let second = try run.run(steps(fake), independent: [], audit: audit.open())
        #expect(second.map(\.step) == ["disable", "remove-from-group"])
        #expect(second[0].result == .alreadyDone)
        #expect(second[1].target == nursing && second[1].result == .done)
        #expect(!fake.members(of: "nursing").contains(anaDN))
    }

    @Test func theLastMemberLeavesWithThePlaceholderPutIn() throws {
        let fake = directory()
        fake.groups[Fixtures.groupDN("nursing")] = [anaDN]
        let run = TerminationRun(config: Fixtures.config(), connector: fake, request: request())

        let outcomes = try run.run(steps(fake), independent: [], audit: try AuditFile().open())

        #expect(outcomes.allSatisfy { !$0.result.isFailure })
        #expect(fake.members(of: "nursing") == [Fixtures.placeholder])
    }

    @Test func independentStepsRunAndTheirFailuresAreReported() throws {
        let fake = directory()
        let mfa = IndependentStep(name: "stand-in") { audit in
            audit.append {
                $0.action = "revoke-authenticators"
                $0.result = "error"
            }
            return [
                StepOutcome(
                    step: "revoke-authenticators", target: "stand-in", result: .failed("down"),
                    seconds: 0)
            ]
        }
        let file = try AuditFile()
        let outcomes = try TerminationRun(
            config: Fixtures.config(), connector: fake, request: request()
        )
        .run(steps(fake), independent: [mfa], audit: file.open())

        #expect(outcomes.last?.result == .failed("down"))
        #expect(
            fake.account("agarcia")?.lock == .administrative, "the directory steps happen anyway")
        #expect(try file.records().contains { $0.action == "revoke-authenticators" })
    }

    // MARK: Later nightly runs

    func terminated(_ adjust: (inout AccountState) -> Void = { _ in }) -> ObservedDirectory {
        let (account, _) = Fixtures.synced(nurse, login: "agarcia")
        var locked = account
        locked.lock = .administrative
        var state = Fixtures.disabledState(.leaver, on: "2024-03-10")
        state.terminatedOn = Fixtures.date("2024-03-10")
        state.terminationRef = "INC-1"
        state.revocationPending = true
        adjust(&state)
        locked.state = state
        var members = Dictionary(
            uniqueKeysWithValues: Fixtures.allGroups.map { ($0, [Fixtures.placeholder]) })
        members["nursing"] = [Fixtures.placeholder, account.dn]
        return Fixtures.directory([locked], groups: members)
    }

    @Test func hrStillActiveKeepsTheAccountDisabledAndReportsTheConflict() {
        let plan = Fixtures.plan([nurse], terminated())

        #expect(summaries(plan) == ["remove-from-group \(anaDN.string) -> cn=nursing,\(groupsDN)"])
        expectFinding(plan, .conflict, containing: "terminated on demand on 2024-03-10 (INC-1)")
        expectFinding(plan, .conflict, containing: "idsync reinstate --employee '000101'")
    }

    @Test func theReinstateHintQuotesAHostileEmployeeIDAsOneShellWord() {
        #expect(shellWord("0001*") == "'0001*'")
        #expect(shellWord("it's; rm") == "'it'\\''s; rm'")
    }

    @Test func hrRecordingTheTerminationTakesTheFactOff() throws {
        var leaver = nurse
        leaver.status = .terminated
        leaver.terminationDate = Fixtures.date("2024-03-12")

        let plan = Fixtures.plan([leaver], terminated())

        let write = try #require(plan.changes.first { $0.kind == .setAttributes })
        let state = try #require(write.state.flatMap(AccountState.init(stored:)))
        #expect(state.terminatedOn == nil && state.terminationRef == nil)
        #expect(state.disabledBy == .leaver)
        #expect(!plan.findings.contains { $0.kind == .conflict })
    }

    @Test func aHireAfterTheTerminationDateIsARehire() throws {
        var rehired = nurse
        rehired.hireDate = Fixtures.date("2024-03-12")

        let plan = Fixtures.plan([rehired], terminated())

        let enable = try #require(only(.enable, in: plan))
        #expect(enable.category == .rehire)
        #expect(enable.state?.contains("terminated") == false)
    }

    // MARK: The executor's re-read

    @Test func anEnableOrGrantForAPersonTerminatedSinceThePlanIsSkipped() throws {
        var rehired = nurse
        rehired.hireDate = Fixtures.date("2024-03-12")
        let before = terminated { $0.clearTermination() }
        let plan = Fixtures.plan([rehired], before)
        #expect(only(.enable, in: plan) != nil)
        let fake = FakeDirectory(before)
        let dn = Fixtures.personDN("agarcia")
        fake.accounts[dn]?.state?.terminatedOn = Fixtures.date("2024-03-15")
        let audit = try AuditFile()

        let executor = Executor(
            connector: fake, audit: try audit.open(), observed: before,
            placeholder: Fixtures.placeholder)
        try executor.apply(plan)

        let grants = executor.outcomes.filter {
            [.enable, .addToGroup, .flagMFAEnrollment].contains($0.change.kind)
        }
        #expect(!grants.isEmpty)
        #expect(
            grants.allSatisfy { $0.skipped?.contains("terminated on demand on 2024-03-15") == true }
        )
        #expect(fake.accounts[dn]?.lock == .administrative)
        #expect(fake.accounts[dn]?.state?.terminatedOn != nil)
        #expect(try audit.records().filter { $0.result == "skipped" }.count >= grants.count)
    }

    @Test func aPlanMadeAfterTheTerminationIsNotSkipped() throws {
        // Reinstate writes the state of an account whose plan already saw the fact.
        let observed = terminated()
        let fake = FakeDirectory(observed)
        let found = try fake.findOne(.employeeID("000101"))
        let reinstatement = try Reinstatement(
            config: Fixtures.config(), request: request(), found: found)
        let change = try #require(reinstatement.change)
        let executor = Executor(
            connector: fake, audit: try AuditFile().open(), observed: observed,
            placeholder: Fixtures.placeholder)
        try executor.apply(
            Plan.onDemand([change], instant: Fixtures.runInstant, config: Fixtures.config()))

        #expect(executor.outcomes.allSatisfy { $0.succeeded })
        #expect(fake.account("agarcia")?.state?.terminatedOn == nil)
        #expect(fake.account("agarcia")?.lock == .administrative, "the next sync re-enables it")
    }

    // MARK: Config

    @Test(arguments: [("0", 0.0), ("45", 45), ("90s", 90), ("5m", 300), ("1h", 3600)])
    func lockWaitDurations(text: String, seconds: Double) {
        #expect(TerminateConfig.duration(text) == seconds)
    }

    @Test(arguments: ["", "m", "-5m", "2h", "5 m", "1.5m", "５m"])
    func lockWaitDurationsRefused(text: String) {
        #expect(TerminateConfig.duration(text) == nil)
    }
}
