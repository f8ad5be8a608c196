/// Which host names stay on this machine, for the rule that plain http:// and ldap:// carry
/// credentials only there. One answer for the HTTP and LDAP checks, read from the name
/// alone: a name is never resolved, since DNS can point anything at 127.0.0.1.
public enum LoopbackHost {
    /// `localhost`, `::1` (bracketed or not) or a dotted-quad IPv4 literal in 127.0.0.0/8.
    /// `127.0.0.1.nip.io` and `127.0.0.1.evil.example` are names of other hosts.
    public static func matches(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "[::1]" { return true }
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy(isOctet)
    }

    /// One to three decimal digits worth at most 255; no sign, no hex.
    private static func isOctet(_ part: Substring) -> Bool {
        guard (1...3).contains(part.count), part.allSatisfy({ $0 >= "0" && $0 <= "9" }) else {
            return false
        }
        return Int(part).map { $0 <= 255 } ?? false
    }
}
