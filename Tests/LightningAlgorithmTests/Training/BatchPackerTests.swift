import LightningAlgorithm
import LightningModel
import Testing

@Suite struct BatchPackerTests {
    let packer = BatchPacker(context: 8, vocabularySize: 20)

    @Test("rows are shifted by one, right-padded to the longest row, and each response lands where it is scored")
    func layout() {
        let packed = packer.pack([Demonstration(promptTokenIDs: [1, 2, 3], responseTokenIDs: [4, 5]),
                                  Demonstration(promptTokenIDs: [7], responseTokenIDs: [8])])
        #expect(packed.batch.batchSize == 2 && packed.batch.sequenceLength == 4)
        #expect(packed.batch.tokens == [1, 2, 3, 4, 7, 0, 0, 0])
        #expect(packed.batch.targets == [2, 3, 4, 5, 8, 0, 0, 0])
        #expect(packed.batch.lengths == [4, 1])
        #expect(packed.rows.map(\.start) == [2, 4] && packed.rows.map(\.count) == [2, 1])
        #expect(packed.scatter { $0 == 0 ? [0.5, 0.25] : [1] } == [0, 0, 0.5, 0.25, 1, 0, 0, 0])
        #expect(packed.gather([0, 1, 2, 3, 4, 5, 6, 7]) == [[2, 3], [4]])
    }

    @Test("a row longer than the context loses prompt tokens from the left and keeps its whole response")
    func leftTruncation() {
        let packed = packer.pack([Demonstration(promptTokenIDs: [1, 2, 3, 4, 5, 6, 7, 8], responseTokenIDs: [9, 10])])
        #expect(packed.batch.sequenceLength == 8)
        #expect(packed.batch.tokens == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(packed.batch.targets == [3, 4, 5, 6, 7, 8, 9, 10])
        #expect(packed.rows == [PackedBatch.Row(start: 6, count: 2, droppedPromptTokens: 1)])
        // A response filling the whole context keeps a single prompt token.
        let full = packer.pack([Demonstration(promptTokenIDs: [1, 2, 3], responseTokenIDs: [11, 12, 13, 14, 15, 16, 17, 18])])
        #expect(full.batch.tokens == [3, 11, 12, 13, 14, 15, 16, 17] && full.rows[0].start == 0 && full.rows[0].droppedPromptTokens == 2)
    }

    @Test("rows that cannot be packed name their problem")
    func problems() {
        #expect(packer.problem(Demonstration(promptTokenIDs: [], responseTokenIDs: [1])) == .emptyPrompt)
        #expect(packer.problem(Demonstration(promptTokenIDs: [1], responseTokenIDs: [])) == .emptyResponse)
        #expect(packer.problem(Demonstration(promptTokenIDs: [1], responseTokenIDs: Array(repeating: 1, count: 9))) == .responseTooLong(9))
        #expect(packer.problem(Demonstration(promptTokenIDs: [1, 20], responseTokenIDs: [1])) == .tokenOutOfVocabulary(20))
        #expect(packer.problem(Demonstration(promptTokenIDs: [1], responseTokenIDs: [19])) == nil)
    }

    @Test("packed rows score the same logprobs as the row alone (padding does not leak)")
    func paddingDoesNotLeak() throws {
        let config = ModelConfig(layers: 1, heads: 2, width: 16, context: 8, vocabSize: 20)
        let model = try TrainingModel(config: config, seed: 4, threads: 1)
        let packer = BatchPacker(config: config)
        let short = Demonstration(promptTokenIDs: [3], responseTokenIDs: [4, 5])
        let long = Demonstration(promptTokenIDs: [1, 2, 3, 4], responseTokenIDs: [6, 7, 8])
        let together = packer.pack([long, short])
        let alone = packer.pack([short])
        let both = together.gather(try model.forward(together.batch).logprobs)
        let single = alone.gather(try model.forward(alone.batch).logprobs)
        #expect(zip(both[1], single[0]).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
