import Foundation

/// The global functions a Hugging Face chat template sees: Jinja2's `range`, `dict`, `namespace`,
/// plus transformers' `raise_exception` and `strftime_now`.
enum Globals {
    static func make() -> [String: Value] {
        var globals: [String: Value] = [:]
        func define(_ name: String, _ body: @escaping (Arguments, Interpreter) throws -> Value) {
            globals[name] = .callable(Callable(name: name, isMacro: false, invoke: body))
        }
        define("range") { arguments, _ in try range(arguments) }
        define("dict") { arguments, _ in
            var dict = Dict()
            for item in arguments.positional {
                guard case .dict(let source) = item else { throw TemplateError(.unsupported, "dict() from \(item.typeName) is not supported") }
                for (key, value) in source.pairs { dict[key] = value }
            }
            for (key, value) in arguments.keyword { dict[key] = value }
            return .dict(dict)
        }
        define("namespace") { arguments, _ in
            var attributes = Dict()
            for item in arguments.positional {
                guard case .dict(let source) = item else { throw TemplateError(.type, "namespace() positional argument must be a mapping") }
                for (key, value) in source.pairs { attributes[key] = value }
            }
            for (key, value) in arguments.keyword { attributes[key] = value }
            return .namespace(Namespace(attributes))
        }
        define("raise_exception") { arguments, _ in
            let message = try arguments.bind("raise_exception", ["message"], required: 1)[0]!
            throw TemplateError(.raised, message.pythonString)
        }
        define("strftime_now") { arguments, interpreter in
            let format = try arguments.bind("strftime_now", ["format"], required: 1)[0]!
            guard case .string(let text) = format else { throw TemplateError(.type, "strftime() argument 1 must be str, not \(format.typeName)") }
            return .string(try Strftime.format(text, date: interpreter.now, timeZone: interpreter.timeZone))
        }
        for name in ["lipsum", "cycler", "joiner"] {
            define(name) { _, _ in throw TemplateError(.unsupported, "the global '\(name)' is not supported by this template interpreter") }
        }
        return globals
    }

    /// `range()` with the sandbox's limit of 100000 items.
    private static func range(_ arguments: Arguments) throws -> Value {
        guard arguments.keyword.isEmpty else { throw TemplateError(.type, "range() takes no keyword arguments") }
        var bounds: [Int] = []
        for value in arguments.positional {
            guard case .int(let integer)? = Operators.number(value) else {
                throw TemplateError(.type, "'\(value.typeName)' object cannot be interpreted as an integer")
            }
            bounds.append(integer)
        }
        let (start, stop, step): (Int, Int, Int)
        switch bounds.count {
        case 1: (start, stop, step) = (0, bounds[0], 1)
        case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
        case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
        default: throw TemplateError(.type, "range expected at most 3 arguments, got \(bounds.count)")
        }
        guard step != 0 else { throw TemplateError(.type, "range() arg 3 must not be zero") }
        let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
        guard count <= 100_000 else {
            throw TemplateError(.security, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")
        }
        return .list((0..<count).map { .int(start + $0 * step) })
    }
}

/// Python's `datetime.strftime` for the C locale.
enum Strftime {
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    static func format(_ pattern: String, date: Date, timeZone: TimeZone) throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday, .nanosecond], from: date)
        let year = parts.year!, month = parts.month!, day = parts.day!
        let hour = parts.hour!, minute = parts.minute!, second = parts.second!
        let weekday = parts.weekday! - 1
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        func pad(_ value: Int, _ width: Int = 2, _ fill: Character = "0") -> String {
            let text = String(value)
            return String(repeating: fill, count: max(0, width - text.count)) + text
        }
        var out = ""
        var iterator = pattern.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                out.append(character)
                continue
            }
            guard let directive = iterator.next() else {
                out.append("%")
                break
            }
            switch directive {
            case "a": out += String(weekdays[weekday].prefix(3))
            case "A": out += weekdays[weekday]
            case "b", "h": out += String(months[month - 1].prefix(3))
            case "B": out += months[month - 1]
            case "d": out += pad(day)
            case "e": out += pad(day, 2, " ")
            case "m": out += pad(month)
            case "y": out += pad(year % 100)
            case "Y": out += String(year)
            case "H": out += pad(hour)
            case "I": out += pad(hour % 12 == 0 ? 12 : hour % 12)
            case "M": out += pad(minute)
            case "S": out += pad(second)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "j": out += pad(dayOfYear, 3)
            case "w": out += String(weekday)
            case "u": out += String(weekday == 0 ? 7 : weekday)
            case "F": out += "\(year)-\(pad(month))-\(pad(day))"
            case "D": out += "\(pad(month))/\(pad(day))/\(pad(year % 100))"
            case "T": out += "\(pad(hour)):\(pad(minute)):\(pad(second))"
            case "R": out += "\(pad(hour)):\(pad(minute))"
            case "f": out += pad((parts.nanosecond ?? 0) / 1000, 6)
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            default:
                throw TemplateError(.unsupported, "strftime directive '%\(directive)' is not supported")
            }
        }
        return out
    }
}
