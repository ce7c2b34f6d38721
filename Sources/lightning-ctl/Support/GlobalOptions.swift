/// Lets the store options come before the command too (`lightning-ctl --store tcp://h:5555 jobs`), as
/// global options: ArgumentParser only reads a subcommand's options after its name, so they are moved
/// there before parsing.
enum GlobalOptions {
    static let names: Set<String> = ["--store", "--timeout", "--curve-server-key", "--curve-secret-key"]

    static func reorder(_ arguments: [String]) -> [String] {
        var global: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            guard names.contains(name) else { break }
            global.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                global.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard !global.isEmpty, index < arguments.count else { return arguments }
        return [arguments[index]] + global + arguments[(index + 1)...]
    }
}
