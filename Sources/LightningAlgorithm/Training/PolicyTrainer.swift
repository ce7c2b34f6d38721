import LightningModel

/// Updates a model (the GPT or a Llama-family model, any `TrainableModel`) from transitions with advantages: the LightningRL policy update.
///
/// Each `train` call runs `epochs` passes; a pass shuffles the rollouts into mini-batches of
/// `miniBatchRollouts`, and per mini-batch runs forward at each row's sampling temperature, the
/// loss and its gradients, backward (accumulated over micro-batches), gradient clipping and one
/// AdamW step. Synchronous and not thread-safe, like the model: run it on a dedicated thread.
public final class PolicyTrainer {
    public let model: any TrainableModel
    /// A frozen model for the KL penalty (never updated here).
    public let reference: (any TrainableModel)?
    public var configuration: PolicyTrainerConfiguration
    let packer: BatchPacker
    private var rng: SeededGenerator

    public init(
        model: any TrainableModel, reference: (any TrainableModel)? = nil, configuration: PolicyTrainerConfiguration = .init()
    ) throws(ModelError) {
        try configuration.validate()
        if let reference, reference.context != model.context || reference.vocabularySize != model.vocabularySize {
            throw ModelError(.configMismatch, "the reference model's context and vocabulary must match the trained model's")
        }
        self.model = model
        self.reference = reference
        self.configuration = configuration
        packer = BatchPacker(context: model.context, vocabularySize: model.vocabularySize)
        rng = SeededGenerator(seed: configuration.seed)
    }

    /// Trains on `transitions`; returns the step statistics. Transitions that cannot be trained are
    /// counted in `skippedTransitions`, never fatal.
    public func train(_ transitions: [Transition]) throws(ModelError) -> TrainingStatistics {
        try configuration.validate()
        var statistics = TrainingStatistics()
        let rows = transitions.filter { $0.isConsistent && $0.trainedTokenCount > 0 && packer.problem($0) == nil }
        statistics.transitions = rows.count
        statistics.skippedTransitions = transitions.count - rows.count
        guard !rows.isEmpty else { return statistics }
        let prepared = try prepare(rows)
        var order: [String] = []
        var members: [String: [Int]] = [:]
        for (index, row) in rows.enumerated() {
            if members[row.rolloutID] == nil { order.append(row.rolloutID) }
            members[row.rolloutID, default: []].append(index)
        }
        for _ in 0..<configuration.epochs {
            order.shuffle(using: &rng)
            for start in stride(from: 0, to: order.count, by: configuration.miniBatchRollouts) {
                let rollouts = order[start..<min(start + configuration.miniBatchRollouts, order.count)]
                let (step, norm) = try optimizerStep(rollouts.flatMap { members[$0] ?? [] }, prepared)
                statistics.add(step: step, gradNorm: norm)
            }
        }
        return statistics
    }

    /// The trained rows and what stays fixed over the epochs: old and reference logprobs.
    private struct Prepared {
        let rows: [Transition]
        let oldLogprobs: [[Float]]
        let referenceLogprobs: [[Float]]?
        let trainsValue: Bool
    }

    private func prepare(_ rows: [Transition]) throws(ModelError) -> Prepared {
        let withTargets = rows.filter { $0.returns != nil }.count
        guard withTargets == 0 || withTargets == rows.count else {
            throw ModelError(.invalidInput, "either every transition carries value targets (PPO) or none does (GRPO)")
        }
        if withTargets > 0, !model.hasValueHead {
            throw ModelError(.invalidInput, "transitions carry value targets but the model has no value head")
        }
        let oldLogprobs = configuration.recomputeOldLogprobs ? try logprobs(for: rows) : rows.map(\.responseLogprobs)
        var referenceLogprobs: [[Float]]?
        if let reference, configuration.loss.klCoefficient != 0 {
            referenceLogprobs = try Self.logprobs(of: reference, for: rows, packer: packer, microBatchRows: configuration.microBatchRows)
        }
        return Prepared(rows: rows, oldLogprobs: oldLogprobs, referenceLogprobs: referenceLogprobs, trainsValue: withTargets > 0)
    }

    /// One mini-batch (the rows at `batch`): gradients accumulated over its micro-batches, clipping,
    /// one AdamW step. Returns the loss statistics and the gradient norm before clipping.
    private func optimizerStep(_ batch: [Int], _ prepared: Prepared) throws(ModelError) -> (LossStatistics, Float) {
        let rows = prepared.rows
        let weights = configuration.aggregation.weights(rollouts: batch.map { rows[$0].rolloutID }, masks: batch.map { rows[$0].lossMask })
        let weightOf = Dictionary(uniqueKeysWithValues: zip(batch, weights))
        model.zeroGradients()
        var step = LossStatistics()
        try forEachMicroBatch(batch, of: rows) { (indices, packed, temperature) throws(ModelError) in
            let output = try model.forward(packed.batch, temperature: temperature)
            func perToken(_ values: (Int) -> [Float]) -> [Float] { packed.scatter { values(indices[$0]) } }
            let inputs = LossInputs(
                logprobs: output.logprobs, oldLogprobs: perToken { prepared.oldLogprobs[$0] },
                advantages: perToken { rows[$0].advantages }, weights: perToken { weightOf[$0] ?? [] },
                referenceLogprobs: prepared.referenceLogprobs.map { reference in perToken { reference[$0] } },
                entropy: output.entropy, values: prepared.trainsValue ? output.values : nil,
                // Without recorded old values the value loss is unclipped.
                oldValues: indices.allSatisfy { rows[$0].oldValues != nil } ? perToken { rows[$0].oldValues ?? [] } : nil,
                returns: prepared.trainsValue ? perToken { rows[$0].returns ?? [] } : nil)
            let (gradients, statistics) = configuration.loss.evaluate(inputs)
            try model.backward(gradients)
            step = step + statistics
        }
        let norm = model.clipGradients(maxNorm: configuration.maxGradNorm)
        model.step(learningRate: configuration.learningRate)
        return (step, norm)
    }

    /// The current model's logprobs of each transition's response tokens, at its temperature.
    public func logprobs(for transitions: [Transition]) throws(ModelError) -> [[Float]] {
        try Self.logprobs(of: model, for: transitions, packer: packer, microBatchRows: configuration.microBatchRows)
    }

    /// The value head's prediction at each response token of each transition (for `GAE`).
    public func values(for transitions: [Transition]) throws(ModelError) -> [[Float]] {
        guard model.hasValueHead else { throw ModelError(.invalidInput, "the model has no value head") }
        try requirePackable(transitions)
        var result = [[Float]](repeating: [], count: transitions.count)
        try forEachMicroBatch(Array(transitions.indices), of: transitions) { (indices, packed, temperature) throws(ModelError) in
            let values = packed.gather(try model.forward(packed.batch, temperature: temperature).values ?? [])
            for (index, rowValues) in zip(indices, values) { result[index] = rowValues }
        }
        return result
    }

    private static func logprobs(of model: any TrainableModel, for transitions: [Transition], packer: BatchPacker,
                                 microBatchRows: Int) throws(ModelError) -> [[Float]] {
        var result = [[Float]](repeating: [], count: transitions.count)
        try forEachMicroBatch(Array(transitions.indices), of: transitions, packer: packer, rows: microBatchRows) {
            (indices, packed, temperature) throws(ModelError) in
            let logprobs = packed.gather(try model.forward(packed.batch, temperature: temperature).logprobs)
            for (index, rowLogprobs) in zip(indices, logprobs) { result[index] = rowLogprobs }
        }
        return result
    }

    private func requirePackable(_ transitions: [Transition]) throws(ModelError) {
        if let problem = transitions.lazy.compactMap({ self.packer.problem($0) }).first {
            throw ModelError(.invalidInput, "a transition cannot be packed: \(problem)")
        }
    }

    private func forEachMicroBatch(
        _ indices: [Int], of transitions: [Transition], _ body: ([Int], PackedBatch, Float) throws(ModelError) -> Void
    ) throws(ModelError) {
        try Self.forEachMicroBatch(indices, of: transitions, packer: packer, rows: configuration.microBatchRows, body)
    }

    /// Calls `body` with micro-batches of at most `rows` of the given transitions, each of one
    /// temperature (a forward pass has one), with the transition indices of the packed rows.
    static func forEachMicroBatch(
        _ indices: [Int], of transitions: [Transition], packer: BatchPacker, rows: Int,
        _ body: ([Int], PackedBatch, Float) throws(ModelError) -> Void
    ) throws(ModelError) {
        var byTemperature: [Float: [Int]] = [:]
        for index in indices { byTemperature[transitions[index].temperature, default: []].append(index) }
        for temperature in byTemperature.keys.sorted() {
            let group = byTemperature[temperature] ?? []
            for start in stride(from: 0, to: group.count, by: rows) {
                let chunk = Array(group[start..<min(start + rows, group.count)])
                try body(chunk, packer.pack(chunk.map { transitions[$0] }), temperature)
            }
        }
    }
}
