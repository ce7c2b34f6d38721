// The agent runner arrives with its own issue; until then the executable says so and fails.
import Foundation

FileHandle.standardError.write(Data("lightning-runner is not built yet: the agent runner arrives with its issue.\n".utf8))
exit(2)
