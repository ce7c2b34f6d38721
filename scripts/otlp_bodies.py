"""Writes OTLP/HTTP protobuf request bodies for the ingest benchmark (`lightning-bench runner`).

    python3 scripts/otlp_bodies.py IDS_FILE OUT_FILE REQUESTS SPANS_PER_REQUEST

IDS_FILE holds `rollout_id attempt_id` lines; request i names line i mod n in its resource attributes,
as an instrumented agent's exporter would. OUT_FILE gets each body prefixed by its length (4 bytes,
little endian). Span ids are unique across the file, so every span is stored (none is a duplicate).
"""
import struct
import sys

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

ids_path, out_path, requests, per_request = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ids = [line.split() for line in open(ids_path) if line.strip()]


def attribute(key, value):
    if isinstance(value, str):
        return KeyValue(key=key, value=AnyValue(string_value=value))
    return KeyValue(key=key, value=AnyValue(int_value=value))


with open(out_path, "wb") as out:
    for r in range(requests):
        rollout, attempt = ids[r % len(ids)]
        request = ExportTraceServiceRequest()
        resource_spans = request.resource_spans.add()
        resource_spans.resource.attributes.extend([
            attribute("service.name", "bench-agent"),
            attribute("lightning.rollout_id", rollout),
            attribute("lightning.attempt_id", attempt),
        ])
        scope = resource_spans.scope_spans.add()
        scope.scope.name = "bench"
        for s in range(per_request):
            span = scope.spans.add()
            n = r * per_request + s
            span.trace_id = (n + 1).to_bytes(16, "big")  # an all-zero trace id is invalid in OTLP
            span.span_id = (n + 1).to_bytes(8, "big")
            span.name = "execute_tool search" if s % 2 else "chat lightning-s"
            span.kind = 3
            span.start_time_unix_nano = 1_700_000_000_000_000_000 + n * 1000
            span.end_time_unix_nano = span.start_time_unix_nano + 500
            span.attributes.extend([
                attribute("gen_ai.operation.name", "execute_tool" if s % 2 else "chat"),
                attribute("gen_ai.usage.output_tokens", 42),
                attribute("step", s),
            ])
        body = request.SerializeToString()
        out.write(struct.pack("<I", len(body)))
        out.write(body)
