# Agent Lightning in Swift. `make test` and `make run` work on a fresh Debian machine: they install
# what is missing and start a private PostgreSQL under .pg/.
SHELL := /bin/bash
PG_URL := $(shell scripts/pg.sh url)
SWIFT_TEST_FLAGS ?=
PROTOC_GEN_SWIFT := .tools/swift-protobuf/.build/release/protoc-gen-swift

.PHONY: deps build release test test-only pg-start pg-stop proto run stop bench-store bench-model bench-runner bench-train deploy-check images compose-test clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release

pg-start: deps
	@scripts/pg.sh start

pg-stop:
	@scripts/pg.sh stop

# Builds, starts the private PostgreSQL, runs every test against it, and stops it again.
test: deps
	@scripts/test.sh $(SWIFT_TEST_FLAGS)

# Trains the calc agent end to end: store, trainer + model host and runner as separate processes, with
# SmolLM2-135M-Instruct (LoRA), or MODEL=gpt for the project's GPT, or MODEL=/path/to/model.gguf.
# The store and runner stay up afterwards for inspection; `make stop` ends them and PostgreSQL.
MODEL ?= smollm2
run: deps
	@scripts/run.sh $(MODEL)

stop:
	-@for f in .lightning/run/runner.pid .lightning/run/store.pid; do [ -f $$f ] && kill $$(cat $$f) 2>/dev/null; rm -f $$f; done
	@scripts/pg.sh stop

# The runner's overhead per rollout and OTLP ingest spans/s into PostgreSQL.
bench-runner: deps
	@scripts/bench-runner.sh

# SFT warm-up then GRPO on each built-in task through the whole system; results into BENCHMARKS.md.
bench-train: deps
	@scripts/bench-train.sh

# Checks docker/Dockerfile, docker-compose.yml and k8s/ offline; `make test` runs it first.
deploy-check:
	@scripts/validate-deploy.sh

# The images without a registry (Debian's packages via debootstrap, the binaries built here), on the
# Docker engine that runs or one started with its data under .docker/.
images: deps
	@scripts/images.sh

# README's Docker section through a real engine: images, compose up with three runners, training while a
# runner and the store are killed, health and metrics, SmolLM2, bad configuration, down -v. Run by .ci/run.
compose-test: deps
	@scripts/compose-test.sh

# Regenerates the Swift code of Protos/ (committed; the normal build never runs the plugin).
proto: $(PROTOC_GEN_SWIFT)
	@command -v protoc >/dev/null || scripts/install-deps.sh protobuf-compiler
	rm -f Sources/LightningWire/Generated/*.pb.swift
	protoc --plugin=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
	  --swift_out=Sources/LightningWire/Generated -I Protos Protos/lightning/v1/*.proto
	rm -f Sources/LightningStore/OTLP/Generated/*.pb.swift
	protoc --plugin=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Internal --swift_opt=FileNaming=PathToUnderscores \
	  --swift_out=Sources/LightningStore/OTLP/Generated -I Protos Protos/otlp/v1/*.proto

$(PROTOC_GEN_SWIFT):
	mkdir -p .tools
	[ -d .tools/swift-protobuf ] || git clone -q --branch 1.39.0 https://github.com/apple/swift-protobuf .tools/swift-protobuf
	cd .tools/swift-protobuf && swift build -c release --product protoc-gen-swift

bench-store: deps
	@scripts/bench-store.sh

# Model training and decoding against JAX on CPU, sgemm rate, HTTP overhead, peak memory.
bench-model: deps
	@scripts/bench-model.sh

clean:
	rm -rf .build .build-*
