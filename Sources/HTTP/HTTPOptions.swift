import Foundation

/// How a client talks to one API. TLS verification has no switch: a site with a private CA
/// names its bundle in `caFile`.
public struct HTTPOptions: Sendable {
    /// A CA bundle used instead of the system's, for servers with a private CA.
    public var caFile: String?

    public var connectTimeout: Double = 10
    public var requestTimeout: Double = 30

    /// Attempts per request, the first one included; 1 means no retries.
    public var maxAttempts: Int = 4

    /// The longest wait between attempts. A server asking for a longer Retry-After is not
    /// retried at all: waiting less than it asked would only earn another 429.
    public var maxRetryDelay: Double = 60

    /// First backoff when the server gives no Retry-After; doubled on each attempt.
    public var initialBackoff: Double = 0.5

    /// Injected by tests so that retries cost no wall time.
    public var sleep: @Sendable (Double) -> Void = { seconds in
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }

    public init(caFile: String? = nil, connectTimeout: Double = 10, requestTimeout: Double = 30,
                maxAttempts: Int = 4, maxRetryDelay: Double = 60) {
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxAttempts = max(1, maxAttempts)
        self.maxRetryDelay = maxRetryDelay
    }
}
