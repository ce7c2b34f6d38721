import Foundation

/// Parses and validates a safetensors header from untrusted bytes: an 8-byte little-endian header length,
/// a JSON object of that length, then the data every `data_offsets` pair points into.
enum SafetensorsHeader {
    struct Parsed {
        var headerLength: Int
        var metadata: [String: String]
        var tensors: [SafetensorsTensorInfo]
        var index: [String: Int]
    }

    /// The largest header the reference implementation accepts (`MAX_HEADER_SIZE`, 100 MB).
    static let maxHeaderLength = 100_000_000

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> Parsed {
        guard bytes.count >= 8 else {
            throw FormatError(.truncated, "\(file): \(bytes.count) bytes, too short for the 8-byte header length")
        }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard declared <= UInt64(maxHeaderLength) else {
            throw FormatError(.invalidHeader, "\(file): header length \(declared) exceeds \(maxHeaderLength) bytes")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw FormatError(
                .invalidHeader,
                "\(file): header length \(headerLength) is larger than the \(bytes.count - 8) bytes after it"
            )
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw FormatError(.invalidJSON, "\(file): the header does not start with '{'")
        }
        let root: [String: JSONValue]
        do {
            root = try JSONDecoder().decode([String: JSONValue].self, from: Data(headerBytes))
        } catch {
            throw FormatError(.invalidJSON, "\(file): the header is not a JSON object: \(error)")
        }

        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var tensors: [SafetensorsTensorInfo] = []
        for (name, entry) in root {
            if name == "__metadata__" {
                metadata = try parseMetadata(entry, file: file)
            } else {
                tensors.append(try parseTensor(name, entry, dataStart: dataStart, dataLength: dataLength, file: file))
            }
        }
        tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name) }
        for (previous, next) in zip(tensors, tensors.dropFirst())
        where previous.dataOffsets.upperBound > next.dataOffsets.lowerBound {
            throw FormatError(
                .overlappingTensors,
                "\(file): tensors '\(previous.name)' (\(previous.dataOffsets)) and '\(next.name)' "
                    + "(\(next.dataOffsets)) overlap"
            )
        }
        var index: [String: Int] = [:]
        for (i, tensor) in tensors.enumerated() { index[tensor.name] = i }
        return Parsed(headerLength: headerLength, metadata: metadata, tensors: tensors, index: index)
    }

    private static func parseMetadata(_ value: JSONValue, file: String) throws -> [String: String] {
        guard let object = value.object else {
            throw FormatError(.invalidJSON, "\(file): __metadata__ is not an object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in object {
            guard let string = value.string else {
                throw FormatError(.invalidJSON, "\(file): __metadata__ value '\(key)' is not a string")
            }
            metadata[key] = string
        }
        return metadata
    }

    private static func parseTensor(
        _ name: String, _ entry: JSONValue, dataStart: Int, dataLength: Int, file: String
    ) throws -> SafetensorsTensorInfo {
        func invalid(_ what: String) -> FormatError {
            FormatError(.invalidJSON, "\(file): tensor '\(name)': \(what)")
        }
        guard let rawDType = entry["dtype"]?.string else { throw invalid("no string 'dtype'") }
        guard let dtype = SafetensorsDType(rawValue: rawDType) else {
            throw FormatError(.unsupportedDType, "\(file): tensor '\(name)' has unknown dtype '\(rawDType)'")
        }
        guard let rawShape = entry["shape"]?.array else { throw invalid("no array 'shape'") }
        var shape: [Int] = []
        var elements = 1
        for dimension in rawShape {
            guard let size = dimension.int, size >= 0 else { throw invalid("shape \(rawShape) is not non-negative integers") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow else { throw FormatError(.invalidShape, "\(file): tensor '\(name)' shape \(shape) overflows") }
            shape.append(size)
            elements = product
        }
        guard let offsets = entry["data_offsets"]?.array, offsets.count == 2,
              let begin = offsets[0].int, let end = offsets[1].int, begin >= 0, begin <= end
        else { throw invalid("'data_offsets' is not [begin, end] with 0 <= begin <= end") }
        guard end <= dataLength else {
            throw FormatError(
                .outOfBounds,
                "\(file): tensor '\(name)' data_offsets [\(begin), \(end)] reach past the \(dataLength) data bytes"
            )
        }
        let (expected, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, expected == end - begin else {
            throw FormatError(
                .sizeMismatch,
                "\(file): tensor '\(name)' is \(dtype.rawValue) \(shape) but data_offsets span \(end - begin) bytes"
            )
        }
        return SafetensorsTensorInfo(
            name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end,
            fileRange: (dataStart + begin)..<(dataStart + end)
        )
    }
}
