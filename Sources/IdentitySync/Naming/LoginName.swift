/// How login names are built from a person's names.
///
/// The template mixes literal text with tokens in braces:
///
/// - `{first}`, `{last}`, `{preferred}`: the name, folded to ASCII and lower-cased, with
///   apostrophes, spaces, hyphens and other punctuation removed (`O'Brien` → `obrien`,
///   `van der Berg` → `vanderberg`). `{preferred}` falls back to the first name when the person
///   has no preferred name, or one with nothing left after folding.
/// - `{first.N}`, `{last.N}`, `{preferred.N}`: the first N characters of that value.
/// - `{last:keep-hyphen}` (any name token, also with `.N`, as in `{last.8:keep-hyphen}`):
///   keeps hyphens inside the name (`Smith-Jones` → `smith-jones`), provided `-` is among
///   `separatorsAllowed`.
/// - `{id}`: the employee id, lower-cased, letters and digits only.
///
/// Literal text is kept only where it is a letter, a digit or an allowed separator. A token the
/// generator does not know expands to nothing; `validate()` finds such tokens when the
/// configuration loads.
public struct LoginNamePolicy: Sendable {
    public var template: String
    public var maxLength: Int
    public var separatorsAllowed: Set<Character>

    /// Put before the employee id when a template leaves nothing, as for a name written only in
    /// Han characters; a login name that starts with a letter suits POSIX tools.
    public var fallbackPrefix: String

    public init(
        template: String,
        maxLength: Int = 20,
        separatorsAllowed: Set<Character> = [".", "-", "_"],
        fallbackPrefix: String = "u"
    ) {
        self.template = template
        self.maxLength = maxLength
        self.separatorsAllowed = separatorsAllowed
        self.fallbackPrefix = fallbackPrefix
    }

    /// Checks the template and the length.
    ///
    /// - Throws: `LoginNamePolicyError` naming the template and the first token it cannot
    ///   read, an unclosed brace, or a `maxLength` below 2 (no room for a collision suffix).
    public func validate() throws {
        guard maxLength >= 2 else {
            throw LoginNamePolicyError(template: template, problem: "maxLength must be 2 or more")
        }

        for segment in try TemplateSegment.parse(template) {
            if case .unknown(let token) = segment {
                throw LoginNamePolicyError(template: template, problem: "unknown token {\(token)}")
            }
        }
    }
}

/// A login name template or length that cannot be used, with the template text.
public struct LoginNamePolicyError: Error, Hashable, CustomStringConvertible {
    public let template: String
    public let problem: String

    public var description: String {
        "login name template \"\(template)\": \(problem); tokens are {first}, {last}, "
            + "{preferred}, {id}, optionally {first.N} and {last:keep-hyphen}"
    }
}

/// Builds login names from a `LoginNamePolicy`. The generator never looks at the directory:
/// `unique(candidate:isTaken:)` asks the caller which names are taken.
public struct LoginNameGenerator: Sendable {
    public let policy: LoginNamePolicy
    private let segments: [TemplateSegment]

    /// Reads the template once. A malformed template gives candidates from its readable part
    /// or, failing that, the id form; call `policy.validate()` to reject it instead.
    public init(policy: LoginNamePolicy) {
        self.policy = policy
        self.segments = (try? TemplateSegment.parse(policy.template)) ?? []
    }

    /// The login name the template gives for these names, before any collision check.
    ///
    /// Promises a non-empty result of at most `maxLength` characters, made of `a`–`z`, `0`–`9`
    /// and allowed separators, with no separator at either end and none repeated. When the
    /// template leaves nothing, the result is `fallbackPrefix` followed by the employee id.
    public func candidate(
        firstName: String, lastName: String, preferredName: String?, employeeID: String
    ) -> String {
        let names = Names(first: firstName, last: lastName, preferred: preferredName,
                          employeeID: employeeID)
        let filled = segments.map { expand($0, names: names) }.joined()

        let tidy = tidied(filled)
        guard tidy.isEmpty else {
            return tidy
        }

        return tidied(policy.fallbackPrefix.lowercased() + Self.alphanumerics(employeeID))
    }

    /// The first of `candidate`, `candidate2`, `candidate3`… that `isTaken` refuses, each cut
    /// so that base and suffix together fit in `maxLength`.
    ///
    /// `isTaken` must answer for every name the caller knows to be in use (the directory's and
    /// those already handed out in this run); since that set is finite, the search ends.
    public func unique(candidate: String, isTaken: (String) -> Bool) -> String {
        unique(candidate: candidate, from: 1, isTaken: isTaken).login
    }

    /// `unique`, starting the search at suffix `start` (1: the candidate as it is) and
    /// saying which number it settled on. A caller whose taken names only ever grow can
    /// start where the last search for the same candidate ended: the 200th John Smith of a
    /// first load would otherwise try jsmith, jsmith2, … jsmith199 again.
    public func unique(candidate: String, from start: Int,
                       isTaken: (String) -> Bool) -> (login: String, number: Int) {
        if start <= 1 {
            let first = cut(candidate, to: policy.maxLength)
            guard isTaken(first) else {
                return (first, 1)
            }
        }

        var number = max(start, 2)
        while isTaken(suffixed(candidate, number)) {
            number += 1
        }
        return (suffixed(candidate, number), number)
    }

    // MARK: - Filling the template

    private struct Names {
        let first: String
        let last: String
        let preferred: String?
        let employeeID: String
    }

    private func expand(_ segment: TemplateSegment, names: Names) -> String {
        switch segment {
        case .literal(let text):
            return text.lowercased()
        case .id:
            return Self.alphanumerics(names.employeeID)
        case .unknown:
            return ""
        case .name(let field, let length, let keepHyphen):
            let value = cleaned(pick(field, from: names), keepHyphen: keepHyphen)
            return length.map { String(value.prefix($0)) } ?? value
        }
    }

    private func pick(_ field: TemplateSegment.Field, from names: Names) -> String {
        switch field {
        case .first:
            return names.first
        case .last:
            return names.last
        case .preferred:
            guard let preferred = names.preferred, !cleaned(preferred, keepHyphen: false).isEmpty
            else {
                return names.first
            }
            return preferred
        }
    }

    /// A name folded and lower-cased, with only letters and digits (and hyphens if kept), so a
    /// name's own punctuation never passes for a template separator.
    private func cleaned(_ name: String, keepHyphen: Bool) -> String {
        let keepsHyphen = keepHyphen && policy.separatorsAllowed.contains("-")
        let folded = Transliteration.ascii(name).lowercased()
        return String(folded.filter { Self.isAlphanumeric($0) || (keepsHyphen && $0 == "-") })
    }

    // MARK: - Tidying

    /// Keeps allowed characters, collapses separator runs to their first separator, trims
    /// separators at the ends and cuts to `maxLength`.
    private func tidied(_ text: String) -> String {
        var result = ""
        for character in text.lowercased() where isAllowed(character) {
            let isSeparator = policy.separatorsAllowed.contains(character)
            if isSeparator, result.isEmpty || policy.separatorsAllowed.contains(result.last!) {
                continue
            }
            result.append(character)
        }
        return cut(result, to: policy.maxLength)
    }

    /// The first `length` characters of `text`, without separators left at the end.
    private func cut(_ text: String, to length: Int) -> String {
        var result = String(text.prefix(max(length, 0)))
        while let last = result.last, policy.separatorsAllowed.contains(last) {
            result.removeLast()
        }
        return result
    }

    /// The candidate cut to leave room for the number, keeping at least its first character:
    /// a login of digits alone reads as a number everywhere downstream, so the rare name that
    /// needs more numbers than `maxLength` leaves room for gets a longer login instead.
    private func suffixed(_ candidate: String, _ number: Int) -> String {
        let suffix = String(number)
        return cut(candidate, to: max(policy.maxLength - suffix.count, 1)) + suffix
    }

    private func isAllowed(_ character: Character) -> Bool {
        Self.isAlphanumeric(character) || policy.separatorsAllowed.contains(character)
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        ("a"..."z").contains(character) || ("0"..."9").contains(character)
    }

    private static func alphanumerics(_ text: String) -> String {
        String(Transliteration.ascii(text).lowercased().filter(isAlphanumeric))
    }
}

/// One piece of a login name template: literal text or a token.
enum TemplateSegment: Sendable, Equatable {
    enum Field: String, Sendable {
        case first, last, preferred
    }

    case literal(String)
    case name(Field, length: Int?, keepHyphen: Bool)
    case id
    case unknown(String)

    /// Splits a template into segments.
    ///
    /// - Throws: `LoginNamePolicyError` for a `{` that is never closed.
    static func parse(_ template: String) throws -> [TemplateSegment] {
        var segments: [TemplateSegment] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            segments.append(.literal(String(rest[..<open])))
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw LoginNamePolicyError(template: template, problem: "unclosed {")
            }
            segments.append(token(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        segments.append(.literal(String(rest)))
        return segments
    }

    /// Reads `field[.N][:keep-hyphen]` or `id`.
    private static func token(_ text: String) -> TemplateSegment {
        guard text != "id" else {
            return .id
        }

        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let keepHyphen = parts.count == 2 && parts[1] == "keep-hyphen"
        guard parts.count == 1 || keepHyphen else {
            return .unknown(text)
        }

        let nameAndLength = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard let field = Field(rawValue: String(nameAndLength[0])), nameAndLength.count <= 2 else {
            return .unknown(text)
        }
        guard nameAndLength.count == 2 else {
            return .name(field, length: nil, keepHyphen: keepHyphen)
        }
        guard let length = Int(nameAndLength[1]), length > 0 else {
            return .unknown(text)
        }
        return .name(field, length: length, keepHyphen: keepHyphen)
    }
}
