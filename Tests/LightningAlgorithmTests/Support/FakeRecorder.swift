import LightningAlgorithm
import LightningCore

/// Keeps recorded calls in memory.
actor FakeRecorder: CallRecorder {
    private(set) var calls: [RecordedCall] = []

    func record(_ call: RecordedCall) async {
        calls.append(call)
    }
}
