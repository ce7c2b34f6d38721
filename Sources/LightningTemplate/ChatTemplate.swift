import Foundation

/// A compiled Hugging Face chat template that renders exactly as transformers does with Jinja2:
/// `ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)` with loop controls,
/// `tojson` as `json.dumps(..., ensure_ascii=False)`, and the globals `raise_exception` and
/// `strftime_now`.
///
/// ```swift
/// let template = try ChatTemplate(source)
/// let prompt = try template.render([
///     "messages": [["role": "user", "content": "Hi"]],
///     "add_generation_prompt": true,
/// ])
/// ```
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    private let nodes: [Node]

    /// Compiles `source`; syntax errors and constructs this interpreter does not implement throw a
    /// ``TemplateError`` that names the construct and the line.
    public init(_ source: String) throws {
        self.source = source
        self.nodes = try Parser.parse(source)
    }

    /// Renders the template with `context` as its variables (`messages`, `tools`,
    /// `add_generation_prompt`, `bos_token`, ...).
    ///
    /// - Parameters:
    ///   - now: the time `strftime_now` reports.
    ///   - timeZone: the zone `strftime_now` formats in (Python uses local time).
    /// - Throws: ``TemplateError``; `raise_exception(msg)` in the template throws code `.raised`
    ///   with `msg` as the message.
    public func render(_ context: [String: TemplateValue], now: Date = Date(), timeZone: TimeZone = .current) throws -> String {
        try Interpreter(context: context, now: now, timeZone: timeZone).render(nodes)
    }
}
