/// The type tag of a GGUF metadata value (`gguf_type` in llama.cpp, `GGUFValueType` in Python).
public enum GGUFValueType: UInt32, Sendable, Hashable, CaseIterable {
    case uint8 = 0
    case int8 = 1
    case uint16 = 2
    case int16 = 3
    case uint32 = 4
    case int32 = 5
    case float32 = 6
    case bool = 7
    case string = 8
    case array = 9
    case uint64 = 10
    case int64 = 11
    case float64 = 12

    /// The fewest bytes one value of this type can take in a file (a string its length, an array its
    /// element type and count), used to reject impossible counts before allocating.
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64, .string: 8
        case .array: 12
        }
    }
}

/// One GGUF metadata value, exactly as stored: the integer width, float width and array element type are
/// kept, so a value can be written back or compared bit for bit. The typed getters convert leniently.
public indirect enum GGUFValue: Sendable, Hashable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case uint64(UInt64)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case bool(Bool)
    case string(String)
    /// An array: the declared element type and the elements (arrays may nest).
    case array(GGUFValueType, [GGUFValue])

    /// The value's type tag.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    /// The string, for `.string`.
    public var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// Any integer type as `Int`; `nil` for other types and for a `UInt64` above `Int.max`.
    public var int: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// `float32` or `float64` as `Double` (a `Float` widens exactly); integers convert too, since some
    /// writers store whole-number hyper-parameters as integers.
    public var float: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: int.map(Double.init)
        }
    }

    /// The flag, for `.bool`.
    public var bool: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The elements, for `.array`.
    public var array: [GGUFValue]? {
        if case .array(_, let values) = self { values } else { nil }
    }

    /// An array of strings; `nil` unless every element is a string.
    public var stringArray: [String]? { mapArray(\.string) }

    /// An array of integers of any width; `nil` unless every element converts with `int`.
    public var intArray: [Int]? { mapArray(\.int) }

    /// An array of numbers as `Double`s; `nil` unless every element converts with `float`.
    public var floatArray: [Double]? { mapArray(\.float) }

    private func mapArray<T>(_ transform: (GGUFValue) -> T?) -> [T]? {
        guard case .array(_, let values) = self else { return nil }
        var result: [T] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let converted = transform(value) else { return nil }
            result.append(converted)
        }
        return result
    }
}

/// One metadata key and its value, in file order.
public struct GGUFMetadataEntry: Sendable, Hashable {
    public let key: String
    public let value: GGUFValue

    public init(key: String, value: GGUFValue) {
        self.key = key
        self.value = value
    }
}

/// A GGUF file's metadata: the entries in file order and a lookup by key.
public struct GGUFMetadata: Sendable, Hashable {
    /// Every key-value pair, in the order the file stores them.
    public let entries: [GGUFMetadataEntry]
    private let index: [String: Int]

    init(entries: [GGUFMetadataEntry], index: [String: Int]) {
        self.entries = entries
        self.index = index
    }

    /// The value stored under `key`, or `nil`.
    public subscript(key: String) -> GGUFValue? {
        index[key].map { entries[$0].value }
    }

    /// The keys, in file order.
    public var keys: [String] { entries.map(\.key) }

    /// The number of entries.
    public var count: Int { entries.count }
}
