import ArgumentParser
import Foundation
import LightningWire

/// `lightning-ctl keygen`: a CurveZMQ key pair for a store or a client, or with `--write DIR` a whole
/// deployment's keys as files (the compose file's `keys` service), which the services read through
/// `LIGHTNING_CURVE_…_FILE`.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: "Print a new CurveZMQ key pair (Z85), or write a deployment's keys.")

    @Flag(help: "Print as LIGHTNING_… environment assignments.") var env = false

    @Option(help: "Write store.secret, store.public, allowed (the clients' public keys) and CLIENT.secret for each client into this directory; keeps keys that exist there.")
    var write: String?

    @Option(help: "The clients to make keys for with --write, comma-separated.")
    var clients = "runner,algorithm,ctl"

    func run() throws {
        if let directory = write { return try writeDeployment(into: URL(fileURLWithPath: directory)) }
        let keys = try CurveKeyPair.generate()
        if env {
            print("LIGHTNING_CURVE_PUBLIC_KEY=\(keys.publicKey)")
            print("LIGHTNING_CURVE_SECRET_KEY=\(keys.secretKey)")
        } else {
            print("public: \(keys.publicKey)")
            print("secret: \(keys.secretKey)")
        }
    }

    private func writeDeployment(into directory: URL) throws {
        let names = clients.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty, !names.contains("store") else { throw ValidationError("--clients needs at least one name other than store") }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try keyPair(named: "store", in: directory)
        try Self.save(store.publicKey, to: directory.appendingPathComponent("store.public"), mode: 0o644)
        let publics = try names.map { try keyPair(named: $0, in: directory).publicKey }
        try Self.save(publics.joined(separator: ","), to: directory.appendingPathComponent("allowed"), mode: 0o644)
        print("CurveZMQ keys in \(directory.path): store, \(names.joined(separator: ", "))")
    }

    /// The pair in NAME.secret, made when the file does not exist yet (a restart keeps the deployment's keys).
    private func keyPair(named name: String, in directory: URL) throws -> CurveKeyPair {
        let file = directory.appendingPathComponent("\(name).secret")
        // An existing key that cannot be read is an error, never a reason to replace it.
        if FileManager.default.fileExists(atPath: file.path) {
            let secret = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            return try CurveKeyPair(publicKey: CurveKeyPair.publicKey(forSecret: secret), secretKey: secret)
        }
        let keys = try CurveKeyPair.generate()
        try Self.save(keys.secretKey, to: file, mode: 0o600)
        return keys
    }

    private static func save(_ text: String, to file: URL, mode: Int) throws {
        try Data((text + "\n").utf8).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
    }
}
