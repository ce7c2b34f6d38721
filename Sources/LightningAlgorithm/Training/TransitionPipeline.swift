/// From rollout traces to training transitions: extraction, credit assignment, advantages, rows.
///
/// GRPO: `grpoTransitions` gives transitions with their advantages. PPO: `ppoTransitions` gives
/// transitions without advantages; fill them with `PolicyTrainer.values(for:)` and `GAE.apply`.
public struct TransitionPipeline: Sendable, Hashable {
    public var extractor: TransitionExtractor
    public var credit: CreditAssignment
    public var grpo: GRPO
    public var builder: TransitionBuilder

    public init(
        extractor: TransitionExtractor = .init(), credit: CreditAssignment = .init(), grpo: GRPO = .init(),
        builder: TransitionBuilder = .init()
    ) {
        self.extractor = extractor
        self.credit = credit
        self.grpo = grpo
        self.builder = builder
    }

    public func grpoTransitions(_ traces: [RolloutTrace]) -> TransitionReport {
        var report = TransitionReport()
        let rollouts = credited(traces, into: &report)
        let advantages = grpo.advantages(rollouts)
        report.skippedGroups = advantages.skippedGroups
        report.rolloutsWithoutReward = advantages.rolloutsWithoutReward
        for rollout in rollouts {
            guard let perCall = advantages.advantages[rollout.rolloutID] else { continue }
            report.transitions += builder.transitions(for: rollout, advantages: perCall)
        }
        return report
    }

    public func ppoTransitions(_ traces: [RolloutTrace]) -> TransitionReport {
        var report = TransitionReport()
        for rollout in credited(traces, into: &report) {
            guard rollout.finalReward != nil else {
                report.rolloutsWithoutReward.append(rollout.rolloutID)
                continue
            }
            report.transitions += builder.transitions(for: rollout)
        }
        return report
    }

    private func credited(_ traces: [RolloutTrace], into report: inout TransitionReport) -> [CreditedRollout] {
        traces.map { trace in
            let extraction = extractor.extract(trace)
            let credits = credit.assign(trace, calls: extraction.calls)
            report.skippedSpans += extraction.skipped
            report.filteredCalls += extraction.filteredCount
            report.unattributedSpanIDs += credits.unattributedSpanIDs
            return CreditedRollout(rolloutID: trace.rolloutID, groupKey: trace.groupKey, finalReward: trace.finalReward,
                                   calls: extraction.calls, credits: credits.calls)
        }
    }
}

/// Transitions and everything left out on the way, for the job's log and metrics.
public struct TransitionReport: Sendable, Hashable {
    public var transitions: [Transition] = []
    public var skippedSpans: [SkippedSpan] = []
    /// Calls of agents that are not trained.
    public var filteredCalls = 0
    public var skippedGroups: [SkippedGroup] = []
    public var rolloutsWithoutReward: [String] = []
    /// Spans matched by an intermediate-reward rule whose cause is not a trained call.
    public var unattributedSpanIDs: [String] = []

    public init() {}
}
