import ArgumentParser
import LightningWire

/// `lightning-ctl keygen`: a CurveZMQ key pair for a store or a client.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: "Print a new CurveZMQ key pair (Z85).")

    @Flag(help: "Print as LIGHTNING_… environment assignments.") var env = false

    func run() throws {
        let keys = try CurveKeyPair.generate()
        if env {
            print("LIGHTNING_CURVE_PUBLIC_KEY=\(keys.publicKey)")
            print("LIGHTNING_CURVE_SECRET_KEY=\(keys.secretKey)")
        } else {
            print("public: \(keys.publicKey)")
            print("secret: \(keys.secretKey)")
        }
    }
}
