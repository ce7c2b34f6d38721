import ArgumentParser
import LightningCore
import LightningTasks

// The store's enums as option values, spelled as on the wire (`--status running`, `--mode val`).
extension RolloutMode: ExpressibleByArgument {}
extension RolloutStatus: ExpressibleByArgument {}
extension JobStatus: ExpressibleByArgument {}
extension TaskSplit: ExpressibleByArgument {}
