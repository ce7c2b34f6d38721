import Foundation

/// Rotary position embeddings for the rows of one step: the angles of each row's position are
/// computed once per step (in double precision, then rounded) and applied to every head of that row.
struct RotaryEmbedding {
    let config: RotaryConfig
    /// Inverse frequency of each rotated pair, after scaling.
    let frequencies: [Double]

    init(config: RotaryConfig, factors: [Float]?) {
        self.config = config
        let d = config.dimensions
        frequencies = (0..<(d / 2)).map { i in
            var f = 1 / pow(config.theta, Double(2 * i) / Double(d))
            if let scaling = config.llama3Scaling { f = scaling.scale(f) }
            if let factors { f /= Double(factors[i]) }
            return f
        }
    }

    /// Writes `cos` and `sin` of every pair's angle for each position (`dimensions / 2` floats a row).
    func angles(positions: UnsafePointer<Int32>, count: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        let half = frequencies.count
        for r in 0..<count {
            let p = Double(positions[r])
            for i in 0..<half {
                let angle = p * frequencies[i]
                cos[r * half + i] = Float(Foundation.cos(angle))
                sin[r * half + i] = Float(Foundation.sin(angle))
            }
        }
    }

    /// Rotates `heads` heads of `headSize` floats at `x` (one row) with that row's `cos`/`sin`. With
    /// `inverse`, rotates by the opposite angles: a rotation is orthogonal, so that is also the backward
    /// pass, taking the gradient of the rotated heads to the gradient of the heads before it.
    @inline(__always)
    func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>,
                inverse: Bool = false) {
        let half = frequencies.count, direction: Float = inverse ? -1 : 1
        for h in 0..<heads {
            let v = x + h * headSize
            switch config.pairing {
            case .halfSplit:
                for i in 0..<half {
                    let a = v[i], b = v[i + half], s = direction * sin[i]
                    v[i] = a * cos[i] - b * s
                    v[i + half] = b * cos[i] + a * s
                }
            case .adjacent:
                for i in 0..<half {
                    let a = v[2 * i], b = v[2 * i + 1], s = direction * sin[i]
                    v[2 * i] = a * cos[i] - b * s
                    v[2 * i + 1] = b * cos[i] + a * s
                }
            }
        }
    }
}
