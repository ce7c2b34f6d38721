import Foundation
import LightningCore
import LightningFormats
import LightningModel

extension ModelExporter {
    /// A GGUF of the merged weights under llama.cpp's tensor names, with the base file's metadata
    /// (architecture keys, tokenizer, chat template) and `general.file_type` set to what is written.
    /// GGUF `llama` files keep each head's query and key rows in llama.cpp's interleaved order, so they
    /// are permuted back into it here.
    func exportGGUF(to path: String, matrices: TensorType) throws {
        guard isGGUFBase else {
            throw LightningError(.badRequest, "GGUF export copies a GGUF base's tokenizer metadata; \(basePath) is a Hugging Face folder: export hf and convert it with llama.cpp's convert_hf_to_gguf.py")
        }
        let source = try GGUFFile(path: basePath)
        let c = model.config, layout = model.layout
        let values = model.mergedValues()
        let interleaved = c.architecture == "llama"
        var arrays: [(name: String, shape: [Int], type: TensorType, values: [Float])] = []
        func add(_ name: String, _ offset: Int, _ shape: [Int], matrix: Bool = true, permuteHeads: Int? = nil) {
            var slice = Array(values[offset..<(offset + shape.reduce(1, *))])
            if let heads = permuteHeads, interleaved { slice = Self.interleave(slice, heads: heads, headSize: c.headSize) }
            arrays.append((name, shape, matrix && shape.count == 2 ? matrices : .f32, slice))
        }
        add("token_embd.weight", layout.tokenEmbedding, [c.vocabularySize, c.width])
        for (l, b) in layout.blocks.enumerated() {
            let p = "blk.\(l)."
            add(p + "attn_norm.weight", b.attentionNorm, [c.width])
            add(p + "attn_q.weight", b.qkv, [c.queryWidth, c.width], permuteHeads: c.heads)
            add(p + "attn_k.weight", b.qkv + c.queryWidth * c.width, [c.kvWidth, c.width], permuteHeads: c.kvHeads)
            add(p + "attn_v.weight", b.qkv + (c.queryWidth + c.kvWidth) * c.width, [c.kvWidth, c.width])
            if let bias = b.qkvBias {
                add(p + "attn_q.bias", bias, [c.queryWidth], permuteHeads: c.heads)
                add(p + "attn_k.bias", bias + c.queryWidth, [c.kvWidth], permuteHeads: c.kvHeads)
                add(p + "attn_v.bias", bias + c.queryWidth + c.kvWidth, [c.kvWidth])
            }
            add(p + "attn_output.weight", b.attentionOutput, [c.width, c.queryWidth])
            add(p + "ffn_norm.weight", b.mlpNorm, [c.width])
            add(p + "ffn_gate.weight", b.gateUp, [c.hiddenWidth, c.width])
            add(p + "ffn_up.weight", b.gateUp + c.hiddenWidth * c.width, [c.hiddenWidth, c.width])
            add(p + "ffn_down.weight", b.down, [c.width, c.hiddenWidth])
        }
        add("output_norm.weight", layout.finalNorm, [c.width])
        if !c.tiedEmbeddings { add("output.weight", layout.output, [c.vocabularySize, c.width]) }
        if let factors = model.ropeFrequencyFactors { arrays.append(("rope_freqs.weight", [factors.count], .f32, factors)) }
        // llama.cpp's file types: 1 = mostly F16, 7 = mostly Q8_0.
        let fileType: UInt32 = matrices == .f16 ? 1 : 7
        var metadata = source.metadata.entries.filter { $0.key != "general.alignment" && $0.key != "general.file_type" }
        metadata.append(GGUFMetadataEntry(key: "general.file_type", value: .uint32(fileType)))
        try Self.withBuffers(arrays.map(\.values)) { buffers in
            let tensors = zip(arrays, buffers).map { GGUFWriter.Tensor(name: $0.name, shape: $0.shape, type: $0.type, values: $1) }
            try GGUFWriter.write(metadata: metadata, tensors: tensors, to: path)
        }
    }

    /// Hugging Face rows of each head (`[first half | second half]`) in llama.cpp's interleaved order:
    /// row `i` of the first half goes to `2i`, row `i` of the second half to `2i + 1`.
    static func interleave(_ rows: [Float], heads: Int, headSize: Int) -> [Float] {
        let width = rows.count / (heads * headSize), half = headSize / 2
        var out = rows
        for head in 0..<heads {
            for within in 0..<headSize {
                let target = head * headSize + 2 * (within % half) + within / half
                let source = head * headSize + within
                for j in 0..<width { out[target * width + j] = rows[source * width + j] }
            }
        }
        return out
    }

    /// Calls `body` with buffer pointers to every array (valid for the call).
    static func withBuffers(_ arrays: [[Float]], _ body: ([UnsafeBufferPointer<Float>]) throws -> Void) throws {
        let copies = arrays.map { array -> UnsafeMutableBufferPointer<Float> in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: array.count)
            _ = buffer.initialize(from: array)
            return buffer
        }
        defer { copies.forEach { $0.deallocate() } }
        try body(copies.map { UnsafeBufferPointer($0) })
    }
}
