/// A variable frame. The template root, each loop iteration, each macro call and each `with`
/// block get one; `if` blocks do not (Jinja2's scoping).
final class Scope {
    private var variables: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let current = scope {
            if let value = current.variables[name] { return value }
            scope = current.parent
        }
        return nil
    }

    func set(_ name: String, _ value: Value) {
        variables[name] = value
    }
}
