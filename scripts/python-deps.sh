#!/usr/bin/env bash
# The Python packages the tests drive the system with (the official OpenAI and OpenTelemetry clients,
# pyzmq and protobuf for the language-neutral protocol test) and check the deployment files with
# (PyYAML, kubernetes-validate); installed only when missing.
set -euo pipefail
python3 - <<'PY' 2>/dev/null && exit 0
import openai, opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http, zmq, google.protobuf, yaml, kubernetes_validate
PY
python3 -m pip install -q --disable-pip-version-check openai opentelemetry-sdk opentelemetry-exporter-otlp-proto-http pyzmq protobuf \
  PyYAML kubernetes-validate
