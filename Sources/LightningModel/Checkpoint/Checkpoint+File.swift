import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if _endian(big)
#error("checkpoint files are little-endian; add byte swapping for big-endian hosts")
#endif

extension Checkpoint {
    /// Writes the checkpoint to `url` atomically (see the type's documentation for the format).
    public func write(to url: URL) throws(CheckpointError) {
        do {
            try writeFile(url.path)
        } catch {
            throw Self.typed(error, path: url.path)
        }
    }

    /// Reads and verifies a checkpoint file; throws `CheckpointError` (never returns partial data).
    public static func read(from url: URL) throws(CheckpointError) -> Checkpoint {
        do {
            return try readFile(url.path)
        } catch {
            throw typed(error, path: url.path)
        }
    }

    private static func typed(_ error: any Error, path: String) -> CheckpointError {
        error as? CheckpointError ?? CheckpointError(.io, path: path, "\(error)")
    }

    private func writeFile(_ path: String) throws {
        let header = Header(config: weights.config, modelVersion: version, parameterCount: weights.layout.count,
                            hasOptimizerState: optimizer != nil, optimizerStep: optimizer?.step ?? 0,
                            optimizer: optimizer?.settings)
        let json: [UInt8]
        do {
            json = Array(try JSONEncoder().encode(header))
        } catch {
            throw CheckpointError(.corruptHeader, path: path, "cannot encode the header: \(error)")
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let file = try CheckpointFile(creating: temporary)
        do {
            var crc = CRC32()
            func put(_ bytes: UnsafeRawBufferPointer) throws {
                crc.update(bytes)
                try file.write(bytes)
            }
            var prefix = Self.magic
            withUnsafeBytes(of: Self.formatVersion.littleEndian) { prefix += $0 }
            withUnsafeBytes(of: UInt32(json.count).littleEndian) { prefix += $0 }
            prefix += json
            try prefix.withUnsafeBytes { bytes in try put(bytes) }
            var sections = [weights.storage]
            if let optimizer { sections += [optimizer.firstMoment, optimizer.secondMoment] }
            for section in sections {
                try put(UnsafeRawBufferPointer(start: section.pointer, count: section.count * 4))
            }
            var trailer: [UInt8] = []
            withUnsafeBytes(of: crc.value.littleEndian) { trailer += $0 }
            trailer += Self.endMagic
            try trailer.withUnsafeBytes { bytes in try file.write(bytes) }
            try file.sync()
            try file.close()
            guard rename(temporary, path) == 0 else {
                throw CheckpointError(.io, path: path, "rename from \(temporary) failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? file.close()
            unlink(temporary)
            throw error
        }
        CheckpointFile.syncDirectory(of: path)
    }

    private static func readFile(_ path: String) throws -> Checkpoint {
        let file = try CheckpointFile(reading: path)
        defer { try? file.close() }
        let size = try file.size()
        func fail(_ code: CheckpointError.Code, _ message: String) -> CheckpointError {
            CheckpointError(code, path: path, message)
        }
        guard size >= 16 else { throw fail(.notACheckpoint, "the file is only \(size) bytes long") }
        var crc = CRC32()
        var prefix = [UInt8](repeating: 0, count: 16)
        try prefix.withUnsafeMutableBytes { bytes in try file.read(into: bytes) }
        guard Array(prefix[0..<8]) == magic else { throw fail(.notACheckpoint, "the file does not start with LTNGCKPT") }
        let format = prefix.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) }
        guard format == formatVersion else {
            throw fail(.unsupportedVersion, "format version \(format); this build reads version \(formatVersion)")
        }
        let headerLength = Int(prefix.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self)) })
        guard 16 + headerLength + 12 <= size else { throw fail(.truncated, "the file ends inside its header") }
        var json = [UInt8](repeating: 0, count: headerLength)
        try json.withUnsafeMutableBytes { bytes in try file.read(into: bytes) }
        prefix.withUnsafeBytes { crc.update($0) }
        json.withUnsafeBytes { crc.update($0) }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(json))
            try header.config.validate()
        } catch {
            throw fail(.corruptHeader, "the header is not valid: \(error)")
        }
        let count = ParameterLayout(header.config).count
        guard header.parameterCount == count else {
            throw fail(.corruptHeader, "the header says \(header.parameterCount) parameters, its config has \(count)")
        }
        let sections = header.hasOptimizerState ? 3 : 1
        let expected = 16 + headerLength + sections * count * 4 + 12
        guard size == expected else {
            throw fail(.truncated, "the file has \(size) bytes, its header describes \(expected)")
        }
        let buffers = (0..<sections).map { _ in FloatBuffer(count: count) }
        for buffer in buffers {
            let bytes = UnsafeMutableRawBufferPointer(start: buffer.pointer, count: count * 4)
            try file.read(into: bytes)
            crc.update(UnsafeRawBufferPointer(bytes))
        }
        var trailer = [UInt8](repeating: 0, count: 12)
        try trailer.withUnsafeMutableBytes { bytes in try file.read(into: bytes) }
        let stored = trailer.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        guard Array(trailer[4...]) == endMagic else { throw fail(.truncated, "the end marker is missing") }
        guard stored == crc.value else {
            throw fail(.checksumMismatch, String(format: "stored CRC-32 %08x, content has %08x: the file is corrupt", stored, crc.value))
        }
        let weights = ModelWeights(config: header.config, layout: ParameterLayout(header.config), storage: buffers[0])
        var optimizer: OptimizerState?
        if header.hasOptimizerState {
            optimizer = OptimizerState(settings: header.optimizer ?? AdamW(), step: header.optimizerStep,
                                       firstMoment: buffers[1], secondMoment: buffers[2])
        }
        return Checkpoint(weights: weights, version: header.modelVersion, optimizer: optimizer)
    }
}
