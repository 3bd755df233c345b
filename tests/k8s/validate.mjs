// Validates Kubernetes objects against the API schemas of kubernetes-models
// (and its prometheus-operator models for the ServiceMonitor, PodMonitor and PrometheusRule). Reads a JSON
// array of objects on stdin (kubectl kustomize | yq -s); prints one JSON line
// per object: {"kind", "name", "ok", "error"}. Exit 1 if any is invalid or unknown.
import { readFileSync } from "node:fs";

const modules = {
  v1: "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "rbac.authorization.k8s.io/v1": "kubernetes-models/rbac.authorization.k8s.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

const objects = JSON.parse(readFileSync(0, "utf8"));
let failed = 0;
for (const object of objects) {
  const result = { kind: object.kind, name: object.metadata?.name, ok: false, error: "" };
  const base = modules[object.apiVersion];
  try {
    if (!base) throw new Error(`no schema for apiVersion ${object.apiVersion}`);
    const module = await import(`${base}/${object.kind}`);
    const Model = module[object.kind] ?? module.default;
    new Model(object).validate();
    result.ok = true;
  } catch (error) {
    result.error = String(error.message ?? error);
    failed += 1;
  }
  console.log(JSON.stringify(result));
}
process.exit(failed ? 1 : 0);
