#!/usr/bin/env bash
# Offline checks of the deployment files (no Docker engine or cluster needed), run by `make test`:
# docker-compose.yml and docker/Dockerfile by structure; k8s/ rendered with `kubectl kustomize` (or,
# without kubectl, by scripts/validate_deploy.py, which handles the kustomize features k8s/ uses) and
# validated against the Kubernetes API schemas of K8S_VERSION by kubernetes-validate, plus the checks
# the schemas cannot make. A self-test then breaks a copy of the manifests and expects both to fail.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-deps.sh
K8S_VERSION=${K8S_VERSION:-1.32.0}
check=scripts/validate_deploy.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "deploy: docker-compose.yml, docker/Dockerfile"
python3 $check compose docker-compose.yml
python3 $check dockerfile docker/Dockerfile

python3 $check render k8s >"$work/python.yaml"
if command -v kubectl >/dev/null 2>&1; then
  kubectl kustomize k8s >"$work/rendered.yaml"
  # Keeps the fallback renderer honest for machines without kubectl.
  python3 $check same "$work/rendered.yaml" "$work/python.yaml"
  echo "deploy: k8s/ rendered by kubectl kustomize"
else
  cp "$work/python.yaml" "$work/rendered.yaml"
  echo "deploy: k8s/ rendered by scripts/validate_deploy.py (no kubectl on this machine)"
fi
python3 -m kubernetes_validate --strict --quiet -k "$K8S_VERSION" "$work/rendered.yaml"
python3 $check k8s "$work/rendered.yaml"

# The validators must catch a broken manifest, or a pass above means nothing.
python3 $check break "$work/rendered.yaml" schema >"$work/schema.yaml"
if python3 -m kubernetes_validate --strict --quiet -k "$K8S_VERSION" "$work/schema.yaml" >/dev/null 2>&1; then
  echo "deploy: kubernetes-validate accepted a manifest with a string port" >&2
  exit 1
fi
python3 $check break "$work/rendered.yaml" policy >"$work/policy.yaml"
if python3 $check k8s "$work/policy.yaml" 2>/dev/null; then
  echo "deploy: the checks accepted a store without a readiness probe" >&2
  exit 1
fi
echo "deploy: compose, Dockerfile and $(grep -c '^kind:' "$work/rendered.yaml") Kubernetes objects valid (Kubernetes $K8S_VERSION)"
