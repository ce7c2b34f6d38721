/// The Python side of the SDK tests: `python3 script MODE BASE_URL API_KEY MODEL` drives the server
/// with the official `openai` package and prints a JSON object. Kept as a string so that the test
/// target holds only Swift sources.
enum OpenAIScript {
    static let source = #"""
import json
import sys

import openai

mode, base_url, api_key, model = sys.argv[1:5]
client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=60)
messages = [
    {"role": "system", "content": "You add numbers."},
    {"role": "user", "content": "What is 2+3?"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "calc", "arguments": "{\"expr\": \"2+3\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "5"},
]
common = dict(model=model, max_tokens=12, temperature=0.8, seed=7)
tokens = {"return_token_ids": True}


def dump(x):
    return x.model_dump()


def chunks(stream):
    return [dump(c) for c in stream]


if mode == "models":
    out = {"ids": [m.id for m in client.models.list()]}
elif mode == "chat":
    out = dump(client.chat.completions.create(messages=messages, extra_body=tokens, **common))
elif mode == "chat-stream":
    plain = client.chat.completions.create(messages=messages, **common)
    stream = client.chat.completions.create(messages=messages, stream=True, stream_options={"include_usage": True},
                                            extra_body=tokens, **common)
    out = {"plain": dump(plain), "chunks": chunks(stream)}
elif mode == "chat-logprobs":
    out = dump(client.chat.completions.create(messages=messages, logprobs=True, top_logprobs=3, n=2, **common))
elif mode == "completion":
    out = dump(client.completions.create(prompt="2+3=", extra_body=tokens, **common))
elif mode == "completion-stream":
    plain = client.completions.create(prompt="2+3=", **common)
    stream = client.completions.create(prompt="2+3=", stream=True, stream_options={"include_usage": True},
                                       extra_body=tokens, **common)
    out = {"plain": dump(plain), "chunks": chunks(stream)}
elif mode == "completion-logprobs":
    out = dump(client.completions.create(prompt="2+3=", logprobs=2, **common))
elif mode == "wrong-key":
    try:
        client.models.list()
        out = {"status": 200}
    except openai.AuthenticationError as error:
        out = {"status": error.status_code, "body": error.response.json(), "sdk_code": error.code}
elif mode == "bad-model":
    try:
        client.chat.completions.create(model="no-such-model", messages=messages, max_tokens=2)
        out = {"status": 200}
    except openai.NotFoundError as error:
        out = {"status": error.status_code, "sdk_code": error.code, "param": error.param}
elif mode == "disconnect":
    stream = client.chat.completions.create(messages=messages, stream=True, model=model, max_tokens=1000)
    read = 0
    for _ in stream:
        read += 1
        if read == 3:
            break
    stream.close()
    out = {"read": read}
else:
    raise SystemExit(f"unknown mode {mode}")
print(json.dumps(out))
"""#
}
