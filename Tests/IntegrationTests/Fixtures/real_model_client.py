"""The official openai package against `lightning-algorithm serve --model` with SmolLM2-135M-Instruct:
a question answered, streaming equal to the whole reply, OpenAI error shapes for requests the model
cannot serve, and (with a tool-capable template, TOOLS=1) a tool call that round-trips."""
import json
import os

import openai

client = openai.OpenAI(base_url=os.environ["BASE_URL"], api_key="none", max_retries=0)
name = client.models.list().data[0].id
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]

if os.environ.get("TOOLS") != "1":
    reply = client.chat.completions.create(model=name, messages=QUESTION, max_tokens=24, temperature=0, logprobs=True, top_logprobs=3)
    choice = reply.choices[0]
    assert "Paris" in choice.message.content, choice.message.content
    assert choice.finish_reason == "stop", choice.finish_reason
    assert len(choice.logprobs.content) >= reply.usage.completion_tokens - 1, (len(choice.logprobs.content), reply.usage)
    assert all(len(t.top_logprobs) == 3 and t.logprob <= 0 for t in choice.logprobs.content)
    # Greedy: the sampled token is the most likely one.
    assert all(t.top_logprobs[0].logprob == t.logprob for t in choice.logprobs.content)
    stream = client.chat.completions.create(model=name, messages=QUESTION, max_tokens=24, temperature=0, stream=True)
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert streamed == choice.message.content, (streamed, choice.message.content)

    for label, request in [
        ("context overflow", dict(messages=[{"role": "user", "content": "word " * 9000}], max_tokens=4)),
        ("bad tools schema", dict(messages=QUESTION, tools=[{"type": "function", "function": {"description": "no name"}}])),
    ]:
        try:
            client.chat.completions.create(model=name, **request)
            raise SystemExit(f"{label}: accepted")
        except openai.BadRequestError as error:
            assert error.status_code == 400 and error.body.get("message"), (label, error.body)
    again = client.chat.completions.create(model=name, messages=QUESTION, max_tokens=24, temperature=0)
    assert again.choices[0].message.content == choice.message.content
    print("answer:", choice.message.content)
else:
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    forced = {"type": "function", "function": {"name": "get_weather"}}
    reply = client.chat.completions.create(model=name, messages=ask, tools=tools, tool_choice=forced, max_tokens=48, temperature=0)
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls", (choice.finish_reason, choice.message)
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "get_weather" and call.id, call
    stream = client.chat.completions.create(model=name, messages=ask, tools=tools, tool_choice=forced, max_tokens=48, temperature=0, stream=True)
    names, arguments, finish = [], "", None
    for chunk in stream:
        if not chunk.choices:
            continue
        for delta in chunk.choices[0].delta.tool_calls or []:
            if delta.function.name:
                names.append(delta.function.name)
            arguments += delta.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert names == ["get_weather"] and finish == "tool_calls", (names, finish)
    assert arguments == call.function.arguments, (arguments, call.function.arguments)
    # The call and its result go back through the template; the model answers in text.
    follow = ask + [{"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
                    {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature": 21, "sky": "clear"})}]
    answer = client.chat.completions.create(model=name, messages=follow, tools=tools, max_tokens=32, temperature=0)
    assert answer.choices[0].message.content or answer.choices[0].message.tool_calls, answer
    print("tool call:", call.function.name, call.function.arguments)
