import Foundation
import LightningTemplate
import Testing

/// Real chat templates (SmolLM2, Qwen2.5, Llama 3.1/3.2, Hermes 3) render exactly as Jinja2 3.1.6 does
/// in transformers' environment, on conversations with and without tools, system prompts and the
/// generation prompt (fixtures written by `Tools/reference/make_template_fixtures.py`).
@Suite struct ChatTemplateReferenceTests {
    struct Rendering: Decodable {
        let template: String
        let `case`: String
        let context: String
        let output: String?
        let error: String?
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The time the fixtures' `strftime_now` saw (a naive datetime: formatted as UTC here).
    static let now = Date(timeIntervalSince1970: 1_785_058_200)

    static func renderings() throws -> [Rendering] {
        try JSONDecoder().decode([Rendering].self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
    }

    @Test("every fixture rendering equals Jinja2's output or raises its message")
    func matchesJinja2() throws {
        let renderings = try Self.renderings()
        #expect(renderings.count >= 50)
        var templates: [String: ChatTemplate] = [:]
        for rendering in renderings {
            let label = "\(rendering.template) / \(rendering.case)"
            let template: ChatTemplate
            if let compiled = templates[rendering.template] {
                template = compiled
            } else {
                let source = try String(contentsOf: Self.fixtures.appendingPathComponent("templates/\(rendering.template)"), encoding: .utf8)
                template = try ChatTemplate(source)
                templates[rendering.template] = template
            }
            guard case .object(let context) = try TemplateValue(jsonString: rendering.context) else {
                Issue.record("\(label): context is not an object")
                continue
            }
            var variables: [String: TemplateValue] = [:]
            for (key, value) in context { variables[key] = value }
            do {
                let output = try template.render(variables, now: Self.now, timeZone: TimeZone(identifier: "UTC")!)
                if let expected = rendering.output {
                    #expect(output == expected, "\(label)")
                } else {
                    Issue.record("\(label): rendered, but Jinja2 raised \(rendering.error ?? "")")
                }
            } catch let error as TemplateError {
                #expect(rendering.error != nil && error.message == rendering.error, "\(label): \(error)")
            }
        }
    }
}

@Suite struct ChatTemplateRefusalTests {
    @Test("a template with a construct the interpreter lacks is refused at load, the construct named",
          arguments: [
              ("{% extends 'base.html' %}", "extends"),
              ("{% for m in messages recursive %}{{ loop(m) }}{% endfor %}", "recursive"),
              ("{{ messages | no_such_filter }}", "no_such_filter"),
              ("{% if messages %}unclosed", "endif"),
          ])
    func refusedAtLoad(_ source: String, _ construct: String) {
        do {
            _ = try ChatTemplate(source)
            Issue.record("'\(source)' compiled")
        } catch let error as TemplateError {
            #expect(error.message.contains(construct), "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("raise_exception in a template fails the render with the template's message")
    func raiseException() throws {
        let template = try ChatTemplate("{% if not messages %}{{ raise_exception('no messages') }}{% endif %}ok")
        let error = #expect(throws: TemplateError.self) { try template.render(["messages": []]) }
        #expect(error?.code == .raised && error?.message == "no messages")
        #expect(try template.render(["messages": ["x"]]) == "ok")
    }
}
