"""An existing agent, unchanged, trained by Agent Lightning.

It uses only the official `openai` and `opentelemetry` packages and their standard environment
variables, so the runner needs no adapter:

  lightning-runner --agent-command "python3 examples/python-agent/agent.py"

For each rollout the runner starts this script with the task JSON on stdin and sets
  OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL  the model host, under this rollout's URL, so every
                                                    LLM call is recorded with its token ids and logprobs;
  OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_RESOURCE_ATTRIBUTES  where spans go, and which rollout they belong to.
The last stdout line reports the reward; the exit code says whether the agent itself worked.
"""
import json
import os
import re
import sys

from openai import OpenAI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode


def calculator(expression: str) -> str:
    """The agent's tool: evaluates `a op b` for integers."""
    match = re.fullmatch(r"\s*(-?\d+)\s*([-+*/])\s*(-?\d+)\s*", expression)
    if not match:
        raise ValueError(f"cannot evaluate {expression!r}")
    a, op, b = int(match[1]), match[2], int(match[3])
    return str({"+": a + b, "-": a - b, "*": a * b, "/": a // b if b else 0}[op])


def main() -> int:
    task = json.loads(sys.stdin.read())
    question = task.get("question", "")
    expected = str(task.get("answer", "")).strip()

    provider = TracerProvider(resource=Resource.create({"service.name": "python-calc-agent"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    tracer = provider.get_tracer("python-calc-agent")
    client = OpenAI()  # OPENAI_BASE_URL and OPENAI_API_KEY come from the environment
    model = os.environ.get("OPENAI_MODEL", "default")

    with tracer.start_as_current_span("solve") as solve:
        solve.set_attribute("task.question", question)
        reply = client.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": "Answer with the expression to compute, like 12*7."},
                {"role": "user", "content": question},
            ],
            max_tokens=int(task.get("max_tokens", 16)),
            temperature=1.0,
        )
        proposal = reply.choices[0].message.content or ""
        with tracer.start_as_current_span("execute_tool calculator") as tool:
            tool.set_attribute("gen_ai.operation.name", "execute_tool")
            tool.set_attribute("gen_ai.tool.name", "calculator")
            try:
                answer = calculator(proposal)
            except ValueError as error:
                tool.set_status(Status(StatusCode.ERROR, str(error)))
                answer = proposal.strip()
        reward = 1.0 if answer == expected else 0.0
        solve.set_attribute("task.answer", answer)
    provider.shutdown()  # flushes the spans before the process exits

    print(json.dumps({"reward": reward}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
