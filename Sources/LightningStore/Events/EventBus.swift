import LightningCore

/// Fans store events out inside the process: to the ZeroMQ publisher, to waiting requests, and to the
/// relay that tells other replicas. Handlers run synchronously on the publishing task and must be quick.
public final class EventBus: Sendable {
    /// Where an event happened: in this process, or in another replica (learned through the relay).
    public enum Origin: Sendable {
        case local
        case remote
    }

    public typealias Handler = @Sendable ([StoreEvent], Origin) -> Void

    private struct State {
        var handlers: [UInt64: Handler] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())

    public init() {}

    public func publish(_ events: [StoreEvent], origin: Origin = .local) {
        guard !events.isEmpty else { return }
        let handlers = state.withLock { Array($0.handlers.values) }
        for handler in handlers { handler(events, origin) }
    }

    /// Registers a handler; keep the returned id to remove it.
    @discardableResult
    public func subscribe(_ handler: @escaping Handler) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.handlers[state.nextID] = handler
            return state.nextID
        }
    }

    public func unsubscribe(_ id: UInt64) {
        _ = state.withLock { $0.handlers.removeValue(forKey: id) }
    }
}
