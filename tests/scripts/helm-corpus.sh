#!/usr/bin/env bash
# Scans the real Helm release objects in ../shared/corpus/helm-releases
# (pluto's e2e assets: Helm 2 ConfigMaps/Secrets with protobuf, Helm 3
# Secrets with JSON) when they are there, and asserts every finding.
#
# The expected rows below were found by decoding each file by hand with
# Python (base64, gzip, json or a ten-line protobuf reader over hapi's
# Release: name=1, manifest=5, version=7, namespace=8) and checking each
# manifest document's apiVersion/kind against the table at the default
# target: policy/v1beta1 PDB, autoscaling/v2beta1 HPA, extensions/v1beta1
# Deployment, apiregistration.k8s.io/v1beta1 APIService and
# rbac.authorization.k8s.io/v1beta1 RoleBinding are all removed by then.
# Positions are those of each object's data.release value; a namespace is
# the manifest's, else the release's (APIService is cluster-scoped).
set -u
root=$1 bin=$2
corpus=${SUNSET_CORPUS:-$root/../shared/corpus}/helm-releases
[ -d "$corpus" ] || { echo "SKIP: no corpus at $corpus"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/want" <<'EOF'
pluto-helm2-helm2cm-no-deprecated-multi-namespace@daf26ee2ab.yaml	5:14	HorizontalPodAutoscaler	autoscaling/v2beta1	demo1/kindled-toucan-basic-demo	demo1/kindled-toucan#1	basic-demo/templates/hpa.yaml
pluto-helm2-helm2cm-no-deprecated-multi-namespace@daf26ee2ab.yaml	5:14	PodDisruptionBudget	policy/v1beta1	demo1/kindled-toucan-basic-demo	demo1/kindled-toucan#1	basic-demo/templates/pdb.yaml
pluto-helm2-helm2cm-no-deprecated-multi-namespace@daf26ee2ab.yaml	40:14	HorizontalPodAutoscaler	autoscaling/v2beta1	default/kissing-sponge-basic-demo	default/kissing-sponge#1	basic-demo/templates/hpa.yaml
pluto-helm2-helm2cm-no-deprecated-multi-namespace@daf26ee2ab.yaml	40:14	PodDisruptionBudget	policy/v1beta1	default/kissing-sponge-basic-demo	default/kissing-sponge#1	basic-demo/templates/pdb.yaml
pluto-helm2-helm2configmap-deprecated@4bd19e4093.yaml	3:12	APIService	apiregistration.k8s.io/v1beta1	/v1beta1.metrics.k8s.io	default/invincible-zebu#1	metrics-server/templates/metrics-api-service.yaml
pluto-helm2-helm2configmap-deprecated@4bd19e4093.yaml	3:12	Deployment	extensions/v1beta1	default/invincible-zebu-metrics-server	default/invincible-zebu#1	metrics-server/templates/metrics-server-deployment.yaml
pluto-helm2-helm2configmap-no-deprecated@4bd19e4093.yaml	3:12	APIService	apiregistration.k8s.io/v1beta1	/v1beta1.metrics.k8s.io	default/lunging-bat#1	metrics-server/templates/metrics-api-service.yaml
pluto-helm2-helm2configmap-no-deprecated@4bd19e4093.yaml	3:12	RoleBinding	rbac.authorization.k8s.io/v1beta1	kube-system/lunging-bat-metrics-server-auth-reader	default/lunging-bat#1	metrics-server/templates/role-binding.yaml
pluto-helm2-helm2secrets-deprecated@fc2a654877.yaml	3:12	APIService	apiregistration.k8s.io/v1beta1	/v1beta1.metrics.k8s.io	default/invincible-zebu#1	metrics-server/templates/metrics-api-service.yaml
pluto-helm2-helm2secrets-deprecated@fc2a654877.yaml	3:12	Deployment	extensions/v1beta1	default/invincible-zebu-metrics-server	default/invincible-zebu#1	metrics-server/templates/metrics-server-deployment.yaml
pluto-helm3-secret-demo2@daf26ee2ab.json	4:16	HorizontalPodAutoscaler	autoscaling/v2beta1	demo2/demo2-basic-demo	demo2/demo2#1	basic-demo/templates/hpa.yaml
pluto-helm3-secret-demo2@daf26ee2ab.json	4:16	PodDisruptionBudget	policy/v1beta1	demo2/demo2-basic-demo	demo2/demo2#1	basic-demo/templates/pdb.yaml
pluto-helm3-secret-demo2@f23de6fa14.json	4:16	HorizontalPodAutoscaler	autoscaling/v2beta1	demo2/demo2-basic-demo	demo2/demo2#1	basic-demo/templates/hpa.yaml
pluto-helm3-secret-demo2@f23de6fa14.json	4:16	PodDisruptionBudget	policy/v1beta1	demo2/demo2-basic-demo	demo2/demo2#1	basic-demo/templates/pdb.yaml
pluto-helm3-secret@2f955066c4.yaml	4:20	Deployment	extensions/v1beta1	default/test-helm3chart-v1beta1	default/test#1	helm3chart/templates/deployment-deprecated.yaml
pluto-helm3-secret@daf26ee2ab.json	4:16	Deployment	extensions/v1beta1	default/test-helm3chart-v1beta1	default/test#1	helm3chart/templates/deployment-deprecated.yaml
pluto-helm3-secret@f23de6fa14.json	4:16	Deployment	extensions/v1beta1	demo2/test-helm3chart-v1beta1	demo2/test#2	helm3chart/templates/deployment-deprecated.yaml
pluto-helm3-secret_duplicate_name@f23de6fa14.json	4:16	Deployment	extensions/v1beta1	default/test-helm3chart-v1beta1	default/test#1	helm3chart/templates/deployment-deprecated.yaml
EOF

# every file on its own (-j1), and the whole directory (-j2): each release
# here has one revision, so the newest-revision choice keeps every row
fail=0
: >"$tmp/got"
for f in "$corpus"/pluto-*; do
	"$bin" scan -j1 -o json "$f" >"$tmp/one.json" 2>"$tmp/one.err"
	code=$?
	[ "$code" = 3 ] || { echo "$(basename "$f"): exit $code, want 3"; cat "$tmp/one.err"; fail=1; }
	[ -s "$tmp/one.err" ] && { echo "$(basename "$f"): unexpected stderr"; cat "$tmp/one.err"; fail=1; }
	python3 - "$tmp/one.json" >>"$tmp/got" <<'PY' || fail=1
import json, os, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"]
for i in d["items"]:
    assert i["source"] == "helm-release", i
    print("\t".join([os.path.basename(i["filePath"]), "%d:%d" % (i["line"], i["column"]), i["api"]["kind"],
                     i["api"]["version"], i["namespace"] + "/" + i["name"],
                     "%s/%s#%d" % (i["releaseNamespace"], i["release"], i["revision"]), i.get("template", "-")]))
PY
done
if ! diff -u "$tmp/want" "$tmp/got"; then echo "per-file findings differ"; fail=1; fi

"$bin" scan -j2 -o json "$corpus" >"$tmp/all.json" 2>"$tmp/all.err"
code=$?
[ "$code" = 3 ] || { echo "directory: exit $code, want 3"; fail=1; }
python3 - "$tmp/all.json" "$(wc -l <"$tmp/want")" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
assert not d["errors"], d["errors"]
assert len(d["items"]) == want, (len(d["items"]), want)
PY
[ "$fail" = 0 ] && echo "ok: $(wc -l <"$tmp/want") findings in $(ls "$corpus"/pluto-* | wc -l) release files"
exit "$fail"
