import LightningCore
import LightningWire

extension StoreClient {
    /// Subscribes to store events with the given topic prefixes (`rollout`, `resources`, `job`; all when
    /// empty). Events are best-effort: a subscriber that connects late or falls behind misses some, so
    /// callers that must not miss an outcome also ask the store (`wait_for_rollouts`, queries).
    public func events(topics: [String] = []) throws -> EventStream {
        let subscriber = try EventSubscriber(
            context: context, endpoints: configuration.eventEndpoints, topics: topics, security: configuration.security
        )
        return EventStream(subscriber: subscriber)
    }
}

/// Store events as an async sequence; `stop()` ends it.
public struct EventStream: AsyncSequence, Sendable {
    public typealias Element = StoreEvent
    let subscriber: EventSubscriber

    public func stop() { subscriber.stop() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var messages: AsyncStream<EventSubscriber.Message>.AsyncIterator

        public mutating func next() async -> StoreEvent? {
            while let message = await messages.next() {
                if let event = try? Lightning_V1_Event(decoding: message.payload).core() { return event }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(messages: subscriber.messages.makeAsyncIterator())
    }
}
