#!/usr/bin/env bash
# The Python packages the tests drive the system with (the official OpenAI and OpenTelemetry clients,
# pyzmq and protobuf for the language-neutral protocol test), check the deployment files with
# (PyYAML, kubernetes-validate), and regenerate the model, tokenizer and template references with (numpy,
# gguf, safetensors, tokenizers, Jinja2); installed only when missing.
set -euo pipefail
python3 - <<'PY' 2>/dev/null && exit 0
import openai, opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http, zmq, google.protobuf, yaml, kubernetes_validate
import numpy, gguf, safetensors, tokenizers, jinja2
PY
python3 -m pip install -q --disable-pip-version-check openai opentelemetry-sdk opentelemetry-exporter-otlp-proto-http pyzmq protobuf \
  PyYAML kubernetes-validate numpy gguf==0.19.0 safetensors==0.8.0 tokenizers==0.23.3 Jinja2==3.1.6
