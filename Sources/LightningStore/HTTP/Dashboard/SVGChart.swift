/// A line chart as inline SVG: one series of (step, value) points with its axes' ranges labelled.
enum SVGChart {
    static func line(title: String, points: [(x: Double, y: Double)], width: Int = 420, height: Int = 180) -> String {
        let margin = (left: 44.0, right: 12.0, top: 24.0, bottom: 26.0)
        let plotWidth = Double(width) - margin.left - margin.right, plotHeight = Double(height) - margin.top - margin.bottom
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        svg += "<title>\(HTML.escape(title))</title>"
        svg += "<text x=\"\(Int(margin.left))\" y=\"16\" font-size=\"12\" fill=\"#1d2330\">\(HTML.escape(title))</text>"
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard let first = finite.first else {
            return svg + "<text x=\"\(Int(margin.left))\" y=\"\(height / 2)\" font-size=\"12\" fill=\"#6b7280\">no data yet</text></svg>"
        }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        let xMin = xs.min() ?? first.x, xMax = max(xs.max() ?? first.x, xMin + 1)
        var yMin = min(ys.min() ?? 0, 0), yMax = ys.max() ?? 1
        if yMax - yMin < 1e-9 { yMax = yMin + 1 }
        if yMin < 0 && ys.allSatisfy({ $0 >= 0 }) { yMin = 0 }
        func px(_ x: Double) -> Double { margin.left + (x - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double { margin.top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight }
        let axis = "stroke=\"#9ca3af\" stroke-width=\"1\""
        svg += "<line x1=\"\(margin.left)\" y1=\"\(margin.top)\" x2=\"\(margin.left)\" y2=\"\(margin.top + plotHeight)\" \(axis)/>"
        svg += "<line x1=\"\(margin.left)\" y1=\"\(margin.top + plotHeight)\" x2=\"\(margin.left + plotWidth)\" y2=\"\(margin.top + plotHeight)\" \(axis)/>"
        let label = "font-size=\"10\" fill=\"#6b7280\""
        svg += "<text x=\"4\" y=\"\(Int(margin.top + 8))\" \(label)>\(HTML.number(yMax, digits: 2))</text>"
        svg += "<text x=\"4\" y=\"\(Int(margin.top + plotHeight))\" \(label)>\(HTML.number(yMin, digits: 2))</text>"
        svg += "<text x=\"\(Int(margin.left))\" y=\"\(height - 8)\" \(label)>step \(Int(xMin))</text>"
        svg += "<text x=\"\(Int(margin.left + plotWidth - 50))\" y=\"\(height - 8)\" \(label)>step \(Int(xMax))</text>"
        let path = finite.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\" points=\"\(path)\"/>"
        if finite.count == 1 {
            svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#2563eb\"/>", px(first.x), py(first.y))
        }
        return svg + "</svg>"
    }
}
