/// Parses and validates a GGUF header, metadata and tensor descriptions from untrusted bytes.
enum GGUFParser {
    struct Parsed {
        var version: UInt32
        var alignment: Int
        var dataOffset: Int
        var metadata: GGUFMetadata
        var tensors: [GGUFTensorInfo]
        var tensorIndex: [String: Int]
    }

    /// `"GGUF"` as a little-endian `UInt32`.
    static let magic: UInt32 = 0x4655_4747
    /// llama.cpp's `GGML_MAX_DIMS`.
    static let maxDimensions = 4
    /// Arrays nested deeper than this are rejected (real files nest at most once).
    static let maxNesting = 16

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> Parsed {
        var cursor = ByteCursor(bytes, file: file)
        let magic = try cursor.read(UInt32.self, "the magic")
        guard magic == Self.magic else {
            throw FormatError(.badMagic, "\(file): not a GGUF file (magic 0x\(String(magic, radix: 16)))")
        }
        let version = try cursor.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else {
            let hint = version.byteSwapped == 2 || version.byteSwapped == 3 ? " (a big-endian file)" : ""
            throw FormatError(.unsupportedVersion, "\(file): GGUF version \(version)\(hint) is not supported (2 and 3 are)")
        }
        // A tensor description takes at least 24 bytes, a key-value pair at least 13.
        let tensorCount = try cursor.readCount("the tensor count", minimumItemSize: 24)
        let kvCount = try cursor.readCount("the metadata count", minimumItemSize: 13)

        let metadata = try parseMetadata(&cursor, count: kvCount)
        let alignment = try alignment(of: metadata, file: file)
        let (tensors, index) = try parseTensorInfos(&cursor, count: tensorCount)

        cursor.align(to: alignment)
        let dataOffset = cursor.offset
        let placed = try place(tensors, dataOffset: dataOffset, alignment: alignment, fileSize: bytes.count, file: file)
        return Parsed(
            version: version, alignment: alignment, dataOffset: dataOffset,
            metadata: metadata, tensors: placed, tensorIndex: index
        )
    }

    private static func parseMetadata(_ cursor: inout ByteCursor, count: Int) throws -> GGUFMetadata {
        var entries: [GGUFMetadataEntry] = []
        var index: [String: Int] = [:]
        entries.reserveCapacity(count)
        for i in 0..<count {
            let key = try cursor.readString("the key of metadata entry \(i)")
            let rawType = try cursor.read(UInt32.self, "the value type of '\(key)'")
            let value = try parseValue(&cursor, rawType: rawType, field: key, depth: 0)
            guard index[key] == nil else {
                throw FormatError(.duplicateName, "\(cursor.file): metadata key '\(key)' appears twice")
            }
            index[key] = entries.count
            entries.append(GGUFMetadataEntry(key: key, value: value))
        }
        return GGUFMetadata(entries: entries, index: index)
    }

    private static func valueType(_ raw: UInt32, field: String, file: String) throws -> GGUFValueType {
        guard let type = GGUFValueType(rawValue: raw) else {
            throw FormatError(.invalidValueType, "\(file): metadata '\(field)' has unknown value type \(raw)")
        }
        return type
    }

    private static func parseValue(
        _ cursor: inout ByteCursor, rawType: UInt32, field: String, depth: Int
    ) throws -> GGUFValue {
        let type = try valueType(rawType, field: field, file: cursor.file)
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, "metadata '\(field)'"))
        case .int8: return .int8(try cursor.read(Int8.self, "metadata '\(field)'"))
        case .uint16: return .uint16(try cursor.read(UInt16.self, "metadata '\(field)'"))
        case .int16: return .int16(try cursor.read(Int16.self, "metadata '\(field)'"))
        case .uint32: return .uint32(try cursor.read(UInt32.self, "metadata '\(field)'"))
        case .int32: return .int32(try cursor.read(Int32.self, "metadata '\(field)'"))
        case .uint64: return .uint64(try cursor.read(UInt64.self, "metadata '\(field)'"))
        case .int64: return .int64(try cursor.read(Int64.self, "metadata '\(field)'"))
        case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self, "metadata '\(field)'")))
        case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self, "metadata '\(field)'")))
        case .bool: return .bool(try cursor.read(UInt8.self, "metadata '\(field)'") != 0)
        case .string: return .string(try cursor.readString("metadata '\(field)'"))
        case .array:
            guard depth < maxNesting else {
                throw FormatError(
                    .invalidValueType, "\(cursor.file): metadata '\(field)' nests arrays deeper than \(maxNesting)"
                )
            }
            let rawElement = try cursor.read(UInt32.self, "the element type of metadata '\(field)'")
            let element = try valueType(rawElement, field: field, file: cursor.file)
            let count = try cursor.readCount(
                "the element count of metadata '\(field)'", minimumItemSize: element.minimumEncodedSize
            )
            var values: [GGUFValue] = []
            values.reserveCapacity(count)
            for i in 0..<count {
                values.append(try parseValue(&cursor, rawType: rawElement, field: "\(field)[\(i)]", depth: depth + 1))
            }
            return .array(element, values)
        }
    }

    private static func alignment(of metadata: GGUFMetadata, file: String) throws -> Int {
        guard let value = metadata["general.alignment"] else { return GGUFFile.defaultAlignment }
        guard case .uint32(let alignment) = value, alignment != 0, alignment & (alignment - 1) == 0 else {
            throw FormatError(
                .invalidAlignment,
                "\(file): general.alignment must be a UINT32 power of two, is \(value.type) \(value)"
            )
        }
        return Int(alignment)
    }

    /// Tensor descriptions as stored, with `fileOffset` still relative (fixed up by `place`).
    private static func parseTensorInfos(
        _ cursor: inout ByteCursor, count: Int
    ) throws -> ([GGUFTensorInfo], [String: Int]) {
        let file = cursor.file
        var tensors: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        tensors.reserveCapacity(count)
        for i in 0..<count {
            let name = try cursor.readString("the name of tensor \(i)")
            let dimensionCount = try cursor.read(UInt32.self, "the dimension count of tensor '\(name)'")
            guard dimensionCount <= maxDimensions else {
                throw FormatError(
                    .invalidShape, "\(file): tensor '\(name)' has \(dimensionCount) dimensions (at most \(maxDimensions))"
                )
            }
            var dimensions: [Int] = []
            var elements = 1
            for d in 0..<Int(dimensionCount) {
                let raw = try cursor.read(UInt64.self, "dimension \(d) of tensor '\(name)'")
                let (product, overflow) = elements.multipliedReportingOverflow(by: Int(truncatingIfNeeded: raw))
                guard raw <= UInt64(Int32.max) * 1024, !overflow else {
                    throw FormatError(.invalidShape, "\(file): tensor '\(name)' dimension \(d) is \(raw), too large")
                }
                dimensions.append(Int(raw))
                elements = product
            }
            let rawType = try cursor.read(UInt32.self, "the type of tensor '\(name)'")
            guard let type = TensorType(rawValue: rawType) else {
                throw FormatError(.unknownTensorType, "\(file): tensor '\(name)' has unknown GGML type \(rawType)")
            }
            let offset = try cursor.read(UInt64.self, "the offset of tensor '\(name)'")
            guard dimensions.first.map({ $0 % type.blockSize == 0 }) ?? (type.blockSize == 1),
                  let byteCount = type.byteCount(elements: elements)
            else {
                throw FormatError(
                    .invalidShape,
                    "\(file): tensor '\(name)' dimensions \(dimensions) do not fit \(type.name) blocks of \(type.blockSize)"
                )
            }
            guard index[name] == nil else {
                throw FormatError(.duplicateName, "\(file): tensor name '\(name)' appears twice")
            }
            guard offset <= UInt64(Int.max / 2) else {
                throw FormatError(.outOfBounds, "\(file): tensor '\(name)' offset \(offset) lies past the end of the file")
            }
            index[name] = tensors.count
            tensors.append(GGUFTensorInfo(
                name: name, dimensions: dimensions, type: type, offset: Int(offset), fileOffset: Int(offset),
                elementCount: elements, byteCount: byteCount
            ))
        }
        return (tensors, index)
    }

    /// Checks every tensor is aligned, inside the file and overlaps no other, and sets `fileOffset`.
    private static func place(
        _ tensors: [GGUFTensorInfo], dataOffset: Int, alignment: Int, fileSize: Int, file: String
    ) throws -> [GGUFTensorInfo] {
        var placed: [GGUFTensorInfo] = []
        placed.reserveCapacity(tensors.count)
        for info in tensors {
            guard info.offset % alignment == 0 else {
                throw FormatError(
                    .misalignedOffset,
                    "\(file): tensor '\(info.name)' offset \(info.offset) is not a multiple of the alignment \(alignment)"
                )
            }
            let start = dataOffset + info.offset
            guard start <= fileSize, info.byteCount <= fileSize - start else {
                throw FormatError(
                    .outOfBounds,
                    "\(file): tensor '\(info.name)' needs \(info.byteCount) bytes at offset \(start), "
                        + "past the end of the \(fileSize)-byte file (truncated or corrupt)"
                )
            }
            placed.append(GGUFTensorInfo(
                name: info.name, dimensions: info.dimensions, type: info.type, offset: info.offset,
                fileOffset: start, elementCount: info.elementCount, byteCount: info.byteCount
            ))
        }
        let byStart = placed.sorted { $0.fileOffset < $1.fileOffset }
        for (previous, next) in zip(byStart, byStart.dropFirst())
        where previous.fileOffset + previous.byteCount > next.fileOffset {
            throw FormatError(
                .overlappingTensors,
                "\(file): tensors '\(previous.name)' and '\(next.name)' overlap at byte \(next.fileOffset)"
            )
        }
        return placed
    }
}
