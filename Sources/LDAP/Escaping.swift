/// Search filter strings (RFC 4515).
public enum LDAPFilter {
    /// Escapes a value for use inside a filter: `*` `(` `)` `\` and NUL become `\2a` `\28`
    /// `\29` `\5c` `\00`. Everything else, UTF-8 included, is kept as it is.
    public static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": escaped += "\\2a"
            case "(": escaped += "\\28"
            case ")": escaped += "\\29"
            case "\\": escaped += "\\5c"
            case "\0": escaped += "\\00"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// An equality filter `(attribute=value)` with `value` escaped. `attribute` is trusted:
    /// it comes from configuration, never from feed data.
    public static func equality(_ attribute: String, _ value: String) -> String {
        "(\(attribute)=\(escape(value)))"
    }
}
