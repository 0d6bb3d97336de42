#!/usr/bin/env bash
# sunset audit streams: a 2 GiB audit log (generated on the fly, piped to
# stdin, never written to disk) is read whole in bounded memory.  The bound
# is on bytes: every event is counted (exact totals), one truncated line and
# one invalid line give their errors with line:column and nothing after
# them is lost, and the peak RSS stays under 64 MiB whatever the log size.
set -u
root=$1 bin=$2
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
exec python3 - "$bin" <<'PY'
import json, os, resource, subprocess, sys
bin = sys.argv[1]
def ev(verb, user, agent, group, version, resource_, ns, i, body=False):
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Request" if body else "Metadata",
         "auditID": "%08d-0000-4000-8000-000000000000" % i, "stage": "ResponseComplete",
         "requestURI": "/apis/%s/%s/namespaces/%s/%s" % (group or "", version, ns, resource_), "verb": verb,
         "user": {"username": user, "groups": ["system:authenticated"]}, "sourceIPs": ["10.0.0.1"], "userAgent": agent,
         "objectRef": {"resource": resource_, "namespace": ns, "apiGroup": group, "apiVersion": version},
         "responseStatus": {"metadata": {}, "code": 200},
         "requestReceivedTimestamp": "2026-11-30T10:00:00.000000Z", "stageTimestamp": "2026-11-30T10:00:00.001000Z",
         "annotations": {"authorization.k8s.io/decision": "allow"}}
    if body:
        e["requestObject"] = {"kind": "ConfigMap", "data": {"k": "v" * 2000}}
    return json.dumps(e, separators=(",", ":")) + "\n"
lines = []
dep = 0
i = 0
while sum(map(len, lines)) < (1 << 20) - 4096:
    if i % 50 == 0:
        lines.append(ev("list", "system:serviceaccount:ci:deployer", "helm/v3.2.0", "extensions", "v1beta1", "ingresses", "default", i)); dep += 1
    elif i % 7 == 0:
        lines.append(ev("update", "alice", "kubectl/v1.30.0", "", "v1", "configmaps", "default", i, body=True))
    else:
        lines.append(ev("get", "system:node:n%d" % (i % 20), "kubelet/v1.30.0", "", "v1", "pods", "kube-system", i))
    i += 1
block = "".join(lines).encode()
blocks = (2 << 30) // len(block) + 1
p = subprocess.Popen([bin, "audit", "-o", "csv", "--columns", "kind,version,verb,user,count", "-"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
import threading
out = {}
def drain(name, f): out[name] = f.read()
ts = [threading.Thread(target=drain, args=(n, f)) for n, f in (("stdout", p.stdout), ("stderr", p.stderr))]
for t in ts: t.start()
nlines = block.count(b"\n")
p.stdin.write(b'{"kind":"Event","verb":"get","user":{"usern\n')   # line 1: truncated
p.stdin.write(b'{"kind":"Event",,}\n')                             # line 2: invalid
for _ in range(blocks):
    p.stdin.write(block)
p.stdin.close()
for t in ts: t.join()
_, status, ru = os.wait4(p.pid, 0)
rc = os.waitstatus_to_exitcode(status)
total = blocks * len(block)
want_out = "kind,version,verb,user,count\nIngress,extensions/v1beta1,list,system:serviceaccount:ci:deployer,%d\n" % (dep * blocks)
got_out = out["stdout"].decode().replace("\r\n", "\n")  # csv rows end in CRLF (RFC 4180)
err = out["stderr"].decode()
problems = []
if total < (2 << 30):
    problems.append("generated only %d bytes" % total)
if rc != 3:
    problems.append("exit %d, want 3" % rc)
if got_out.rstrip("\n") != want_out.rstrip("\n"):
    problems.append("stdout:\n%s\nwant:\n%s" % (got_out, want_out))
for want in ("<stdin>:1:44: error: truncated audit event", "<stdin>:2:17: error: invalid audit event: expected a key"):
    if want not in err:
        problems.append("stderr lacks %r:\n%s" % (want, err))
if err.count("error:") != 2:
    problems.append("stderr has other errors:\n%s" % err)
rss_mib = ru.ru_maxrss / 1024
if rss_mib > 64:
    problems.append("peak RSS %.1f MiB > 64 MiB" % rss_mib)
if problems:
    print("FAIL: audit over %d bytes:\n  %s" % (total, "\n  ".join(problems)))
    sys.exit(1)
print("ok: %d bytes (%d events) streamed, peak RSS %.1f MiB" % (total, blocks * nlines, rss_mib))
PY
