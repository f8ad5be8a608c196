import Connectors
import Foundation
import IdentitySync

/// The feed the config names: the CSV export the core reads itself, or a SCIM service read
/// through the connectors (it needs HTTP).
enum Feeds {
    static func feed(_ config: Config) -> HRFeed {
        guard let scim = config.feed.scim else {
            return CSVFeed(path: config.feed.path, layout: config.feed.layout)
        }
        return SCIMFeed(
            feed: config.feed, scim: scim, environment: ProcessInfo.processInfo.environment)
    }
}
