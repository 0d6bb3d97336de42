#!/usr/bin/env bash
# Scans the real Helm charts in ../shared/corpus/charts (unrendered sources
# of stable/* and upstream charts, 2018-2026) when they are there: no crash,
# no error, the same bytes with one worker or eight, every finding under a
# templates/ directory a chart-template finding with its template path; and
# every finding of the charts below at three targets.
#
# The rows were checked by reading each chart's templates and helpers:
# - traefik: dashboard-ingress (extensions/v1beta1), hpa (autoscaling/
#   v2beta1) and the PDB are hardcoded; rbac.yaml and deployment.yaml switch
#   on semverCompare "^1.8-0"/"^1.9-0", so apps/v1beta1 shows only at 1.8.
# - redis, elasticsearch-curator, fluent-bit, nginx-ingress: PSP, CronJob,
#   DaemonSet and Deployment apiVersions come from _helpers.tpl defines
#   (semverCompare ">=1.10-0"/">=1.14-0"/"<1.9-0"/">=1.9-0", and
#   APIVersions.Has "rbac.authorization.k8s.io/v1" for RBAC); the rest are
#   hardcoded (nginx-ingress: webhook, HPA, PDBs; its controller-hpa's
#   scaleTargetRef apiVersion is nested, not an object).
# - metrics-server 3.13: the PSP is guarded by semverCompare "<1.25-0" and
#   the PDB helper picks policy/v1 from 1.21: nothing at any of these targets
#   but 1.8, where the PSP's policy/v1beta1 is not yet deprecated either.
set -u
root=$1 bin=$2
corpus=${SUNSET_CORPUS:-$root/../shared/corpus}/charts
[ -d "$corpus" ] || { echo "SKIP: no chart corpus at $corpus"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

cat >"$tmp/want" <<'EOF'
1.36	elasticsearch-curator@d62b17076d/templates/cronjob.yaml	1:13	CronJob	batch/v1beta1
1.36	elasticsearch-curator@d62b17076d/templates/psp.yml	2:13	PodSecurityPolicy	policy/v1beta1
1.36	fluent-bit@d62b17076d/templates/psp.yaml	2:13	PodSecurityPolicy	policy/v1beta1
1.36	nginx-ingress@d62b17076d/templates/admission-webhooks/job-patch/psp.yaml	2:13	PodSecurityPolicy	policy/v1beta1
1.36	nginx-ingress@d62b17076d/templates/admission-webhooks/validating-webhook.yaml	2:13	ValidatingWebhookConfiguration	admissionregistration.k8s.io/v1beta1
1.36	nginx-ingress@d62b17076d/templates/controller-hpa.yaml	3:13	HorizontalPodAutoscaler	autoscaling/v2beta1
1.36	nginx-ingress@d62b17076d/templates/controller-poddisruptionbudget.yaml	2:13	PodDisruptionBudget	policy/v1beta1
1.36	nginx-ingress@d62b17076d/templates/controller-psp.yaml	2:13	PodSecurityPolicy	policy/v1beta1
1.36	nginx-ingress@d62b17076d/templates/default-backend-poddisruptionbudget.yaml	2:13	PodDisruptionBudget	policy/v1beta1
1.36	nginx-ingress@d62b17076d/templates/default-backend-psp.yaml	2:13	PodSecurityPolicy	policy/v1beta1
1.36	redis@d62b17076d/templates/psp.yaml	2:13	PodSecurityPolicy	policy/v1beta1
1.36	traefik@d62b17076d/templates/dashboard-ingress.yaml	2:13	Ingress	extensions/v1beta1
1.36	traefik@d62b17076d/templates/hpa.yaml	2:13	HorizontalPodAutoscaler	autoscaling/v2beta1
1.36	traefik@d62b17076d/templates/poddisruptionbudget.yaml	2:13	PodDisruptionBudget	policy/v1beta1
1.15	traefik@d62b17076d/templates/dashboard-ingress.yaml	2:13	Ingress	extensions/v1beta1
1.8	fluent-bit@d62b17076d/templates/daemonset.yaml	1:13	DaemonSet	extensions/v1beta1
1.8	nginx-ingress@d62b17076d/templates/controller-daemonset.yaml	4:13	DaemonSet	extensions/v1beta1
1.8	nginx-ingress@d62b17076d/templates/controller-deployment.yaml	2:13	Deployment	extensions/v1beta1
1.8	nginx-ingress@d62b17076d/templates/default-backend-deployment.yaml	2:13	Deployment	extensions/v1beta1
1.8	traefik@d62b17076d/templates/deployment.yaml	4:13	Deployment	apps/v1beta1
EOF

charts=(traefik@d62b17076d redis@d62b17076d elasticsearch-curator@d62b17076d fluent-bit@d62b17076d
	nginx-ingress@d62b17076d metrics-server@5ed5d3a2cf)
: >"$tmp/got"
for t in 1.36 1.15 1.8; do
	args=()
	for c in "${charts[@]}"; do args+=("$corpus/$c"); done
	"$bin" scan -t "$t" -o json "${args[@]}" >"$tmp/out.json" 2>"$tmp/err"
	code=$?
	case $code in 0|2|3|4) ;; *) echo "at $t: exit $code"; cat "$tmp/err"; fail=1 ;; esac
	[ -s "$tmp/err" ] && { echo "at $t: unexpected stderr"; cat "$tmp/err"; fail=1; }
	python3 - "$tmp/out.json" "$t" >>"$tmp/got" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"]
for i in d["items"]:
    rel = i["filePath"].split("/charts/", 1)[1]
    assert i["source"] == "chart-template" and i["template"] == rel, i
    print("\t".join([sys.argv[2], rel, "%d:%d" % (i["line"], i["column"]), i["api"]["kind"], i["api"]["version"]]))
PY
done
if ! diff -u "$tmp/want" "$tmp/got"; then echo "findings differ"; fail=1; fi

# the whole corpus: every chart, one worker and eight, same bytes, no errors
"$bin" scan -j1 -o json "$corpus" >"$tmp/j1.json" 2>"$tmp/j1.err"
c1=$?
"$bin" scan -j8 -o json "$corpus" >"$tmp/j8.json" 2>"$tmp/j8.err"
c8=$?
case $c1 in 0|2|3|4) ;; *) echo "corpus: exit $c1"; cat "$tmp/j1.err"; fail=1 ;; esac
[ "$c1" = "$c8" ] || { echo "corpus: exit $c1 with -j1, $c8 with -j8"; fail=1; }
[ -s "$tmp/j1.err" ] && { echo "corpus: unexpected stderr"; head "$tmp/j1.err"; fail=1; }
cmp -s "$tmp/j1.json" "$tmp/j8.json" || { echo "corpus: -j1 and -j8 differ"; fail=1; }
python3 - "$tmp/j1.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["errors"], d["errors"][:5]
assert len(d["items"]) > 100, len(d["items"])
for i in d["items"]:
    rel = i["filePath"].split("/charts/", 1)[1]
    if "/templates/" in rel:
        assert i["source"] == "chart-template" and i["template"] == rel, i
        assert i["line"] > 0 and i["column"] > 0, i
PY
exit $fail
