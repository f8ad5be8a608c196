import Foundation

/// A one-character edit of an account's employeeNumber (200001 to 2000O1) makes its id vanish
/// from the feed, so the account is disabled, and makes its person a joiner, who would get a
/// second account, with nothing to link the two. Where a joiner's name is that of an account
/// disabled this run because its id vanished, the disable goes ahead (leavers never wait) and
/// the joiner's creation is held for a human, for this run only: by the next, the account is
/// disabled already and no longer holds anyone.
extension PlanningState {
    /// Indexes by name the accounts that vanish this run: those idsync claimed, enabled now,
    /// not protected, that no feed row speaks for. Most nights there are none.
    mutating func indexVanishing(_ unclaimed: [ObservedAccount]) {
        for account in unclaimed where account.isClaimed && account.employeeID != nil
            && account.lock == .none && protectedReason(account) == nil {
            for key in Set(NameKey.accountKeys(account).map(\.key)) {
                vanishingByName[key, default: []].append(account)
            }
        }
    }

    /// True when the joiner is named like an account that vanishes this run: then they get
    /// no login (`chooseLogins`) and the joiner's plan names both. Asked for joiners only.
    mutating func notesVanishedNamesake(_ person: Person) -> Bool {
        guard !vanishingByName.isEmpty else { return false }
        var seen = Set<DistinguishedName>()
        let namesakes = Set(NameKey.personKeys(person).map(\.key))
            .flatMap { vanishingByName[$0] ?? [] }
            .filter { seen.insert($0.dn).inserted }
        guard !namesakes.isEmpty else { return false }

        vanishedNamesakes[person.key] = namesakes.sorted { $0.dn.normalized < $1.dn.normalized }
        return true
    }

    /// True when the person is held as the namesake of a vanishing account; the finding names
    /// both and what to do.
    mutating func holdsForVanishedNamesake(_ person: Person) -> Bool {
        // Most nights nobody vanishes: no key of the run's joiners is hashed then.
        guard !vanishedNamesakes.isEmpty, let accounts = vanishedNamesakes[person.key] else {
            return false
        }
        let named = accounts.map { "\($0.dn.string) (employee id \($0.employeeID ?? ""))" }
        finding(.vanishedNamesake, person.employeeID, accounts[0].dn.string,
                "\(person.source): no account carries this employee id, and "
                    + named.joined(separator: "; ")
                    + " has the person's name and is disabled this run because its employee "
                    + "id is gone from the feed: an employeeNumber edited by hand would look "
                    + "just so. No account is created for the person this run. If it is the "
                    + "person's account, correct its employeeNumber to \(person.employeeID) "
                    + "(idsync then manages it again); if not, the next run creates the account")
        return true
    }
}
