import Foundation
import YAML

/// The config and mapping files one load read, in the order it read them, and the hash
/// of their contents that every plan and audit record carries.
///
/// Every YAML file goes through `ConfigLoader.reader`, which hands its bytes here; a new
/// kind of file (exceptions, say) is hashed and permission-checked without further code.
final class ConfigFiles: @unchecked Sendable {
    @TaskLocal static var current: ConfigFiles?

    private(set) var paths: [String] = []
    private var hash = SHA256()

    /// Each file goes in as its length, a line break and its bytes, so that moving text
    /// from one file to the next changes the hash.
    func record(_ path: String, _ bytes: [UInt8]) {
        paths.append(path)
        hash.update(Array("\(bytes.count)\n".utf8))
        hash.update(bytes)
    }

    var digest: String { "sha256:" + hash.hexDigest() }
}

extension ConfigLoader {
    /// Loads the config and records what it read: `Config.hash` and `Config.files`.
    static func loadRecordingFiles(path: String, _ load: (String) throws -> Config) throws -> Config
    {
        let files = ConfigFiles()
        var config = try ConfigFiles.$current.withValue(files) { try load(path) }
        config.hash = files.digest
        config.files = files.paths
        return config
    }

    /// A YAML file's tree, read only when no other user can write the file.
    static func protectedDocument(_ path: String) throws -> YAMLNode {
        let bytes = try ProtectedFile.read(path, as: .config, role: "config, mapping or exceptions file idsync loads")
        ConfigFiles.current?.record(path, bytes)
        return try YAMLDocument.parse(bytes: bytes, file: path)
    }
}

extension Config {
    /// Checks the files the config names but does not load as YAML: the bind password must
    /// be private, CA files and exec programs not writable by others. Runs before anything else, so
    /// idsync refuses to start (exit 2) on them.
    public func checkReferencedFiles() throws {
        if let file = directory.passwordFile {
            _ = try ProtectedFile.read(file, as: .secret, role: "directory.password_file")
        }
        if let file = directory.caFile {
            try ProtectedFile.check(file, as: .config, role: "directory.ca_file")
        }
        if let file = feed.scim?.tokenFile {
            _ = try ProtectedFile.read(file, as: .secret, role: "feed.token_file")
        }
        if let file = feed.scim?.caFile {
            try ProtectedFile.check(file, as: .config, role: "feed.ca_file")
        }
        try checkConnectorFiles()
    }

    /// A connector's CA file decides whom its secrets go to, and an exec program runs with
    /// them: neither may be writable by group or other, like the directory's CA file.
    private func checkConnectorFiles() throws {
        for settings in mfa.connectors {
            let owner = "mfa connector '\(settings.name)' (\(settings.origin))"
            if let file = settings.value("ca_file") {
                try ProtectedFile.check(file, as: .config, role: "\(owner) ca_file")
            }
            if settings.type == "exec", let program = settings.value("program") {
                try ProtectedFile.check(program, as: .config, role: "\(owner) program")
            }
        }
    }
}

extension ConfigLoader {
    /// `export_stamp:` of a layout: `trailer:` or `first_line:` with `prefix`, `rows` and
    /// `exported` (the keys of the record's key=value fields), or `column:` naming a column.
    static func loadExportStamp(_ node: YAMLReader) throws -> ExportStamp {
        try node.rejectUnknownKeys(allowed: ConfigKeys.exportStamp)
        let places = try node.entries()
        guard places.count == 1, let (key, record) = places.first else {
            throw node.error("must have exactly one of trailer, first_line or column")
        }
        if key == "column" {
            var stamp = ExportStamp(place: .column(try record.string()))
            stamp.exportedKey = try record.string()
            return stamp
        }
        try record.rejectUnknownKeys(allowed: ConfigKeys.stampRecord)
        var stamp = ExportStamp(place: key == "trailer" ? .trailer : .firstLine)
        stamp.prefix = try record.string("prefix")
        stamp.rowsKey = try record.optional("rows")?.string()
        stamp.exportedKey = try record.optional("exported")?.string()
        guard stamp.rowsKey != nil || stamp.exportedKey != nil else {
            throw record.error(
                "needs rows or exported (or both): the names of the record's key=value fields")
        }
        return stamp
    }

    /// `26h`, `90m`, `2d`, `3600s` as seconds.
    static func duration(_ node: YAMLReader) throws -> TimeInterval {
        let text = try node.string().trimmingCharacters(in: .whitespaces)
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Double(text.dropLast()),
            count > 0
        else {
            throw node.error("must be a duration such as 26h, 90m or 2d, found '\(text)'")
        }
        return count * unit
    }
}

extension ConfigLoader {
    /// `monitoring: {status_file: …, metrics_file: …}`, paths relative to the config.
    static func loadMonitoring(_ node: YAMLReader?, folder: String) throws -> MonitoringConfig {
        guard let node else { return MonitoringConfig() }
        try node.rejectUnknownKeys(allowed: ConfigKeys.monitoring)
        return MonitoringConfig(
            statusFile: try node.optionalScalar("status_file").map {
                resolve(try $0.string(), in: folder)
            },
            metricsFile: try node.optionalScalar("metrics_file").map {
                resolve(try $0.string(), in: folder)
            })
    }
}
