import Foundation

extension PlanningState {
    /// Finds the people whose account probably exists unclaimed (a proposal of at least
    /// medium confidence): they are held instead of getting a second account, and those
    /// accounts are not disabled as orphans, until `idsync adopt` pairs them.
    mutating func holdProbableAccounts(people: [Person]) {
        let state = self
        probable = AdoptionMatcher(config: config).probableAccounts(
            people: people, directory: directory
        ) {
            state.protectedReason($0) != nil
        }
        for proposals in probable.values {
            for proposal in proposals {
                if let dn = try? DistinguishedName(parsing: proposal.accountDN) {
                    probableAccounts.insert(dn.normalized)
                }
            }
        }
    }

    /// True when the person is held for adoption; the finding says which account and why.
    mutating func holdsForAdoption(_ person: Person) -> Bool {
        guard let proposals = probable[person.key] else { return false }
        let accounts = proposals.map {
            "\($0.accountDN) (\($0.confidence.rawValue): \($0.evidenceText))"
        }
        let several =
            proposals.count > 1 ? "; ambiguous: \(proposals.count) candidate accounts" : ""
        finding(
            .probableAccount, person.employeeID, nil,
            "probable existing account: " + accounts.joined(separator: "; ") + several
                + "; no account is created until 'idsync adopt' pairs them "
                + "or a reviewer rejects the match"
        )
        return true
    }
}
