/// A string-keyed dictionary that remembers insertion order, like a Python `dict` built from JSON.
///
/// Equality ignores order (as Python's `dict.__eq__` does); iteration, printing and `tojson` follow
/// insertion order. Keys compare by Unicode code points, not by canonical equivalence.
public struct OrderedObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    fileprivate var storage = OrderedStorage<TemplateValue>()

    /// Creates an empty object.
    public init() {}

    /// Creates an object from key/value pairs; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, TemplateValue)]) {
        for (key, value) in pairs { storage[key] = value }
    }

    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self.init(elements)
    }

    /// The keys in insertion order.
    public var keys: [String] { storage.keys }
    /// The values in key order.
    public var values: [TemplateValue] { storage.values }
    /// The number of entries.
    public var count: Int { storage.count }
    /// Whether the object has no entries.
    public var isEmpty: Bool { storage.count == 0 }

    /// Reads or writes the value for `key`; writing `nil` removes the entry.
    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: TemplateValue)]> {
        storage.pairs.makeIterator()
    }

    public static func == (lhs: OrderedObject, rhs: OrderedObject) -> Bool {
        lhs.storage.unorderedEquals(rhs.storage, by: ==)
    }
}

/// A key that hashes and compares by Unicode scalars (Python `str` semantics).
struct ScalarKey: Hashable, Sendable {
    let string: String
    init(_ string: String) { self.string = string }
    static func == (lhs: ScalarKey, rhs: ScalarKey) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }
    func hash(into hasher: inout Hasher) {
        for byte in string.utf8 { hasher.combine(byte) }
    }
}

/// Insertion-ordered storage shared by the public object and the interpreter's dictionaries.
struct OrderedStorage<Value> {
    private(set) var keys: [String] = []
    private(set) var values: [Value] = []
    private var index: [ScalarKey: Int] = [:]

    var count: Int { keys.count }
    var pairs: [(key: String, value: Value)] { Array(zip(keys, values)).map { (key: $0.0, value: $0.1) } }

    subscript(key: String) -> Value? {
        get { index[ScalarKey(key)].map { values[$0] } }
        set {
            let scalarKey = ScalarKey(key)
            if let position = index[scalarKey] {
                if let newValue {
                    values[position] = newValue
                } else {
                    keys.remove(at: position)
                    values.remove(at: position)
                    index = [:]
                    for (offset, key) in keys.enumerated() { index[ScalarKey(key)] = offset }
                }
            } else if let newValue {
                index[scalarKey] = keys.count
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    func contains(_ key: String) -> Bool { index[ScalarKey(key)] != nil }

    func unorderedEquals(_ other: OrderedStorage<Value>, by equal: (Value, Value) -> Bool) -> Bool {
        guard count == other.count else { return false }
        for (key, value) in zip(keys, values) {
            guard let otherValue = other[key], equal(value, otherValue) else { return false }
        }
        return true
    }
}

extension OrderedStorage: Sendable where Value: Sendable {}
