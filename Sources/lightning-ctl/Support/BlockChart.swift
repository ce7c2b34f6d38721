/// A series drawn in the terminal as columns of unicode blocks, eight levels per row, so that a reward
/// curve reads at a glance without a plotting tool.
struct BlockChart {
    static let eighths: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    var height = 8
    /// Columns at most; longer series are averaged into this many buckets.
    var width = 60

    /// The chart's lines, top first, with the range on the left; empty for an empty series.
    func render(_ values: [Double]) -> [String] {
        let series = bucketed(values.filter(\.isFinite))
        guard let low = series.min(), let high = series.max() else { return [] }
        let span = high > low ? high - low : 1
        // Every value gets at least one eighth, so the lowest point is still drawn.
        let levels = series.map { value in max(1, Int(((value - low) / span * Double(height * 8 - 1)).rounded()) + 1) }
        let labels = (high > low ? Format.number(high) : "", Format.number(low))
        let labelWidth = max(labels.0.count, labels.1.count)
        return (0..<height).map { row in
            let level = height - 1 - row
            let bars = String(levels.map { Self.eighths[min(8, max(0, $0 - level * 8))] })
            let label = row == 0 ? labels.0 : row == height - 1 ? labels.1 : ""
            return String(repeating: " ", count: labelWidth - label.count) + label + " │" + bars
        }
    }

    /// The series averaged into at most `width` buckets of consecutive values.
    func bucketed(_ values: [Double]) -> [Double] {
        guard values.count > width, width > 0 else { return values }
        return (0..<width).map { bucket in
            let range = (bucket * values.count / width)..<((bucket + 1) * values.count / width)
            return values[range].reduce(0, +) / Double(range.count)
        }
    }
}
