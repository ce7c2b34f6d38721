import LightningModel

/// A model whose trained values a finite-difference check can read and set one at a time.
protocol FiniteDifferenceCheckable {
    var parameterValues: [Float] { get }
    var gradientValues: [Float] { get }
    func setParameter(at index: Int, to value: Float) throws(ModelError)
}

extension TrainingModel: FiniteDifferenceCheckable {}
extension LlamaTrainingModel: FiniteDifferenceCheckable {}

/// The worst `|fd − g| / (0.05 + |fd|)` over `indices` of the model's trained values, `fd` the central
/// difference of `loss` with step 1e-2 and `g` the gradient backward accumulated.
func finiteDifferenceError(_ model: some FiniteDifferenceCheckable, indices: some Sequence<Int>, loss: () throws -> Double) throws -> Double {
    let grads = model.gradientValues, values = model.parameterValues, h: Float = 1e-2
    var worst = 0.0
    for index in indices {
        try model.setParameter(at: index, to: values[index] + h)
        let up = try loss()
        try model.setParameter(at: index, to: values[index] - h)
        let down = try loss()
        try model.setParameter(at: index, to: values[index])
        let fd = (up - down) / Double(2 * h)
        worst = max(worst, abs(fd - Double(grads[index])) / (0.05 + abs(fd)))
    }
    return worst
}
