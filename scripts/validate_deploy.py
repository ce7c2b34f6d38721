#!/usr/bin/env python3
"""Offline checks of the deployment files, run by scripts/validate-deploy.sh (and so by `make test`).

  validate_deploy.py compose docker-compose.yml     the compose file's structure
  validate_deploy.py dockerfile docker/Dockerfile   the image's stages
  validate_deploy.py render k8s                     the kustomization rendered without kubectl
  validate_deploy.py k8s RENDERED.yaml              what the schemas cannot say: probes, resources, references
  validate_deploy.py same A.yaml B.yaml             two renderings hold the same objects
  validate_deploy.py break RENDERED.yaml KIND       a copy with one deliberate fault, for the self-test

Each check prints what it found wrong and exits 1, or exits 0 silently.
"""
import copy
import os
import re
import sys

import yaml


def fail(problems):
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    sys.exit(1 if problems else 0)


# Compose


def host_ports(service):
    ports = []
    for port in service.get("ports", []):
        text = str(port.get("published", "")) if isinstance(port, dict) else str(port)
        if ":" in text or (isinstance(port, dict) and port.get("published")):
            ports.append(text)
    return ports


def check_compose(path):
    with open(path) as handle:
        compose = yaml.safe_load(handle)
    problems = []
    services = compose.get("services") or {}
    declared_volumes = set((compose.get("volumes") or {}).keys())
    for name in ("postgres", "store", "algorithm", "runner"):
        if name not in services:
            problems.append(f"service {name} is missing")
    for name in ("postgres", "store", "algorithm"):
        test = ((services.get(name) or {}).get("healthcheck") or {}).get("test")
        if not test:
            problems.append(f"service {name} has no healthcheck")
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":")[0]
            # Named volumes (not paths) must be declared at the top level.
            if source and not source.startswith((".", "/", "~", "$")) and source not in declared_volumes:
                problems.append(f"service {name} uses volume {source}, which is not declared under volumes")
        for dependency in service.get("depends_on") or []:
            if dependency not in services:
                problems.append(f"service {name} depends on unknown service {dependency}")
        build = service.get("build")
        if isinstance(build, dict):
            dockerfile = os.path.join(os.path.dirname(path), build.get("context", "."), build.get("dockerfile", "Dockerfile"))
            if not os.path.exists(dockerfile):
                problems.append(f"service {name} builds from {dockerfile}, which does not exist")
    runner = services.get("runner") or {}
    if "container_name" in runner:
        problems.append("runner has a container_name: `--scale runner=N` cannot start more than one")
    if host_ports(runner):
        problems.append("runner publishes host ports: `--scale runner=N` would collide on them")
    if "lightning-runner" not in " ".join(map(str, runner.get("command") or [])):
        problems.append("runner does not run lightning-runner")
    store = services.get("store") or {}
    published = " ".join(host_ports(store))
    for port in ("5555", "5556", "4318"):
        if port not in published:
            problems.append(f"store does not publish port {port}")
    if "LIGHTNING_DATABASE_URL" not in (store.get("environment") or {}):
        problems.append("store has no LIGHTNING_DATABASE_URL")
    algorithm = services.get("algorithm") or {}
    if (algorithm.get("environment") or {}).get("LIGHTNING_MODEL_PUBLIC_URL") != "http://algorithm:8000":
        problems.append("algorithm's LIGHTNING_MODEL_PUBLIC_URL is not http://algorithm:8000")
    if "train" not in (algorithm.get("command") or []):
        problems.append("algorithm does not run `lightning-algorithm train`")
    if not any("checkpoints" in str(volume) for volume in algorithm.get("volumes", [])):
        problems.append("algorithm has no checkpoint volume")
    fail(problems)


# Dockerfile


def check_dockerfile(path):
    with open(path) as handle:
        text = handle.read()
    # The build steps live in the scripts the Dockerfile copies from docker/; read them with it.
    root = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    for script in re.findall(r"^COPY\s+(docker/\S+)", text, re.MULTILINE):
        with open(os.path.join(root, script)) as handle:
            text += "\n" + handle.read()
    problems = []
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE | re.IGNORECASE)
    if len(stages) < 2:
        problems.append("not a multi-stage build")
    if not re.search(r"swift build -c release", text):
        problems.append("the builder does not run `swift build -c release`")
    for package in ("libzmq3-dev", "libpq-dev", "libopenblas-dev", "zlib1g-dev", "pkg-config"):
        if package not in text:
            problems.append(f"the builder does not install {package}")
    for tool in ("lightning-store", "lightning-runner", "lightning-algorithm", "lightning-ctl"):
        if tool not in text:
            problems.append(f"{tool} is not in the image")
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    if not users or users[-1] in ("root", "0"):
        problems.append("the runtime image runs as root")
    fail(problems)


# Kustomize rendering, for machines without kubectl: the features k8s/kustomization.yaml uses.


CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
                  "CustomResourceDefinition", "PriorityClass"}
SUPPORTED = {"apiVersion", "kind", "namespace", "resources", "labels", "images"}


def render(directory):
    with open(os.path.join(directory, "kustomization.yaml")) as handle:
        kustomization = yaml.safe_load(handle)
    unsupported = set(kustomization) - SUPPORTED
    if unsupported:
        sys.exit(f"render: kustomization fields {sorted(unsupported)} need kubectl kustomize")
    documents = []
    for resource in kustomization.get("resources", []):
        with open(os.path.join(directory, resource)) as handle:
            documents += [document for document in yaml.safe_load_all(handle) if document]
    namespace = kustomization.get("namespace")
    for document in documents:
        metadata = document.setdefault("metadata", {})
        if namespace and document["kind"] == "Namespace":
            metadata["name"] = namespace
        elif namespace and document["kind"] not in CLUSTER_SCOPED:
            metadata["namespace"] = namespace
        for label in kustomization.get("labels", []):
            if label.get("includeSelectors") or label.get("includeTemplates"):
                sys.exit("render: labels on selectors or templates need kubectl kustomize")
            metadata.setdefault("labels", {}).update(label.get("pairs", {}))
        for container in pod_containers(document):
            for image in kustomization.get("images", []):
                name, _, _ = container.get("image", "").partition(":")
                if name == image["name"]:
                    container["image"] = image.get("newName", name) + ":" + str(image.get("newTag", "latest"))
    return documents


def pod_containers(document):
    spec = document.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("initContainers", []) + spec.get("containers", [])


# Checks of the rendered objects that the API schemas do not make.


def load_all(path):
    with open(path) as handle:
        return [document for document in yaml.safe_load_all(handle) if document]


def find(documents, kind, name):
    return next((d for d in documents if d.get("kind") == kind and d.get("metadata", {}).get("name") == name), None)


def check_k8s(path):
    documents = load_all(path)
    problems = []
    namespace = find([d for d in documents if d["kind"] == "Namespace"], "Namespace", "agent-lightning")
    if namespace is None:
        problems.append("no Namespace agent-lightning")
    for document in documents:
        if document["kind"] not in CLUSTER_SCOPED and document["metadata"].get("namespace") != "agent-lightning":
            problems.append(f"{document['kind']}/{document['metadata']['name']} is not in namespace agent-lightning")
    config_maps = {d["metadata"]["name"]: d for d in documents if d["kind"] == "ConfigMap"}
    secrets = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Secret"}

    expected = [("StatefulSet", "postgres"), ("Service", "postgres"), ("Deployment", "store"), ("Service", "store"),
                ("StatefulSet", "algorithm"), ("Service", "algorithm"), ("Deployment", "runner"),
                ("HorizontalPodAutoscaler", "runner"), ("ConfigMap", "lightning-config"), ("Secret", "lightning-database")]
    for kind, name in expected:
        if find(documents, kind, name) is None:
            problems.append(f"{kind}/{name} is missing")

    workloads = [d for d in documents if d["kind"] in ("Deployment", "StatefulSet")]
    for workload in workloads:
        label = f"{workload['kind']}/{workload['metadata']['name']}"
        selector = workload["spec"].get("selector", {}).get("matchLabels", {})
        pod_labels = workload["spec"].get("template", {}).get("metadata", {}).get("labels", {})
        if not selector or any(pod_labels.get(k) != v for k, v in selector.items()):
            problems.append(f"{label}: the selector does not match the pod labels")
        for container in pod_containers(workload):
            resources = container.get("resources", {})
            if not resources.get("requests", {}).get("cpu") or not resources.get("limits", {}).get("memory"):
                problems.append(f"{label}: container {container['name']} lacks CPU requests or memory limits")
            for source in container.get("envFrom", []):
                if "configMapRef" in source and source["configMapRef"]["name"] not in config_maps:
                    problems.append(f"{label}: ConfigMap {source['configMapRef']['name']} does not exist")
                if "secretRef" in source and source["secretRef"]["name"] not in secrets:
                    problems.append(f"{label}: Secret {source['secretRef']['name']} does not exist")
            for variable in container.get("env", []):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if reference:
                    secret = secrets.get(reference["name"])
                    data = {**(secret or {}).get("data", {}), **(secret or {}).get("stringData", {})}
                    if reference["key"] not in data:
                        problems.append(f"{label}: Secret {reference['name']} has no key {reference['key']}")

    services = [d for d in documents if d["kind"] == "Service"]
    for service in services:
        selector = service["spec"].get("selector", {})
        if not any(all(w["spec"]["template"]["metadata"].get("labels", {}).get(k) == v for k, v in selector.items()) for w in workloads):
            problems.append(f"Service/{service['metadata']['name']} selects no pods")

    def probes(kind, name):
        workload = find(documents, kind, name)
        containers = pod_containers(workload) if workload else []
        return containers[0] if containers else {}

    store = probes("Deployment", "store")
    if store.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/livez":
        problems.append("store's liveness probe is not GET /livez")
    if store.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
        problems.append("store's readiness probe is not GET /healthz")
    store_service = find(documents, "Service", "store")
    if store_service and sorted(p["port"] for p in store_service["spec"]["ports"]) != [4318, 5555, 5556]:
        problems.append("Service/store does not expose 5555, 5556 and 4318")
    algorithm = probes("StatefulSet", "algorithm")
    for probe in ("livenessProbe", "readinessProbe"):
        if algorithm.get(probe, {}).get("httpGet", {}).get("path") != "/healthz":
            problems.append(f"algorithm's {probe} is not GET /healthz")
    for name in ("postgres", "algorithm"):
        workload = find(documents, "StatefulSet", name)
        if workload and not workload["spec"].get("volumeClaimTemplates"):
            problems.append(f"StatefulSet/{name} has no volumeClaimTemplates")
    algorithm_service = find(documents, "Service", "algorithm")
    if algorithm_service and [p["port"] for p in algorithm_service["spec"]["ports"]] != [8000]:
        problems.append("Service/algorithm does not expose 8000")
    hpa = find(documents, "HorizontalPodAutoscaler", "runner")
    if hpa:
        target = hpa["spec"].get("scaleTargetRef", {})
        if hpa.get("apiVersion") != "autoscaling/v2" or target.get("kind") != "Deployment" or target.get("name") != "runner":
            problems.append("the autoscaler is not autoscaling/v2 on Deployment/runner")
        if not any(m.get("resource", {}).get("name") == "cpu" for m in hpa["spec"].get("metrics", [])):
            problems.append("the autoscaler does not scale on CPU")
    fail(problems)


def identities(documents):
    return sorted((d["apiVersion"], d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in documents)


def check_same(first, second):
    a, b = load_all(first), load_all(second)
    problems = []
    if identities(a) != identities(b):
        problems.append(f"the renderings differ in their objects:\n    {identities(a)}\n    {identities(b)}")
    else:
        key = lambda d: (d["kind"], d["metadata"]["name"])
        for left, right in zip(sorted(a, key=key), sorted(b, key=key)):
            if left != right:
                problems.append(f"the renderings of {left['kind']}/{left['metadata']['name']} differ")
    fail(problems)


# Deliberate faults, to prove that the validators catch them.


def break_manifest(path, fault):
    documents = load_all(path)
    store = find(documents, "Deployment", "store")
    if fault == "schema":
        # A port that is not a number: the API server would refuse it.
        store["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "five-five-five-five"
    elif fault == "policy":
        # Valid for the schemas, but the store would never become ready under its Service.
        del store["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    else:
        sys.exit(f"unknown fault {fault}")
    yaml.safe_dump_all(documents, sys.stdout, sort_keys=False)


def main(arguments):
    if len(arguments) < 2:
        sys.exit(__doc__)
    command = arguments[0]
    if command == "compose":
        check_compose(arguments[1])
    elif command == "dockerfile":
        check_dockerfile(arguments[1])
    elif command == "render":
        yaml.safe_dump_all(render(arguments[1]), sys.stdout, sort_keys=False)
    elif command == "k8s":
        check_k8s(arguments[1])
    elif command == "same":
        check_same(arguments[1], arguments[2])
    elif command == "break":
        break_manifest(arguments[1], arguments[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
