// The algorithm service arrives with the model host and training issues; until then it says so and fails.
import Foundation

FileHandle.standardError.write(Data("lightning-algorithm is not built yet: the model host and trainer arrive with their issues.\n".utf8))
exit(2)
