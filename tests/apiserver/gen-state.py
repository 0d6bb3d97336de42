#!/usr/bin/env python3
"""Generate a large state file for tests/apiserver/server.py (benchmarks).

    gen-state.py --objects N --out FILE [--seed S] [--deprecated-fraction F]
                 [--base fixtures/cluster/state.json] [--summary FILE]

Discovery, version, tokens, users, metrics and "now" are copied from --base
(default: REPO/fixtures/cluster/state.json); its objects are replaced by N
generated ones (plus one Namespace per 1000 objects, not counted in N) spread
over deployments, services, configmaps, secrets (incl. Helm v3 releases),
ingresses, HPAs, cronjobs, statefulsets, daemonsets, PDBs and network policies.
Every object has realistic metadata (labels, managedFields) and most carry a
kubectl last-applied-configuration annotation.  A fraction of them (default
0.05) record a deprecated apiVersion: in last-applied (most kinds), in
managedFields (HPAs), or in the Helm release manifest (release secrets).

--summary writes JSON: object counts per resource and the number of objects
with each deprecated "apiVersion Kind" per source (lastApplied, managedFields,
helm), so a benchmark can check the scan found them all.  Same seed, same
output.
"""

import argparse
import base64
import collections
import gzip
import json
import os
import random
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# key in "objects", kind, weight, deprecated apiVersions for that kind, where
KINDS = [
    ("apps/v1/deployments", "Deployment", 30,
     ["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"], "lastApplied"),
    ("v1/services", "Service", 14, [], None),
    ("v1/configmaps", "ConfigMap", 14, [], None),
    ("v1/secrets", "Secret", 10, [], "helm"),
    ("networking.k8s.io/v1/ingresses", "Ingress", 8,
     ["extensions/v1beta1", "networking.k8s.io/v1beta1"], "lastApplied"),
    ("autoscaling/v2/horizontalpodautoscalers", "HorizontalPodAutoscaler", 5,
     ["autoscaling/v2beta2", "autoscaling/v2beta1"], "managedFields"),
    ("batch/v1/cronjobs", "CronJob", 5, ["batch/v1beta1"], "lastApplied"),
    ("apps/v1/statefulsets", "StatefulSet", 5, ["apps/v1beta1", "apps/v1beta2"], "lastApplied"),
    ("apps/v1/daemonsets", "DaemonSet", 3, ["extensions/v1beta1", "apps/v1beta2"], "lastApplied"),
    ("policy/v1/poddisruptionbudgets", "PodDisruptionBudget", 3, ["policy/v1beta1"], "lastApplied"),
    ("networking.k8s.io/v1/networkpolicies", "NetworkPolicy", 3, ["extensions/v1beta1"], "lastApplied"),
]

HELM_DEPRECATED = [("extensions/v1beta1", "Ingress"), ("policy/v1beta1", "PodSecurityPolicy"),
                   ("batch/v1beta1", "CronJob"), ("autoscaling/v2beta2", "HorizontalPodAutoscaler")]

WORDS = ["api", "web", "cart", "auth", "search", "billing", "worker", "cache", "gateway",
         "report", "mailer", "queue", "media", "profile", "catalog", "orders", "stock",
         "notify", "export", "import", "audit", "session", "pricing", "ledger"]


def ts(rng, lo=1672531200, hi=1714000000):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(rng.randint(lo, hi)))


def compact(o):
    return json.dumps(o, separators=(",", ":"), sort_keys=True)


class Gen:
    def __init__(self, seed, frac):
        self.rng = random.Random(seed)
        self.frac = frac
        self.rv = 10000
        self.summary = {"objects": collections.Counter(),
                        "deprecated": {"lastApplied": collections.Counter(),
                                       "managedFields": collections.Counter(),
                                       "helm": collections.Counter()}}

    def meta(self, name, ns, labels, annotations, managed, created):
        self.rv += 1
        m = {"name": name, "namespace": ns,
             "uid": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
             "resourceVersion": str(self.rv), "creationTimestamp": created}
        if labels:
            m["labels"] = labels
        if annotations:
            m["annotations"] = annotations
        m["managedFields"] = managed
        return m

    def mf(self, manager, api, when, fields, sub=None):
        e = {"manager": manager, "operation": "Update", "apiVersion": api, "time": when,
             "fieldsType": "FieldsV1", "fieldsV1": fields}
        if sub:
            e["subresource"] = sub
        return e

    def container(self, app):
        r = self.rng
        return {"name": app, "image": "registry.example.com/%s:%d.%d.%d" % (
            app, r.randint(0, 4), r.randint(0, 20), r.randint(0, 9)),
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"},
                          "requests": {"cpu": "100m", "memory": "128Mi"}},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File"}

    def workload_spec(self, app, kind):
        tmpl = {"metadata": {"labels": {"app": app}},
                "spec": {"containers": [self.container(app)], "dnsPolicy": "ClusterFirst",
                         "restartPolicy": "Always", "schedulerName": "default-scheduler",
                         "securityContext": {}, "terminationGracePeriodSeconds": 30}}
        spec = {"selector": {"matchLabels": {"app": app}}, "template": tmpl,
                "revisionHistoryLimit": 10}
        if kind in ("Deployment", "StatefulSet"):
            spec["replicas"] = self.rng.randint(1, 5)
        return spec

    def body(self, kind, app, ns):
        r = self.rng
        if kind in ("Deployment", "StatefulSet", "DaemonSet"):
            spec = self.workload_spec(app, kind)
            n = spec.get("replicas", 3)
            if kind == "DaemonSet":
                status = {"currentNumberScheduled": n, "desiredNumberScheduled": n,
                          "numberReady": n, "numberAvailable": n, "observedGeneration": 1}
            else:
                status = {"observedGeneration": 1, "replicas": n, "updatedReplicas": n,
                          "readyReplicas": n, "availableReplicas": n}
            if kind == "StatefulSet":
                spec["serviceName"] = app
            return {"spec": spec, "status": status}
        if kind == "Service":
            return {"spec": {"type": "ClusterIP",
                             "clusterIP": "10.96.%d.%d" % (r.randint(0, 255), r.randint(1, 254)),
                             "selector": {"app": app},
                             "ports": [{"name": "http", "port": 80, "protocol": "TCP",
                                        "targetPort": "http"}]},
                    "status": {"loadBalancer": {}}}
        if kind == "ConfigMap":
            return {"data": {"LOG_LEVEL": r.choice(["info", "debug", "warn"]),
                             "config.yaml": "server:\n  port: 8080\n  name: %s\n" % app}}
        if kind == "Ingress":
            return {"spec": {"ingressClassName": "nginx", "rules": [{
                "host": "%s.%s.example.com" % (app, ns), "http": {"paths": [{
                    "path": "/", "pathType": "Prefix",
                    "backend": {"service": {"name": app, "port": {"number": 80}}}}]}}]},
                "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.%d" % r.randint(1, 254)}]}}}
        if kind == "HorizontalPodAutoscaler":
            return {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                                "name": app},
                             "minReplicas": 1, "maxReplicas": r.randint(3, 20),
                             "metrics": [{"type": "Resource", "resource": {
                                 "name": "cpu", "target": {"type": "Utilization",
                                                           "averageUtilization": 75}}}]},
                    "status": {"currentReplicas": 2, "desiredReplicas": 2}}
        if kind == "CronJob":
            return {"spec": {"schedule": "%d %d * * *" % (r.randint(0, 59), r.randint(0, 23)),
                             "concurrencyPolicy": "Forbid",
                             "jobTemplate": {"spec": {"template": {"spec": {
                                 "restartPolicy": "OnFailure",
                                 "containers": [self.container(app)]}}}}}}
        if kind == "PodDisruptionBudget":
            return {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": app}}},
                    "status": {"currentHealthy": 2, "desiredHealthy": 1, "disruptionsAllowed": 1,
                               "expectedPods": 2, "observedGeneration": 1}}
        if kind == "NetworkPolicy":
            return {"spec": {"podSelector": {"matchLabels": {"app": app}},
                             "policyTypes": ["Ingress"],
                             "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}]}}
        if kind == "Secret":
            return {"type": "Opaque", "data": {"password": base64.b64encode(
                ("%032x" % r.getrandbits(128)).encode()).decode()}}
        raise ValueError(kind)

    def helm_secret(self, ns, release, rev, deprecated, created):
        docs = ["---\n# Source: %s/templates/service.yaml\napiVersion: v1\nkind: Service\n"
                "metadata:\n  name: %s\nspec:\n  ports:\n    - port: 80\n" % (release, release),
                "---\n# Source: %s/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\n"
                "metadata:\n  name: %s\nspec:\n  replicas: 2\n" % (release, release)]
        if deprecated:
            api, kind = self.rng.choice(HELM_DEPRECATED)
            docs.append("---\n# Source: %s/templates/%s.yaml\napiVersion: %s\nkind: %s\n"
                        "metadata:\n  name: %s\n" % (release, kind.lower(), api, kind, release))
            self.summary["deprecated"]["helm"]["%s %s" % (api, kind)] += 1
        rel = {"name": release, "namespace": ns, "version": rev,
               "info": {"first_deployed": created, "last_deployed": created, "deleted": "",
                        "description": "Install complete", "status": "deployed"},
               "chart": {"metadata": {"name": release, "version": "1.0.%d" % rev,
                                      "apiVersion": "v2", "appVersion": "1.0"}},
               "config": {}, "manifest": "\n".join(docs)}
        inner = base64.b64encode(gzip.compress(compact(rel).encode(), 6, mtime=0))
        return {"type": "helm.sh/release.v1",
                "data": {"release": base64.b64encode(inner).decode()}}, {
                    "name": release, "owner": "helm", "status": "deployed", "version": str(rev)}

    def make(self, key, kind, deprecated_apis, where, ns, name):
        r = self.rng
        gv = key.rsplit("/", 1)[0]
        app = name.rsplit("-", 1)[0]
        created = ts(r)
        labels = {"app": app, "team": r.choice(["a", "b", "c", "d"])}
        annotations = {}
        body = self.body(kind, app, ns)
        dep = bool(deprecated_apis or where == "helm") and r.random() < self.frac
        managed = []
        if kind == "Secret" and r.random() < 0.5:
            # Helm v3 release secret
            rev = r.randint(1, 9)
            release = name
            name = "sh.helm.release.v1.%s.v%d" % (release, rev)
            body, labels = self.helm_secret(ns, release, rev, dep, created)
            managed.append(self.mf("helm", "v1", created, {"f:data": {".": {}, "f:release": {}},
                                                           "f:type": {}}))
        else:
            manager_api = gv
            if r.random() < 0.8 and kind != "Secret":
                la_api = gv
                if dep and where == "lastApplied":
                    la_api = r.choice(deprecated_apis)
                    self.summary["deprecated"]["lastApplied"]["%s %s" % (la_api, kind)] += 1
                la = {"apiVersion": la_api, "kind": kind,
                      "metadata": {"annotations": {}, "labels": labels, "name": name, "namespace": ns}}
                la.update({k: v for k, v in body.items() if k != "status"})
                annotations["kubectl.kubernetes.io/last-applied-configuration"] = compact(la) + "\n"
                mgr = "kubectl-client-side-apply"
            else:
                mgr = r.choice(["helm", "argocd-controller", "kubectl-create", "terraform-provider-kubernetes"])
            if dep and where == "managedFields":
                manager_api = r.choice(deprecated_apis)
                self.summary["deprecated"]["managedFields"]["%s %s" % (manager_api, kind)] += 1
            managed.append(self.mf(mgr, manager_api, created, {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}, "f:team": {}}},
                "f:spec": {".": {}} if "spec" in body else {}}))
        if "status" in body:
            managed.append(self.mf("kube-controller-manager", gv, created,
                                   {"f:status": {k: {} for k in ("f:%s" % s for s in body["status"])}},
                                   sub="status"))
        obj = {"apiVersion": gv, "kind": kind,
               "metadata": self.meta(name, ns, labels, annotations, managed, created)}
        obj.update(body)
        return obj


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--objects", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deprecated-fraction", type=float, default=0.05)
    ap.add_argument("--base", default=os.path.join(ROOT, "fixtures", "cluster", "state.json"))
    ap.add_argument("--summary")
    args = ap.parse_args()

    with open(args.base) as f:
        base = json.load(f)
    g = Gen(args.seed, args.deprecated_fraction)
    nns = max(1, args.objects // 1000)
    namespaces = ["ns-%04d" % i for i in range(nns)]
    objects = {"v1/namespaces": [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": n, "uid": str(uuid.uuid5(uuid.NAMESPACE_DNS, n + ".sunset-bench")),
                      "resourceVersion": "100", "creationTimestamp": "2023-01-01T00:00:00Z",
                      "labels": {"kubernetes.io/metadata.name": n}},
         "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
        for n in ["default", "kube-system"] + namespaces]}
    weights = [k[2] for k in KINDS]
    used = set()
    for i in range(args.objects):
        key, kind, _, deps, where = g.rng.choices(KINDS, weights)[0]
        ns = namespaces[i % nns]
        name = "%s-%s-%d" % (g.rng.choice(WORDS), g.rng.choice(WORDS), i)
        obj = g.make(key, kind, deps, where, ns, name)
        k = (key, ns, obj["metadata"]["name"])
        if k in used:  # helm secret name collision: fall back to a plain name
            obj["metadata"]["name"] = "%s-r%d" % (obj["metadata"]["name"], i)
            k = (key, ns, obj["metadata"]["name"])
        used.add(k)
        objects.setdefault(key, []).append(obj)
        g.summary["objects"][key] += 1
    state = {k: v for k, v in base.items() if k != "objects"}
    state["objects"] = objects
    with open(args.out, "w") as f:
        json.dump(state, f, separators=(",", ":"))
    summary = {"objects": dict(sorted(g.summary["objects"].items())),
               "deprecated": {k: dict(sorted(v.items())) for k, v in g.summary["deprecated"].items()}}
    summary["deprecatedObjects"] = sum(sum(v.values()) for v in summary["deprecated"].values())
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")
    print("wrote %s: %d objects (+%d namespaces), %d with deprecated APIs" % (
        args.out, args.objects, len(objects["v1/namespaces"]), summary["deprecatedObjects"]),
        file=sys.stderr)


if __name__ == "__main__":
    main()
