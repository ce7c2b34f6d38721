import Foundation
import LightningClient
import LightningCore
import LightningWire
import Testing

/// The services on separate simulated machines (network namespaces on one bridge): PostgreSQL and
/// lightning-store on machine 1, lightning-algorithm on 2, a runner each on 3 and 4, reaching each other
/// only over the network. A job runs across them; then machine 4's cable is pulled while it is in the
/// middle of a rollout, and the job still finishes, that rollout retried by the other runner.
@Suite struct MachinesTests {
    static let steps = 6
    /// Attempts silent for 6 s are given up on (two strikes fail a rollout). That is longer than the
    /// runner's 5 s dequeue wait: a dequeue that the cut runner left waiting in the store would otherwise
    /// be handed the requeued rollout, and that claim can never reach it. Seen with 3 s in a fresh-clone
    /// run: the cut rollout's second attempt went to another worker of the cut runner, and the rollout
    /// failed.
    static let settings =
        #"{"tasks_per_step":4,"group_size":8,"learning_rate":0.02,"validation_tasks":0,"step_timeout_seconds":180,"unresponsive_seconds":6}"#

    @Test("a job runs across four machines and finishes after one runner is cut off mid-rollout")
    func jobAcrossMachines() async throws {
        let network = SimulatedNetwork(machines: 4)
        await network.down()
        try await network.up()
        let postgres = PrivatePostgres(namespace: network.namespace(1))
        var processes: [ServiceProcess] = []
        var store: StoreProcess?
        let checkpoints = temporaryDirectory("machines")
        do {
            try await postgres.start()
            store = try StoreProcess(
                databaseURL: postgres.url, name: network.name, tcpPort: 5555, host: network.address(1), namespace: network.namespace(1))
            let endpoint = store!.requestEndpoint
            let context = try ZMQContext()
            let client = try StoreClient(
                configuration: StoreClientConfiguration(endpoints: [endpoint], requestTimeout: .seconds(5), retry: RetryPolicy(budget: .seconds(60))),
                context: context)
            defer { client.close() }
            _ = try await client.ping()

            let runners = try [3, 4].map { machine in
                try ServiceProcess(
                    "lightning-runner", storeEndpoint: endpoint, arguments: ["--agent", "digits", "--workers", "4", "--heartbeat-interval", "0.5"],
                    namespace: network.namespace(machine))
            }
            processes += runners
            let jobID = Identifier.make("job")
            let modelURL = "http://\(network.address(2)):8000"
            let algorithm = try ServiceProcess(
                "lightning-algorithm", storeEndpoint: endpoint,
                arguments: [
                    "train", "--task", "digits", "--steps", "\(Self.steps)", "--job-id", jobID, "--name", "machines-trainer",
                    "--config", Self.settings, "--checkpoint-dir", checkpoints.path, "--host", network.address(2), "--port", "8000",
                    "--public-url", modelURL, "--threads", "1",
                ],
                namespace: network.namespace(2))
            processes.append(algorithm)

            try await eventually(timeout: .seconds(180), "the first step done") {
                ((try? await client.getJob(jobID: jobID, withMetrics: false))?.job.currentStep ?? 0) >= 1
            }
            let workersBefore = try await succeededWorkers(client, jobID: jobID)
            for runner in runners {
                #expect(workersBefore.contains { $0.contains("-\(runner.pid)-") }, "runner \(runner.pid) ran rollouts: \(workersBefore)")
            }

            let cut = try await cutMidRollout(network, machine: 4, runner: runners[1], client: client)
            try await eventually(timeout: .seconds(300), "the job ends") {
                ((try? await client.getJob(jobID: jobID, withMetrics: false))?.job.status.isTerminal) ?? false
            }
            let detail = try await client.getJob(jobID: jobID, withMetrics: true)
            #expect(detail.job.status == .succeeded && detail.job.currentStep == Self.steps, "\(detail.job.error ?? "")\n\(algorithm.log.suffix(3000))")
            #expect(detail.metrics.map(\.step).sorted() == Array(0...Self.steps))
            // The cut-off runner's attempt was given up on and the rollout finished on the other runner.
            let rollout = try await client.getRollout(rolloutID: cut.rolloutID)
            #expect(rollout.rollout.status == .succeeded)
            #expect(rollout.attempts.first { $0.attemptID == cut.attemptID }?.status == .unresponsive, "\(rollout.attempts)")
            #expect(rollout.attempts.last?.workerID?.contains("-\(runners[0].pid)-") == true, "\(rollout.attempts)")
            let train = try await client.queryRollouts(RolloutQuery(statuses: [.succeeded], jobID: jobID, mode: .train, limit: 1))
            #expect(train.total == Self.steps * 4 * 8, "every step's rollouts succeeded once")
        } catch {
            Issue.record("logs:\n\(processes.map { $0.log.suffix(2000) }.joined(separator: "\n---\n"))\nstore:\n\(store?.log.suffix(2000) ?? "")")
            await tearDown(processes, store, postgres, network, checkpoints)
            throw error
        }
        await tearDown(processes, store, postgres, network, checkpoints)
    }

    /// Pulls `machine`'s cable at a moment the store sees one of its runner's workers holding an attempt,
    /// and returns that attempt. One `list_workers` call finds it: rollouts here last 0.05–0.2 s, and a
    /// search through the running rollouts took long enough that the attempt had mostly ended by the
    /// cut. If the attempt still ended (its finish was on the way), the cable goes back and it tries again.
    private func cutMidRollout(_ network: SimulatedNetwork, machine: Int, runner: ServiceProcess, client: StoreClient) async throws -> Attempt {
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while ContinuousClock.now < deadline {
            let busy = try await client.listWorkers().first { $0.workerID.contains("-\(runner.pid)-") && $0.currentAttemptID != nil }
            if let busy, let attemptID = busy.currentAttemptID, let rolloutID = busy.currentRolloutID {
                try await network.cut(machine)
                // What the runner sent before the cut (a finish, say) is handled by now.
                try await Task.sleep(for: .seconds(1))
                let now = try await client.getRollout(rolloutID: rolloutID).attempts.first { $0.attemptID == attemptID }
                if let now, now.status == .running || now.status == .preparing { return now }
                try await network.mend(machine)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw LightningError(.timeout, "runner \(runner.pid) never held an attempt that outlived the cut")
    }

    /// The workers of the job's succeeded attempts so far.
    private func succeededWorkers(_ client: StoreClient, jobID: String) async throws -> Set<String> {
        let succeeded = try await client.queryRollouts(RolloutQuery(statuses: [.succeeded], jobID: jobID, limit: 1000))
        var workers = Set<String>()
        for rollout in succeeded.rollouts {
            for attempt in try await client.getRollout(rolloutID: rollout.rolloutID).attempts { attempt.workerID.map { workers.insert($0) } }
        }
        return workers
    }

    private func tearDown(_ processes: [ServiceProcess], _ store: StoreProcess?, _ postgres: PrivatePostgres, _ network: SimulatedNetwork, _ checkpoints: URL) async {
        for process in processes { process.kill() }
        await store?.kill()
        await postgres.destroy()
        await network.down()
        try? FileManager.default.removeItem(at: checkpoints)
    }
}
