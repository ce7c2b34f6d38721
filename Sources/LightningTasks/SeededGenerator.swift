/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so datasets and
/// demonstrations are the same on every machine and every run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for item `index` of a stream named by `salt`: items can be made in any order.
    public init(salt: String, index: Int) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a of the salt, then mixed with the index
        for byte in salt.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        self.init(seed: hash ^ (UInt64(bitPattern: Int64(index)) &* 0x9e37_79b9_7f4a_7c15))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
