#!/usr/bin/env python3
"""A fake, read-only Kubernetes API server for testing `sunset cluster`.

Python 3 standard library only.  Usage:

    server.py --state FILE.json --certs DIR --port-file PATH
              [--port 0] [--log PATH] [--faults FILE.json]

Listens on 127.0.0.1 with HTTPS (DIR/server.crt, DIR/server.key; client
certificates are verified against DIR/ca.crt, optional).  With --port 0 an
ephemeral port is chosen; the port number is written to --port-file (atomically,
via rename) once the socket listens.  Each request is logged as one JSON line
to --log (see "Request log" below).  --faults names a JSON file of injected
faults; it is re-read whenever its mtime changes, so a test may rewrite it
while the server runs (counters restart on reload).

State file schema (JSON object; every key optional unless marked)
------------------------------------------------------------------
  "version":  {"gitVersion": "v1.29.4", ...}   /version; major/minor/etc. are
              derived from gitVersion when absent.
  "now":      "2024-05-20T12:00:00Z"  fixed clock used for Table "Age" cells
              (absent: the real time).
  "resourceVersion": 1000            list resourceVersion (default: highest
              object resourceVersion + 1).
  "gzipThreshold": 1024              gzip bodies larger than this many bytes
              when the client sends Accept-Encoding: gzip.
  "groups": [                        discovery, in /apis order ("" = core, /api)
      {"name": "apps", "preferredVersion": "v1",   (default: first version)
       "crd": false,   true = custom resources: list items keep kind/apiVersion
                       (built-in typed lists omit them, like a real server)
       "versions": [
          {"version": "v1",
           "deprecated": "warning text",   optional: sent as a `Warning: 299 -`
                                           header for requests to this version
           "resources": [                  APIResource objects, served as given
              {"name": "deployments", "singularName": "deployment",
               "namespaced": true, "kind": "Deployment",
               "verbs": [...],             default: the eight standard verbs
               "shortNames": ["deploy"], "categories": ["all"]},
              {"name": "deployments/scale", "singularName": "", "namespaced": true,
               "group": "autoscaling", "version": "v1", "kind": "Scale",
               "verbs": ["get", "patch", "update"]},  subresources: not listable
              ...]}]},
      ...]
  "objects": {                       full objects, stored ONCE under one
      "apps/v1/deployments": [ {...}, ...],     group/version/resource
      "v1/secrets": [ {...}, ...]}   (core group: "v1/RESOURCE").
              An object is served under every version that serves the same
              group+resource in discovery, with apiVersion rewritten (no other
              conversion).  metadata.uid / resourceVersion / creationTimestamp
              are filled in when missing.  Helm v3 releases are just objects in
              v1/secrets (type helm.sh/release.v1) or v1/configmaps.
  "tokens":   {"tok-admin": "admin"}        bearer token -> user name
  "basic":    {"user": "password"}          HTTP basic auth
              (client certificates: user = subject CN, verified against ca.crt)
  "users":    {"limited": {"forbidden": ["apps/v1/deployments", "v1/secrets",
                                         "/metrics"]}}
              "GROUP/VERSION/RESOURCE" (core: "v1/RESOURCE", fnmatch patterns
              allowed, e.g. "*/secrets") or a non-resource path -> 403 Status.
  "publicPaths": ["/version"]       paths reachable without credentials
              (default none: every request without valid credentials -> 401).
  "deprecatedAPIs": [{"group": "flowcontrol.apiserver.k8s.io", "version":
              "v1beta2", "resource": "flowschemas", "subresource": "",
              "removed_release": "1.29"}, ...]
              -> apiserver_requested_deprecated_apis{...} 1 in /metrics
  "extraMetrics": ["raw prometheus text line", ...]   appended to /metrics

Faults file (JSON list, or {"faults": [...]}); the first matching fault with
count left fires:
  {"method": "GET",                   optional, default any
   "path": "/apis/apps/v1/",          optional path prefix
   "query": "continue=",              optional substring of the raw query
   "times": 2,                        optional: fire only this often
   "status": 401|403|404|409|410|429|500|503,  Status JSON error
     "retryAfter": 1,                 Retry-After header (default 1 for 429)
     "message": "...", "reason": "..."  override the Status text
     "inconsistentContinue": true     410: include metadata.continue
   "delay": 2.5,                      sleep before answering (alone: slow but
                                      otherwise normal response)
   "truncate": true,                  normal response, but Content-Length is
                                      larger than the body sent; then close
   "stall": 5,                        normal response, but sleep this long in
                                      the middle of the body
   "repeatContinue": true,            normal list page, but metadata.continue
                                      always the token of the first page
   "endlessContinue": true,           normal list page, but a new
                                      metadata.continue every time, forever
   "garbage": true}                   200 application/json with an invalid JSON
                                      body (a string value: that exact body)
A 410 fault answers like a real server on an expired continue token (reason
Expired).  Faults are checked before authentication.

Request log (one JSON object per line, --log):
  {"time", "method", "path", "query", "url" (path?query), "accept",
   "acceptEncoding", "userAgent", "auth" (token|cert|basic|none: the kind that
   authenticated the request, else the kind offered), "authOffered" (list),
   "user", "status", "gzip", "fault" (index or null)}
TLS handshake failures are logged as {"event": "tls-error", "error": ...}.
The bearer token / password is never logged.

Supported: GET (and HEAD) of /version /healthz /livez /readyz /metrics /api
/api/v1 /apis /apis/G /apis/G/V, collections and single objects (cluster or
namespaced), subresource "status".  Query: limit, continue, labelSelector
(=, ==, !=, exists, !key, in, notin), fieldSelector (metadata.name,
metadata.namespace and the per-resource field labels a real server knows, e.g.
"type" for secrets, "status.phase" for pods; others -> 400), includeObject
(None|Metadata|Object, for Tables), resourceVersion (ignored, but rejected
together with continue, like the real server).
Accept: application/json, as=Table (meta.k8s.io v1/v1beta1),
as=PartialObjectMetadata[List]; aggregated discovery and protobuf are not
offered, so clients fall back to plain JSON.
"""

import argparse
import base64
import bisect
import datetime
import fnmatch
import gzip
import hashlib
import http.server
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

STANDARD_VERBS = ["create", "delete", "deletecollection", "get", "list",
                  "patch", "update", "watch"]

NAME_DESC = ("Name must be unique within a namespace. Is required when creating "
             "resources, although some resources may allow a client to request the "
             "generation of an appropriate name automatically. Name is primarily "
             "intended for creation idempotence and configuration definition. Cannot "
             "be updated. More info: https://kubernetes.io/docs/concepts/overview/"
             "working-with-objects/names#names")
AGE_DESC = ("CreationTimestamp is a timestamp representing the server time when "
            "this object was created. It is not guaranteed to be set in "
            "happens-before order across separate operations. Clients may not set "
            "this value. It is represented in RFC3339 form and is in UTC.\n\n"
            "Populated by the system. Read-only. Null for lists. More info: "
            "https://git.k8s.io/community/contributors/devel/sig-architecture/"
            "api-conventions.md#metadata")

EXPIRED_MSG = ("The provided continue parameter is too old to display a consistent "
               "list result. You can start a new list without the continue "
               "parameter.")
EXPIRED_MSG_INCONSISTENT = (
    "The provided continue parameter is too old to display a consistent list "
    "result. You can start a new list without the continue parameter, or use the "
    "continue token in this response to retrieve the remainder of the results. "
    "Continuing with the provided token results in an inconsistent list - objects "
    "that were created, modified, or deleted between the time the first chunk was "
    "returned and now may show up in the list.")

REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden",
           404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable",
           409: "Conflict", 410: "Expired", 422: "Invalid",
           429: "TooManyRequests", 500: "InternalError",
           503: "ServiceUnavailable", 504: "Timeout"}
MESSAGES = {401: "Unauthorized",
            403: "forbidden",
            404: "the server could not find the requested resource",
            409: "the object has been modified; please apply your changes to the "
                 "latest version and try again",
            410: EXPIRED_MSG,
            429: "Too many requests, please try again later.",
            500: "Internal error occurred: injected fault",
            503: "the server is currently unable to handle the request",
            504: "the server was unable to return a response in the time allotted"}


# ---------------------------------------------------------------- helpers

def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def status_obj(code, message=None, reason=None, details=None, meta=None):
    st = {"kind": "Status", "apiVersion": "v1", "metadata": meta or {},
          "status": "Failure",
          "message": message if message is not None else MESSAGES.get(code, ""),
          "reason": reason if reason is not None else REASONS.get(code, "Unknown")}
    if details:
        st["details"] = details
    st["code"] = code
    return st


def parse_time(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def human_duration(secs):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration"""
    seconds = int(secs)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return "%ds" % seconds
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return "%dm" % minutes if s == 0 else "%dm%ds" % (minutes, s)
    if minutes < 180:
        return "%dm" % minutes
    hours = seconds // 3600
    if hours < 8:
        m = minutes % 60
        return "%dh" % hours if m == 0 else "%dh%dm" % (hours, m)
    if hours < 48:
        return "%dh" % hours
    if hours < 24 * 8:
        h = hours % 24
        return "%dd" % (hours // 24) if h == 0 else "%dd%dh" % (hours // 24, h)
    if hours < 24 * 365 * 2:
        return "%dd" % (hours // 24)
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        y = hours // 24 // 365
        return "%dy" % y if dy == 0 else "%dy%dd" % (y, dy)
    return "%dy" % (hours // 24 // 365)


def gv_string(group, version):
    return version if group == "" else "%s/%s" % (group, version)


# ---------------------------------------------------------------- selectors

class SelectorError(Exception):
    pass


def split_top(s):
    """Split on commas that are not inside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def parse_label_selector(sel):
    """Returns a list of predicates over a labels dict."""
    preds = []
    if not sel or not sel.strip():
        return preds
    for raw in split_top(sel):
        req = raw.strip()
        if not req:
            raise SelectorError("unable to parse requirement: found '', expected: identifier")
        low = " " + req + " "
        for op in (" notin ", " in "):
            if op in low:
                key, _, rest = req.partition(op.strip())
                key = key.strip()
                rest = rest.strip()
                if not (rest.startswith("(") and rest.endswith(")")):
                    raise SelectorError("unable to parse requirement: found '%s', expected: '('" % rest)
                vals = {v.strip() for v in rest[1:-1].split(",") if v.strip()}
                if op == " in ":
                    preds.append(lambda l, k=key, vs=vals: k in l and l[k] in vs)
                else:
                    preds.append(lambda l, k=key, vs=vals: k not in l or l[k] not in vs)
                break
        else:
            if "!=" in req:
                k, v = req.split("!=", 1)
                k, v = k.strip(), v.strip()
                preds.append(lambda l, k=k, v=v: l.get(k) != v)
            elif "==" in req or "=" in req:
                k, v = req.split("==", 1) if "==" in req else req.split("=", 1)
                k, v = k.strip(), v.strip()
                preds.append(lambda l, k=k, v=v: k in l and l[k] == v)
            elif req.startswith("!"):
                k = req[1:].strip()
                preds.append(lambda l, k=k: k not in l)
            else:
                if any(c in req for c in " ()<>"):
                    raise SelectorError("unable to parse requirement: %s" % req)
                preds.append(lambda l, k=req: k in l)
    return preds


FIELD_GETTERS = {
    "metadata.name": lambda o: o.get("metadata", {}).get("name", ""),
    "metadata.namespace": lambda o: o.get("metadata", {}).get("namespace", ""),
}


# field labels a real apiserver supports beyond metadata.name/namespace
EXTRA_FIELDS = {
    "pods": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
             "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
             "status.podIP", "status.nominatedNodeName"),
    "secrets": ("type",),
    "namespaces": ("status.phase",),
    "nodes": ("spec.unschedulable",),
    "events": ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
               "involvedObject.uid", "involvedObject.apiVersion",
               "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
               "reportingComponent", "source", "type"),
    "jobs": ("status.successful",),
    "replicasets": ("status.replicas",),
    "replicationcontrollers": ("status.replicas",),
}


def _dig(o, path):
    for p in path:
        o = o.get(p) if isinstance(o, dict) else None
    if isinstance(o, bool):
        return "true" if o else "false"
    return "" if o is None else str(o)


def parse_field_selector(sel, resource):
    preds = []
    if not sel or not sel.strip():
        return preds
    for req in sel.split(","):
        req = req.strip()
        if "!=" in req:
            k, v = req.split("!=", 1)
            neg = True
        elif "==" in req:
            k, v = req.split("==", 1)
            neg = False
        elif "=" in req:
            k, v = req.split("=", 1)
            neg = False
        else:
            raise SelectorError("invalid selector: '%s'; can't understand '%s'" % (sel, req))
        k = k.strip()
        getter = FIELD_GETTERS.get(k)
        if getter is None and k in EXTRA_FIELDS.get(resource, ()):
            getter = lambda o, path=k.split("."): _dig(o, path)
        if getter is None:
            raise SelectorError('field label not supported: %s' % k)
        v = v.strip()
        if neg:
            preds.append(lambda o, g=getter, v=v: g(o) != v)
        else:
            preds.append(lambda o, g=getter, v=v: g(o) == v)
    return preds


# ---------------------------------------------------------------- tables

def _deploy_cells(o):
    spec, st = o.get("spec", {}), o.get("status", {})
    ctrs = spec.get("template", {}).get("spec", {}).get("containers", [])
    sel = spec.get("selector", {}).get("matchLabels", {})
    return ["%d/%d" % (st.get("readyReplicas", 0), spec.get("replicas", 1)),
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), None,
            ",".join(c.get("name", "") for c in ctrs),
            ",".join(c.get("image", "") for c in ctrs),
            ",".join("%s=%s" % kv for kv in sorted(sel.items())) or "<none>"]


def _svc_ports(o):
    ports = o.get("spec", {}).get("ports", [])
    out = []
    for p in ports:
        s = "%d" % p.get("port", 0)
        if p.get("nodePort"):
            s += ":%d" % p["nodePort"]
        out.append(s + "/" + p.get("protocol", "TCP"))
    return ",".join(out) or "<none>"


def _pod_cells(o):
    st = o.get("status", {})
    cs = st.get("containerStatuses", [])
    n = len(o.get("spec", {}).get("containers", []))
    ready = sum(1 for c in cs if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in cs)
    return ["%d/%d" % (ready, n), st.get("phase", "Unknown"), restarts, None]


def _ing_cells(o):
    spec = o.get("spec", {})
    hosts = [r.get("host", "*") for r in spec.get("rules", [])] or ["*"]
    lb = o.get("status", {}).get("loadBalancer", {}).get("ingress", [])
    addr = ",".join(i.get("ip") or i.get("hostname", "") for i in lb)
    ports = "80, 443" if spec.get("tls") else "80"
    return [spec.get("ingressClassName", "<none>"), ",".join(hosts), addr, ports, None]


def _col(name, typ="string", desc="", priority=0, fmt=""):
    return {"name": name, "type": typ, "format": fmt, "description": desc,
            "priority": priority}


PRINTERS = {
    # kind: (extra columns after Name, cell function; None marks the Age cell)
    "Deployment": ([_col("Ready", desc="Number of the pod with ready state"),
                    _col("Up-to-date", desc="Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                    _col("Available", desc="Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                    _col("Age", desc=AGE_DESC),
                    _col("Containers", desc="Names of each container in the template.", priority=1),
                    _col("Images", desc="Images referenced by each container in the template.", priority=1),
                    _col("Selector", desc="Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", priority=1)],
                   _deploy_cells),
    "Secret": ([_col("Type", desc="Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
                _col("Data", typ="string", desc="Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'."),
                _col("Age", desc=AGE_DESC)],
               lambda o: [o.get("type", "Opaque"), len(o.get("data", {}) or {}), None]),
    "ConfigMap": ([_col("Data", desc="Data contains the configuration data."),
                   _col("Age", desc=AGE_DESC)],
                  lambda o: [len(o.get("data", {}) or {}) + len(o.get("binaryData", {}) or {}), None]),
    "Namespace": ([_col("Status", desc="The status of the namespace"),
                   _col("Age", desc=AGE_DESC)],
                  lambda o: [o.get("status", {}).get("phase", "Active"), None]),
    "Service": ([_col("Type", desc="type determines how the Service is exposed."),
                 _col("Cluster-IP", desc="clusterIP is the IP address of the service."),
                 _col("External-IP", desc="List of IP addresses for which nodes in the cluster will also accept traffic for this service."),
                 _col("Port(s)", desc="The list of ports that are exposed by this service."),
                 _col("Age", desc=AGE_DESC)],
                lambda o: [o.get("spec", {}).get("type", "ClusterIP"),
                           o.get("spec", {}).get("clusterIP", "None"),
                           ",".join(o.get("spec", {}).get("externalIPs", [])) or "<none>",
                           _svc_ports(o), None]),
    "Pod": ([_col("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
             _col("Status", desc="The aggregate status of the containers in this pod."),
             _col("Restarts", typ="string", desc="The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
             _col("Age", desc=AGE_DESC)],
            _pod_cells),
    "Ingress": ([_col("Class", desc="ingressClassName is the name of an IngressClass cluster resource."),
                 _col("Hosts", desc="Hosts that incoming requests are matched against before the ingress rule"),
                 _col("Address", desc="Address is a list containing ingress points for the load-balancer"),
                 _col("Ports", desc="Ports of TLS configurations that open"),
                 _col("Age", desc=AGE_DESC)],
                _ing_cells),
}


# ---------------------------------------------------------------- state

class ResourceStore:
    """All objects of one group+resource, sorted like etcd keys (ns/name)."""

    def __init__(self, group, resource, kind, namespaced, crd):
        self.group, self.resource, self.kind = group, resource, kind
        self.namespaced, self.crd = namespaced, crd
        self.keys = []
        self.objs = []          # bare objects: without kind/apiVersion
        self.by_key = {}
        self._json = {}         # key -> serialized bare object
        self._meta_json = {}    # key -> serialized metadata

    def add(self, obj):
        md = obj.get("metadata", {})
        key = "%s/%s" % (md.get("namespace", ""), md.get("name", ""))
        bare = {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
        if key in self.by_key:
            raise ValueError("duplicate object %s %s" % (self.resource, key))
        self.by_key[key] = bare
        self.keys.append(key)

    def finish(self):
        self.keys.sort()
        self.objs = [self.by_key[k] for k in self.keys]

    def item_json(self, key, apiversion):
        """List item: typed lists omit kind/apiVersion, CRD lists keep them."""
        s = self._json.get(key)
        if s is None:
            s = dumps(self.by_key[key])
            self._json[key] = s
        if self.crd:
            return '{"apiVersion":%s,"kind":%s,%s' % (dumps(apiversion), dumps(self.kind), s[1:])
        return s

    def meta_json(self, key):
        s = self._meta_json.get(key)
        if s is None:
            s = dumps(self.by_key[key].get("metadata", {}))
            self._meta_json[key] = s
        return s


class State:
    def __init__(self, data):
        self.raw = data
        v = dict(data.get("version") or {})
        gitv = v.get("gitVersion", "v1.29.4")
        parts = gitv.lstrip("v").split("-")[0].split(".")
        self.version = {
            "major": v.get("major", parts[0]),
            "minor": v.get("minor", parts[1] if len(parts) > 1 else "0"),
            "gitVersion": gitv,
            "gitCommit": v.get("gitCommit", hashlib.sha1(gitv.encode()).hexdigest()),
            "gitTreeState": v.get("gitTreeState", "clean"),
            "buildDate": v.get("buildDate", "2024-04-16T00:00:00Z"),
            "goVersion": v.get("goVersion", "go1.21.9"),
            "compiler": v.get("compiler", "gc"),
            "platform": v.get("platform", "linux/amd64"),
        }
        self.now = parse_time(data["now"]) if data.get("now") else None
        self.gzip_threshold = int(data.get("gzipThreshold", 1024))
        self.tokens = dict(data.get("tokens") or {})
        self.basic = dict(data.get("basic") or {})
        self.users = dict(data.get("users") or {})
        self.public_paths = list(data.get("publicPaths") or [])
        self.deprecated_apis = list(data.get("deprecatedAPIs") or [])
        self.extra_metrics = list(data.get("extraMetrics") or [])

        # discovery
        self.groups = []        # [{"name", "versions": [..], "preferred", "crd"}]
        self.gvs = {}           # (group, version) -> {"resources": [...], "deprecated"}
        self.res_index = {}     # (group, version, resource) -> APIResource
        for g in data.get("groups") or []:
            name = g.get("name", "")
            vers = g.get("versions") or []
            vnames = [x["version"] for x in vers]
            pref = g.get("preferredVersion") or (vnames[0] if vnames else "")
            self.groups.append({"name": name, "versions": vnames,
                                "preferred": pref, "crd": bool(g.get("crd"))})
            for ver in vers:
                resources = []
                for r in ver.get("resources") or []:
                    r = dict(r)
                    r.setdefault("singularName", "" if "/" in r["name"] else r["kind"].lower())
                    r.setdefault("namespaced", False)
                    r.setdefault("verbs", list(STANDARD_VERBS))
                    if "/" not in r["name"] and "storageVersionHash" not in r and not g.get("crd"):
                        h = hashlib.sha256(("%s/%s" % (name, r["name"])).encode()).digest()[:8]
                        r["storageVersionHash"] = base64.b64encode(h).decode()
                    resources.append(r)
                    self.res_index[(name, ver["version"], r["name"])] = r
                self.gvs[(name, ver["version"])] = {
                    "resources": resources, "deprecated": ver.get("deprecated"),
                    "crd": bool(g.get("crd"))}

        # objects
        self.stores = {}        # (group, resource) -> ResourceStore
        max_rv = 0
        counter = 0
        for gvr, objs in (data.get("objects") or {}).items():
            parts = gvr.split("/")
            if len(parts) == 2:
                group, version, resource = "", parts[0], parts[1]
            elif len(parts) == 3:
                group, version, resource = parts
            else:
                raise ValueError("bad objects key %r (want GROUP/VERSION/RESOURCE)" % gvr)
            r = self.res_index.get((group, version, resource))
            if r is None:
                raise ValueError("objects key %r not in discovery" % gvr)
            store = self.stores.get((group, resource))
            if store is None:
                store = ResourceStore(group, resource, r["kind"], r["namespaced"],
                                      self.gvs[(group, version)]["crd"])
                self.stores[(group, resource)] = store
            for o in objs:
                md = o.setdefault("metadata", {})
                counter += 1
                if "uid" not in md:
                    md["uid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, "%s/%s/%s/%s" % (
                        group, resource, md.get("namespace", ""), md.get("name", ""))))
                if "resourceVersion" not in md:
                    md["resourceVersion"] = str(1000 + counter)
                if "creationTimestamp" not in md:
                    md["creationTimestamp"] = "2024-01-01T00:00:00Z"
                try:
                    max_rv = max(max_rv, int(md["resourceVersion"]))
                except ValueError:
                    pass
                store.add(o)
        for s in self.stores.values():
            s.finish()
        self.list_rv = str(data.get("resourceVersion") or (max_rv + 1))

    def user_forbidden(self, user, what):
        u = self.users.get(user) or {}
        return any(fnmatch.fnmatchcase(what, pat) for pat in u.get("forbidden", []))


# ---------------------------------------------------------------- faults

class Faults:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.mtime = None
        self.faults = []
        self.left = []
        self._reload()

    def _reload(self):
        if not self.path:
            return
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self.faults, self.left, self.mtime = [], [], None
            return
        if st.st_mtime_ns == self.mtime:
            return
        with open(self.path) as f:
            data = json.load(f)
        if isinstance(data, dict):
            data = data.get("faults", [])
        self.faults = data
        self.left = [f.get("times") for f in data]
        self.mtime = st.st_mtime_ns

    def match(self, method, path, query):
        with self.lock:
            self._reload()
            for i, f in enumerate(self.faults):
                if f.get("method") and f["method"].upper() != method:
                    continue
                if f.get("path") and not path.startswith(f["path"]):
                    continue
                if f.get("query") and f["query"] not in query:
                    continue
                if self.left[i] is not None:
                    if self.left[i] <= 0:
                        continue
                    self.left[i] -= 1
                return i, f
        return None, None


# ---------------------------------------------------------------- accept

def parse_accept(header):
    """[(type, params)] sorted by q (stable)."""
    out = []
    for idx, part in enumerate((header or "*/*").split(",")):
        fields = [x.strip() for x in part.split(";")]
        mt = fields[0].lower()
        if not mt:
            continue
        params = {}
        for p in fields[1:]:
            if "=" in p:
                k, v = p.split("=", 1)
                params[k.strip().lower()] = v.strip().strip('"')
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        out.append((-q, idx, mt, params))
    out.sort()
    return [(mt, p) for negq, _, mt, p in out if negq < 0]


def negotiate(header, kinds):
    """kinds: allowed 'as' targets, e.g. {"", "Table", "PartialObjectMetadataList"}.
    Returns (as, version) or None.  "" = plain object."""
    for mt, params in parse_accept(header):
        if mt not in ("application/json", "application/*", "*/*"):
            continue
        as_ = params.get("as", "")
        if as_ == "":
            if params.get("g") or params.get("v"):
                continue
            if "" in kinds:
                return ("", "")
            continue
        if as_ in kinds and params.get("g") == "meta.k8s.io" and params.get("v") in ("v1", "v1beta1"):
            return (as_, params["v"])
    return None


# ---------------------------------------------------------------- handler

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sunset-test-apiserver"
    timeout = 60

    # -- plumbing

    def setup(self):
        raw = self.request
        raw.settimeout(self.timeout)
        self.tls_ok = False
        try:
            self.request = self.server.ssl_ctx.wrap_socket(raw, server_side=True)
            self.tls_ok = True
        except (ssl.SSLError, OSError, socket.timeout) as e:
            self.server.log({"event": "tls-error", "error": str(e)})
            try:
                raw.close()
            except OSError:
                pass
            return
        super().setup()

    def handle(self):
        if self.tls_ok:
            try:
                super().handle()
            except (ConnectionError, ssl.SSLError, socket.timeout):
                pass

    def finish(self):
        if not self.tls_ok:
            return
        try:
            super().finish()
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        try:
            self.request.close()
        except OSError:
            pass

    def log_message(self, fmt, *args):
        pass

    def send_response(self, code, message=None):
        # no Server header, like kube-apiserver
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    # -- entry points

    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch(head=True)

    def do_POST(self):
        self.dispatch()

    do_PUT = do_PATCH = do_DELETE = do_POST

    def dispatch(self, head=False):
        self.head = head
        st = self.server.state
        u = urllib.parse.urlsplit(self.path)
        self.req_path = urllib.parse.unquote(u.path) or "/"
        self.raw_query = u.query
        self.q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
        self.accept = self.headers.get("Accept", "")
        self.warnings = []
        self.entry = {
            "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "method": self.command, "path": self.req_path, "query": u.query,
            "url": self.req_path + ("?" + u.query if u.query else ""),
            "accept": self.accept,
            "acceptEncoding": self.headers.get("Accept-Encoding", ""),
            "userAgent": self.headers.get("User-Agent", ""),
            "auth": "none", "authOffered": [], "user": None,
            "status": None, "gzip": False, "fault": None,
        }
        # drain a request body, if any
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        try:
            idx, fault = self.server.faults.match(self.command, self.req_path, u.query)
            self.fault = fault
            if fault is not None:
                self.entry["fault"] = idx
                if fault.get("delay"):
                    time.sleep(float(fault["delay"]))
                if fault.get("status"):
                    return self.fault_status(fault)
                if fault.get("garbage"):
                    g = fault["garbage"]
                    body = (g if isinstance(g, str) else
                            '{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},'
                            '"items":[{"metadata":{"name":"broken",}},{"metadata":').encode()
                    return self.send_body(200, body, "application/json", allow_gzip=False)
            if not self.authenticate():
                return self.send_status(status_obj(401))
            if self.command not in ("GET", "HEAD"):
                return self.send_status(status_obj(
                    405, "the server does not allow this method on the requested resource"))
            self.route()
        except BrokenPipeError:
            self.close_connection = True
        finally:
            self.server.log(self.entry)

    # -- auth

    def authenticate(self):
        st = self.server.state
        offered = []
        user = None
        kind = None
        cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        if cert:
            offered.append("cert")
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        user, kind = v, "cert"
        authz = self.headers.get("Authorization", "")
        scheme, _, cred = authz.partition(" ")
        if scheme.lower() == "bearer":
            offered.append("token")
            if user is None:
                u = st.tokens.get(cred.strip())
                if u is not None:
                    user, kind = u, "token"
        elif scheme.lower() == "basic":
            offered.append("basic")
            if user is None:
                try:
                    name, _, pw = base64.b64decode(cred.strip()).decode().partition(":")
                except (ValueError, UnicodeDecodeError):
                    name, pw = None, None
                if name is not None and name in st.basic and st.basic[name] == pw:
                    user, kind = name, "basic"
        self.entry["authOffered"] = offered
        self.entry["auth"] = kind or (offered[0] if offered else "none")
        self.entry["user"] = user
        self.user = user
        if user is None:
            # no valid credentials: only public paths
            if not offered and self.req_path in st.public_paths:
                self.user = "system:anonymous"
                self.entry["user"] = self.user
                return True
            return False
        return True

    # -- responses

    def send_body(self, code, body, ctype, extra=None, allow_gzip=True):
        st = self.server.state
        self.entry["status"] = code
        fault = self.fault or {}
        truncate = bool(fault.get("truncate"))
        stall = float(fault.get("stall") or 0)
        use_gzip = (allow_gzip and not truncate and len(body) > st.gzip_threshold and
                    "gzip" in self.headers.get("Accept-Encoding", "").lower())
        if use_gzip:
            body = gzip.compress(body, compresslevel=1 if len(body) > (1 << 20) else 6)
            self.entry["gzip"] = True
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        for w in self.warnings:
            self.send_header("Warning", '299 - "%s"' % w)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if truncate:
            self.send_header("Content-Length", str(len(body) + 4096))
            self.end_headers()
            if not self.head:
                self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.head:
            return
        if stall:
            half = len(body) // 2
            self.wfile.write(body[:half])
            self.wfile.flush()
            time.sleep(stall)
            self.wfile.write(body[half:])
        else:
            self.wfile.write(body)

    def send_json(self, obj, code=200, ctype="application/json", extra=None):
        body = obj if isinstance(obj, (bytes, bytearray)) else dumps(obj).encode()
        self.send_body(code, body, ctype, extra)

    def send_status(self, st, extra=None):
        self.send_json(st, code=st["code"], extra=extra)

    def not_found_page(self):
        self.entry["status"] = 404
        self.send_body(404, b"404 page not found\n", "text/plain; charset=utf-8")

    def fault_status(self, f):
        code = int(f["status"])
        extra = {}
        details = None
        meta = None
        msg = f.get("message")
        if code in (429, 503) and (code == 429 or "retryAfter" in f):
            ra = int(f.get("retryAfter", 1))
            extra["Retry-After"] = str(ra)
            details = {"retryAfterSeconds": ra}
        if code == 410:
            if f.get("inconsistentContinue"):
                tok = self.q.get("continue", "")
                meta = {"continue": tok} if tok else None
                msg = msg or EXPIRED_MSG_INCONSISTENT
            msg = msg or EXPIRED_MSG
        self.send_status(status_obj(code, msg, f.get("reason"), details, meta), extra=extra)

    # -- routing

    def route(self):
        p = self.req_path.rstrip("/") or "/"
        st = self.server.state
        if p in ("/healthz", "/livez", "/readyz"):
            return self.send_body(200, b"ok", "text/plain; charset=utf-8")
        if p == "/version":
            return self.send_json(st.version)
        if p == "/metrics":
            if st.user_forbidden(self.user, "/metrics"):
                return self.forbidden_path(p)
            return self.metrics()
        if p == "/api":
            if not self.accept_plain():
                return
            return self.send_json({"kind": "APIVersions", "versions": [
                v for g in st.groups if g["name"] == "" for v in g["versions"]],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                "serverAddress": "172.18.0.2:6443"}]})
        if p == "/apis":
            if not self.accept_plain():
                return
            return self.send_json({"kind": "APIGroupList", "apiVersion": "v1",
                                   "groups": [self.api_group(g) for g in st.groups if g["name"]]})
        segs = p.strip("/").split("/")
        if segs[0] == "api" and len(segs) >= 2:
            group, version, rest = "", segs[1], segs[2:]
        elif segs[0] == "apis" and len(segs) >= 2:
            group = segs[1]
            if len(segs) == 2:
                for g in st.groups:
                    if g["name"] == group and group:
                        if not self.accept_plain():
                            return
                        out = {"kind": "APIGroup", "apiVersion": "v1"}
                        out.update(self.api_group(g))
                        return self.send_json(out)
                return self.not_found_page()
            version, rest = segs[2], segs[3:]
        else:
            return self.not_found_page()
        gv = st.gvs.get((group, version))
        if gv is None:
            return self.not_found_page()
        if not rest:
            if not self.accept_plain():
                return
            out = {"kind": "APIResourceList"}
            if group:
                out["apiVersion"] = "v1"
            out["groupVersion"] = gv_string(group, version)
            out["resources"] = gv["resources"]
            return self.send_json(out)
        if gv["deprecated"]:
            # like the real server: only resource requests carry the warning
            self.warnings.append(gv["deprecated"])
        return self.resource_request(group, version, rest)

    def accept_plain(self):
        if negotiate(self.accept, {""}) is None:
            self.send_status(status_obj(406, "only the following media types are accepted: "
                                        "application/json, application/yaml, "
                                        "application/vnd.kubernetes.protobuf"))
            return False
        return True

    def api_group(self, g):
        return {"name": g["name"],
                "versions": [{"groupVersion": gv_string(g["name"], v), "version": v}
                             for v in g["versions"]],
                "preferredVersion": {"groupVersion": gv_string(g["name"], g["preferred"]),
                                     "version": g["preferred"]}}

    def metrics(self):
        st = self.server.state
        lines = [
            "# HELP aggregator_discovery_aggregation_count_total [ALPHA] Counter of number of times discovery was aggregated",
            "# TYPE aggregator_discovery_aggregation_count_total counter",
            "aggregator_discovery_aggregation_count_total 12",
            "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
            "# TYPE apiserver_request_total counter",
            'apiserver_request_total{code="200",component="apiserver",dry_run="",group="apps",resource="deployments",scope="cluster",subresource="",verb="LIST",version="v1"} 42',
            'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 1337',
            "# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.",
            "# TYPE apiserver_requested_deprecated_apis gauge",
        ]
        for d in st.deprecated_apis:
            labels = [("group", d.get("group", "")),
                      ("removed_release", d.get("removed_release", "")),
                      ("resource", d.get("resource", "")),
                      ("subresource", d.get("subresource", "")),
                      ("version", d.get("version", ""))]
            lines.append("apiserver_requested_deprecated_apis{%s} %s" % (
                ",".join('%s="%s"' % kv for kv in labels), d.get("value", 1)))
        lines += [
            "# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.",
            "# TYPE apiserver_storage_objects gauge",
        ]
        for (g, r), s in sorted(st.stores.items()):
            lines.append('apiserver_storage_objects{resource="%s"} %d' % (
                r if not g else "%s.%s" % (r, g), len(s.keys)))
        lines += [
            "# HELP go_goroutines Number of goroutines that currently exist.",
            "# TYPE go_goroutines gauge",
            "go_goroutines 1432",
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
            "# TYPE process_start_time_seconds gauge",
            "process_start_time_seconds 1.71360248e+09",
        ]
        lines += st.extra_metrics
        body = ("\n".join(lines) + "\n").encode()
        self.send_body(200, body, "text/plain; version=0.0.4; charset=utf-8")

    def forbidden_path(self, p):
        self.send_status(status_obj(403, 'forbidden: User "%s" cannot get path "%s"' % (self.user, p),
                                    details={}))

    def forbidden_res(self, group, resource, verb, ns, name=None):
        what = resource if not group else "%s.%s" % (resource, group)
        if name:
            what += ' "%s"' % name
        scope = ('in the namespace "%s"' % ns) if ns else "at the cluster scope"
        msg = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s' % (
            what, self.user, verb, resource, group, scope)
        details = {"name": name} if name else {}
        if group:  # omitempty, like the real Status
            details["group"] = group
        details["kind"] = resource
        self.send_status(status_obj(403, msg, details=details))

    def resource_request(self, group, version, rest):
        st = self.server.state
        ns = None
        if (len(rest) >= 3 and rest[0] == "namespaces" and
                st.res_index.get((group, version, rest[2]), {}).get("namespaced")):
            ns, rest = rest[1], rest[2:]
        resource = rest[0]
        r = st.res_index.get((group, version, resource))
        if r is None or len(rest) > 3:
            return self.not_found_page()
        if ns is None and r["namespaced"] and len(rest) > 1:
            return self.not_found_page()
        name = rest[1] if len(rest) >= 2 else None
        sub = rest[2] if len(rest) == 3 else None
        if sub is not None and (group, version, "%s/%s" % (resource, sub)) not in st.res_index:
            return self.not_found_page()
        if sub not in (None, "status"):
            return self.send_status(status_obj(
                405, "the server does not allow this method on the requested resource"))
        verb = "get" if name else "list"
        if self.q.get("watch") in ("true", "1"):
            verb = "watch"
        if st.user_forbidden(self.user, "%s/%s" % (gv_string(group, version), resource)):
            return self.forbidden_res(group, resource, verb, ns, name)
        if verb == "watch":
            return self.send_status(status_obj(
                405, "watch is not supported by the sunset test server"))
        apiversion = gv_string(group, version)
        store = st.stores.get((group, resource))
        if store is None:
            store = ResourceStore(group, resource, r["kind"], r["namespaced"],
                                  st.gvs[(group, version)]["crd"])
        if name:
            return self.get_one(store, apiversion, ns, name)
        return self.list(store, apiversion, ns)

    def table_columns(self, store):
        pr = PRINTERS.get(store.kind) if not store.crd else None
        name = _col("Name", desc=NAME_DESC, fmt="name")
        if pr:
            return [name] + pr[0], pr[1]
        age = _col("Age", typ="date" if store.crd else "string",
                   desc=("Custom resource definition column (in JSONPath format): "
                         ".metadata.creationTimestamp") if store.crd else AGE_DESC)
        return [name, age], (lambda o: [None])

    def age(self, obj):
        ts = obj.get("metadata", {}).get("creationTimestamp")
        if not ts:
            return "<unknown>"
        now = self.server.state.now or datetime.datetime.now(datetime.timezone.utc)
        try:
            return human_duration((now - parse_time(ts)).total_seconds())
        except ValueError:
            return "<unknown>"

    def table_row(self, store, cellfn, key, obj, apiversion, include, tv="v1"):
        cells = [obj.get("metadata", {}).get("name", "")] + [
            self.age(obj) if c is None else c for c in cellfn(obj)]
        row = '{"cells":' + dumps(cells)
        if include == "Metadata":
            row += (',"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/%s",'
                    '"metadata":%s}' % (tv, store.meta_json(key)))
        elif include == "Object":
            item = store.item_json(key, apiversion)
            if not store.crd:  # typed list items lack kind/apiVersion
                item = '{"kind":%s,"apiVersion":%s,%s' % (dumps(store.kind), dumps(apiversion), item[1:])
            row += ',"object":' + item
        return row + "}"

    def get_one(self, store, apiversion, ns, name):
        key = "%s/%s" % (ns or "", name)
        obj = store.by_key.get(key)
        if obj is None:
            what = store.resource if not store.group else "%s.%s" % (store.resource, store.group)
            details = {"name": name}
            if store.group:
                details["group"] = store.group
            details["kind"] = store.resource
            return self.send_status(status_obj(404, '%s "%s" not found' % (what, name),
                                               details=details))
        neg = negotiate(self.accept, {"", "Table", "PartialObjectMetadata"})
        if neg is None:
            return self.accept_plain()
        as_, v = neg
        if as_ == "PartialObjectMetadata":
            body = '{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/%s","metadata":%s}' % (
                v, store.meta_json(key))
            return self.send_json(body.encode(), ctype="application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=%s" % v)
        if as_ == "Table":
            cols, cellfn = self.table_columns(store)
            include = self.q.get("includeObject") or "Metadata"
            body = ('{"kind":"Table","apiVersion":"meta.k8s.io/%s","metadata":{"resourceVersion":%s},'
                    '"columnDefinitions":%s,"rows":[%s]}') % (
                v, dumps(obj["metadata"].get("resourceVersion", "")), dumps(cols),
                self.table_row(store, cellfn, key, obj, apiversion, include, v))
            return self.send_json(body.encode(), ctype="application/json;as=Table;g=meta.k8s.io;v=%s" % v)
        body = '{"kind":%s,"apiVersion":%s,%s' % (dumps(store.kind), dumps(apiversion),
                                                  dumps(obj)[1:])
        return self.send_json(body.encode())

    def list(self, store, apiversion, ns):
        st = self.server.state
        neg = negotiate(self.accept, {"", "Table", "PartialObjectMetadataList"})
        if neg is None:
            return self.accept_plain()
        as_, v = neg
        try:
            lpreds = parse_label_selector(self.q.get("labelSelector", ""))
            fpreds = parse_field_selector(self.q.get("fieldSelector", ""), store.resource)
        except SelectorError as e:
            return self.send_status(status_obj(400, str(e)))
        try:
            limit = int(self.q.get("limit") or 0)
        except ValueError:
            return self.send_status(status_obj(400, "invalid limit"))
        cont = self.q.get("continue", "")
        if cont and self.q.get("resourceVersion"):
            return self.send_status(status_obj(
                400, "specifying resource version is not allowed when using continue"))
        prefix = "%s/" % ns if ns is not None else ""
        start = prefix
        if cont:
            try:
                pad = "=" * (-len(cont) % 4)
                tok = json.loads(base64.urlsafe_b64decode(cont + pad))
                start = tok["start"]
                int(tok["rv"])
                if tok.get("v") != "meta.k8s.io/v1":
                    raise ValueError("bad version")
            except (ValueError, KeyError, TypeError):
                return self.send_status(status_obj(
                    400, "continue key is not valid: incorrect encoded start resourceVersion "
                    "(version meta.k8s.io/v1)"))
            if not start.startswith(prefix):
                return self.send_status(status_obj(400, "continue key is not valid: key provided does not match"))
        i = bisect.bisect_left(store.keys, max(start, prefix))
        keys = store.keys
        picked = []
        filtered = bool(lpreds or fpreds)
        n = len(keys)
        more = False
        while i < n:
            k = keys[i]
            if prefix and not k.startswith(prefix):
                break
            obj = store.objs[i]
            i += 1
            if lpreds:
                labels = obj.get("metadata", {}).get("labels") or {}
                if not all(p(labels) for p in lpreds):
                    continue
            if fpreds and not all(p(obj) for p in fpreds):
                continue
            if limit and len(picked) == limit:
                more = True
                i -= 1
                break
            picked.append((k, obj))
        meta = {"resourceVersion": st.list_rv}
        if more:
            last = picked[-1][0]
            tok = dumps({"v": "meta.k8s.io/v1", "rv": int(st.list_rv), "start": last + "\x00"})
            meta["continue"] = base64.urlsafe_b64encode(tok.encode()).decode().rstrip("=")
            if not filtered:
                j = bisect.bisect_left(keys, last + "\x00")
                if prefix:
                    end = bisect.bisect_left(keys, prefix[:-1] + "0")  # '0' == '/'+1
                else:
                    end = n
                meta["remainingItemCount"] = end - j
        f = self.fault or {}
        if f.get("repeatContinue") or f.get("endlessContinue"):
            n = 0
            if cont and f.get("endlessContinue"):
                n = json.loads(base64.urlsafe_b64decode(cont + "=" * (-len(cont) % 4))).get("n", 0) + 1
            t = dumps({"v": "meta.k8s.io/v1", "rv": int(st.list_rv), "start": prefix, "n": n})
            meta["continue"] = base64.urlsafe_b64encode(t.encode()).decode().rstrip("=")
        if as_ == "PartialObjectMetadataList":
            items = ",".join('{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/%s","metadata":%s}'
                             % (v, store.meta_json(k)) for k, _ in picked)
            body = '{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/%s","metadata":%s,"items":[%s]}' % (
                v, dumps(meta), items)
            return self.send_json(body.encode(), ctype="application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=%s" % v)
        if as_ == "Table":
            cols, cellfn = self.table_columns(store)
            include = self.q.get("includeObject") or "Metadata"
            rows = ",".join(self.table_row(store, cellfn, k, o, apiversion, include, v)
                            for k, o in picked)
            body = '{"kind":"Table","apiVersion":"meta.k8s.io/%s","metadata":%s,"columnDefinitions":%s,"rows":[%s]}' % (
                v, dumps(meta), dumps(cols), rows)
            return self.send_json(body.encode(), ctype="application/json;as=Table;g=meta.k8s.io;v=%s" % v)
        items = ",".join(store.item_json(k, apiversion) for k, _ in picked)
        body = '{"kind":%s,"apiVersion":%s,"metadata":%s,"items":[%s]}' % (
            dumps(store.kind + "List"), dumps(apiversion), dumps(meta), items)
        return self.send_json(body.encode())


# ---------------------------------------------------------------- server

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, state, ssl_ctx, faults, log_path):
        self.state = state
        self.ssl_ctx = ssl_ctx
        self.faults = faults
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", buffering=1) if log_path else None
        super().__init__(addr, Handler)

    def log(self, entry):
        if self.log_file is None:
            return
        line = dumps(entry)
        with self.log_lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--state", required=True)
    ap.add_argument("--certs", required=True, help="dir with server.crt/server.key/ca.crt")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--faults")
    args = ap.parse_args()

    with open(args.state) as f:
        state = State(json.load(f))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(args.certs, "server.crt"),
                        os.path.join(args.certs, "server.key"))
    ctx.load_verify_locations(os.path.join(args.certs, "ca.crt"))
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])
    faults = Faults(args.faults)

    srv = Server(("127.0.0.1", args.port), state, ctx, faults, args.log)
    port = srv.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()
