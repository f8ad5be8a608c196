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
    static func loadRecordingFiles(path: String, _ load: (String) throws -> Config) throws -> Config {
        let files = ConfigFiles()
        var config = try ConfigFiles.$current.withValue(files) { try load(path) }
        config.hash = files.digest
        config.files = files.paths
        return config
    }

    /// A YAML file's tree, read only when no other user can write the file.
    static func protectedDocument(_ path: String) throws -> YAMLNode {
        let bytes = try ProtectedFile.read(path, as: .config, role: "a config file idsync loads")
        ConfigFiles.current?.record(path, bytes)
        return try YAMLDocument.parse(bytes: bytes, file: path)
    }
}

extension Config {
    /// Checks the files the config names but does not load as YAML: the bind password must
    /// be private and the CA file not writable by others. Runs before anything else, so
    /// idsync refuses to start (exit 2) on them.
    public func checkReferencedFiles() throws {
        if let file = directory.passwordFile {
            _ = try ProtectedFile.read(file, as: .secret, role: "directory.password_file")
        }
        if let file = directory.caFile {
            try ProtectedFile.check(file, as: .config, role: "directory.ca_file")
        }
    }
}
