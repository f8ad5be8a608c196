import Foundation

/// An attribute path as a layout names it (RFC 7644 §3.10): `title`, `name.givenName`, or a
/// schema URN and an attribute, `urn:…:enterprise:2.0:User:manager.value`.
///
/// Attribute names are case-insensitive (RFC 7643 §2.1). A multi-valued attribute yields its
/// primary value, else its first.
struct SCIMAttributePath: Sendable {
    static let coreUserSchema = "urn:ietf:params:scim:schemas:core:2.0:user"

    let text: String
    /// The extension's URN that holds the attribute, as written; nil for the core schema.
    let container: String?
    let names: [String]

    init(_ text: String) {
        self.text = text
        var attribute = Substring(text)
        var container: String?
        if text.lowercased().hasPrefix("urn:"), let colon = text.lastIndex(of: ":") {
            let urn = String(text[..<colon])
            container = urn.lowercased() == SCIMAttributePath.coreUserSchema ? nil : urn
            attribute = text[text.index(after: colon)...]
        }
        self.container = container
        self.names = attribute.split(separator: ".").map(String.init)
    }

    /// The value as text: "" when absent; a problem when it is an object, not a value.
    func value(in resource: [String: Any]) -> Result<String, SCIMValueProblem> {
        var current: Any? = resource
        if let container { current = Self.member(container, of: resource) }
        for name in names {
            guard let object = Self.single(current) as? [String: Any] else { return .success("") }
            current = Self.member(name, of: object)
        }
        return Self.text(Self.single(current), path: text)
    }

    /// The member called `name`: the exact key first, then any case.
    static func member(_ name: String, of object: [String: Any]) -> Any? {
        if let value = object[name] { return value }
        return object.first { sameIgnoringCase($0.key, name) }?.value
    }

    /// Attribute names are ASCII (RFC 7643 §2.1's ATTRNAME; URNs too), so they compare byte by
    /// byte with the case bit ignored: most lookups of an absent attribute end here, 100,000
    /// times per run, and lower-casing each key would allocate every time.
    static func sameIgnoringCase(_ left: String, _ right: String) -> Bool {
        guard left.utf8.count == right.utf8.count else { return false }
        return zip(left.utf8, right.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
        }
    }

    /// One value of a multi-valued attribute: the one marked primary, else the first.
    static func single(_ value: Any?) -> Any? {
        guard let list = value as? [Any] else { return value }
        let primary = list.first { item in
            ((item as? [String: Any]).flatMap { member("primary", of: $0) } as? NSNumber)?.boolValue
                == true
        }
        return primary ?? list.first
    }

    static func text(_ value: Any?, path: String) -> Result<String, SCIMValueProblem> {
        switch value {
        case nil, is NSNull: return .success("")
        case let text as String: return .success(text)
        case let number as NSNumber:
            // JSONSerialization gives true and false as NSNumbers of C type char.
            guard String(cString: number.objCType) == "c" else {
                return .success(number.stringValue)
            }
            return .success(number.boolValue ? "true" : "false")
        default:
            return .failure(
                SCIMValueProblem(
                    text: "attribute '\(path)' is an object, not a value; name one "
                        + "of its sub-attributes in the layout"))
        }
    }
}

struct SCIMValueProblem: Error {
    let text: String
}
