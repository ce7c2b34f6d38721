"""Renders the chat templates in Tests/LightningTemplateTests/Fixtures/templates with Jinja2 as
transformers does (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, tojson
without ASCII escaping, raise_exception, strftime_now at a fixed time) over a set of conversations, and
writes the outputs to Fixtures/expected.json for the Swift interpreter to match."""
import json
import pathlib
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parents[2] / "Tests/LightningTemplateTests/Fixtures"
NOW = datetime(2026, 7, 26, 9, 30, 0)


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: NOW.strftime(fmt)
    return env


WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. Zürich"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}
CALC = {"type": "function", "function": {
    "name": "calculate", "description": "Evaluate an arithmetic expression.",
    "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]}}}

USER = {"role": "user", "content": "What is the capital of France?"}
SYSTEM = {"role": "system", "content": "You are terse. Answer in one word."}
CHAT = [USER, {"role": "assistant", "content": "Paris."}, {"role": "user", "content": "And of Japan? 日本 🗾"}]
TOOL_TURN = [
    {"role": "user", "content": "Weather in Zürich?"},
    {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "type": "function", "function": {
        "name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "{\"temperature\": 21, \"sky\": \"clear\"}"},
]

CASES = {
    "user": {"messages": [USER]},
    "user+generation": {"messages": [USER], "add_generation_prompt": True},
    "system+generation": {"messages": [SYSTEM, USER], "add_generation_prompt": True},
    "chat": {"messages": CHAT, "add_generation_prompt": True},
    "system+chat": {"messages": [SYSTEM] + CHAT, "add_generation_prompt": False},
    "tools": {"messages": [USER], "tools": [WEATHER, CALC], "add_generation_prompt": True},
    "system+tools": {"messages": [SYSTEM, USER], "tools": [WEATHER], "add_generation_prompt": True},
    "tool-call-round-trip": {"messages": TOOL_TURN, "tools": [WEATHER], "add_generation_prompt": True},
    "tool-call-no-tools": {"messages": TOOL_TURN, "add_generation_prompt": True},
    "two-tool-calls": {"messages": TOOL_TURN[:1] + [{"role": "assistant", "content": "", "tool_calls": [
        TOOL_TURN[1]["tool_calls"][0], {"id": "call_2", "type": "function", "function": {"name": "calculate", "arguments": {"expression": "2+2"}}}]}],
        "tools": [WEATHER, CALC]},
    "special-text": {"messages": [{"role": "user", "content": "  spaces\n\ttab {{ not jinja }} <|im_end|> \"quotes\" \\ "}], "add_generation_prompt": True},
}
TEMPLATE_CASES = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}


def main():
    env = environment()
    out = []
    for path in sorted((HERE / "templates").glob("*.jinja")):
        template = env.from_string(path.read_text())
        for name, context in CASES.items():
            context = dict(TEMPLATE_CASES, **context)
            try:
                result = {"output": template.render(**context)}
            except jinja2.exceptions.TemplateError as error:
                result = {"error": str(error)}
            out.append({"template": path.name, "case": name, "context": json.dumps(context, ensure_ascii=False), **result})
    (HERE / "expected.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(out)} renderings, {sum('error' in o for o in out)} raise")


if __name__ == "__main__":
    main()
