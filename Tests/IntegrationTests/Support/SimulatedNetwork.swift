import Foundation
import LightningCore

/// Machines simulated by network namespaces on one bridge (scripts/netns.sh, needs root as CI is):
/// machine i is namespace `namespace(i)` at `address(i)`; this process reaches them all.
struct SimulatedNetwork: Sendable {
    let name: String
    let subnet: Int
    let machines: Int

    init(machines: Int) {
        name = "lt" + String(Identifier.make("").filter(\.isHexDigit).suffix(6))
        subnet = Int.random(in: 1...250)
        self.machines = machines
    }

    func namespace(_ machine: Int) -> String { "\(name)-\(machine)" }
    func address(_ machine: Int) -> String { "10.231.\(subnet).\(machine)" }

    func up() async throws { try await script("up", "\(subnet)", "\(machines)") }
    func down() async { try? await script("down", "\(machines)") }
    /// Unplugs machine `machine`'s cable: its packets go nowhere, its processes live on.
    func cut(_ machine: Int) async throws { try await script("cut", "\(machine)") }
    func mend(_ machine: Int) async throws { try await script("mend", "\(machine)") }

    private func script(_ command: String, _ arguments: String...) async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/netns.sh").path
        let log = NSTemporaryDirectory() + "lt-netns-\(name).log"
        let status = try await Command.run(path, [command, name] + arguments, environment: ProcessInfo.processInfo.environment, outputPath: log)
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw LightningError(.unavailable, "scripts/netns.sh \(command) failed with status \(status): \(output)")
        }
    }
}
