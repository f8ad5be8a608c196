import Foundation

extension Planner {
    /// The credentials a departure takes away: those the entry holds, as the config spells
    /// them with the options the server sent (`userCertificate;binary`). Where idsync's lock
    /// stays and it already wiped the account, the password there is the unusable one idsync
    /// wrote, so only other credentials that came back are taken.
    func credentialWipe(_ account: ObservedAccount, old: AccountState, relocking: Bool) -> [String]
    {
        guard config.credentials.isEnabled, !account.credentials.isEmpty else { return [] }
        var wipe: [String] = []
        for name in config.credentials.attributes ?? [] {
            if name.lowercased() == "userpassword", old.credentialsWiped, !relocking { continue }
            for present in account.credentials where config.credentials.configured(present) == name
            {
                let options = present.split(separator: ";", maxSplits: 1).dropFirst().first.map {
                    ";" + $0
                }
                wipe.append(name + (options ?? ""))
            }
        }
        return wipe
    }

    /// A leaver whose account idsync locked earlier still holds credentials: they were added
    /// since, or the wipe was configured after the disable. Taken in one modify that keeps
    /// the lock.
    func planLeftoverCredentials(
        _ account: ObservedAccount, employeeID: String?, category: ChangeCategory,
        old: AccountState, evidence: [FieldEvidence], work: inout PlanningState
    ) {
        let wipe = credentialWipe(account, old: old, relocking: false)
        guard !wipe.isEmpty else { return }
        var state = old
        state.credentialsWiped = true
        let text = "disabled, but still holds credentials other systems accept: they are taken away"
        work.add(
            Change(
                kind: .setAttributes, category: category, employeeID: employeeID,
                login: account.login,
                dn: account.dn.string, attributes: stateClassEdit(account), state: state.stored,
                reason: Reason(rule: "lifecycle", text: text, fields: evidence), wipe: wipe))
    }
}

extension Change {
    /// What the wipe takes, for the report and the audit log: names, never values.
    public var wipeDescription: String? {
        guard let wipe, !wipe.isEmpty else { return nil }
        let items = wipe.map { name in
            name.split(separator: ";").first?.lowercased() == "userpassword"
                ? "\(name) (replaced with an unusable value)" : name
        }
        return "credentials removed: " + items.joined(separator: ", ")
    }
}
