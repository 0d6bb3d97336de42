#!/usr/bin/env python3
"""Generate sunset's Kubernetes deprecation table (data/k8s.yaml).

Usage:
    scripts/gen-k8s-table.py --api DIR --apiextensions DIR --aggregator DIR
                             [-o data/k8s.yaml]

Each DIR is a git directory (bare mirror or normal clone) of
    k8s.io/api                      (github.com/kubernetes/api)
    k8s.io/apiextensions-apiserver  (github.com/kubernetes/apiextensions-apiserver)
    k8s.io/kube-aggregator          (github.com/kubernetes/kube-aggregator)
It is read with `git -C DIR` only (ls-tree / cat-file); nothing is checked out
and nothing is written into DIR.  Python 3 standard library only.

Inputs, per release tag kubernetes-1.8.0 .. kubernetes-1.N.0 (N = newest
minor tagged in k8s.io/api; the other two repos must carry the same tags):

  * <pkg>/register.go: `const GroupName = "..."`, the version in
    `schema.GroupVersion{Group: GroupName, Version: "..."}` and the kinds
    listed in addKnownTypes (`scheme.AddKnownTypes(SchemeGroupVersion, &Kind{}, ...)`).
    A kind listed there in release X is said to be "present" in X.
  * <pkg>/zz_generated.prerelease-lifecycle.go: APILifecycleIntroduced /
    Deprecated / Replacement / Removed per type.  kube-apiserver enforces
    APILifecycleRemoved (it stops serving the type in that release), so it is
    authoritative even though k8s.io/api keeps the Go types afterwards.
  * the package's *.go type definitions (types.go etc.): whether the kind
    embeds ObjectMeta (see exclusions), and -- only for kinds that never had
    lifecycle data -- two fixed forms of deprecation doc comment written
    directly above the type:
        "Deprecated in v1.X in favor of <group>/<version> <Kind>, and will no
         longer be served in v1.Y."                        (rbac v1alpha1)
        "DEPRECATED [1.X] - This group version of <Kind> is deprecated by
         <group>/<version>/<Kind>."   (deprecated = 1.X, else the first tag
                                       whose types.go carries the comment)

Package locations:
  k8s.io/api                      <dir>/<version>/register.go (core/v1 is group "")
  k8s.io/apiextensions-apiserver  pkg/apis/apiextensions/<version>/register.go
  k8s.io/kube-aggregator          pkg/apis/apiregistration/<version>/register.go
The API group always comes from the package's `const GroupName`.

Row selection (one row per apiVersion+kind):
  * a row is written when the kind is deprecated or removed at some release,
    including planned removals in the future (lifecycle removed > newest
    release; alpha and beta kinds with lifecycle data always have one).
  * excluded (not objects anyone writes in a manifest or sends to the API):
      - kinds named List or *List, and *Options kinds;
      - kinds whose Go struct does not embed ObjectMeta (DeploymentRollback,
        AdmissionReview, ConversionReview, ReplicationControllerDummy, ...);
      - SUBRESOURCE_KINDS and INTERNAL_KINDS below (they do embed
        ObjectMeta but are only reachable as a subresource / never served);
      - NOT_SERVED_GROUPS below (payload formats of webhooks and discovery,
        never served as REST resources by kube-apiserver).

Field rules:
  introduced  lifecycle introduced if present, else the first release whose
              register.go lists the kind (so "1.8" for such kinds means
              "1.8 or earlier": 1.8 is the first tag scanned).
  deprecated  lifecycle deprecated (the newest tag that has the function
              wins); else the doc-comment forms above; else, for kinds that
              never had lifecycle data (alpha groups dropped before the
              generator existed), deprecated = removed, i.e. the release that
              stopped serving them -- there is no earlier upstream signal.
  removed     first release that no longer serves the kind =
              min(lifecycle removed, first release after the kind was last
              present in register.go, doc-comment "no longer be served",
              SERVING_OVERRIDES).  Omitted when none is known.
  replacement upstream's lifecycle replacement (or doc-comment target) when
              that group/version/kind is still served at `latest`; otherwise
              the newest non-alpha version of the same group (of the upstream
              target's group first, when upstream named one) that serves the
              same kind at `latest`; otherwise omitted.  replacementKind only
              when the kind differs.
  replacementAvailable  first release serving the replacement: its lifecycle
              introduced, else the first release whose register.go lists it.
  stability   alpha | beta | ga from the version string.
  source      which files / tags gave the values.

"Served at latest" means: listed in register.go at the newest tag and not
removed (by the rule above) at or before it.
"""

import argparse
import os
import re
import subprocess
import sys

FIRST_MINOR = 8

# --- explicit exceptions ---------------------------------------------------

# Kinds that embed ObjectMeta but are only reachable as subresources of
# another resource; nobody applies them as manifests.
SUBRESOURCE_KINDS = {
    "Scale": "*/scale subresource of workload resources",
    "Eviction": "pods/eviction subresource",
    "Binding": "pods/binding subresource (the top-level bindings resource is create-only plumbing for schedulers)",
    "TokenRequest": "serviceaccounts/token subresource",
    "DeploymentRollback": "deployments/rollback subresource",
    "EphemeralContainers": "pods/ephemeralcontainers subresource (core/v1, 1.16-1.21)",
}

# Kinds that embed ObjectMeta but were never served as REST resources.
INTERNAL_KINDS = {
    ("extensions", "ThirdPartyResourceData"):
        "storage representation of ThirdPartyResource instances, never served as a resource",
    ("", "RangeAllocation"): "internal apiserver allocator state, never served",
    ("", "SerializedReference"): "internal annotation payload, never served",
    ("", "PodStatusResult"): "internal kubelet status payload, never served",
    ("batch", "JobTemplate"): "registered in the scheme but never served; CronJob embeds its spec",
}

# API groups whose packages define payload formats, not served resources.
NOT_SERVED_GROUPS = {
    "admission.k8s.io": "AdmissionReview is the admission webhook request/response payload",
    "imagepolicy.k8s.io": "ImageReview is the image-policy webhook payload",
    "apidiscovery.k8s.io": "aggregated discovery document format, not a resource",
}

# Serving facts that k8s.io/api does not record: the Go types stayed in
# register.go after kube-apiserver stopped serving them and no lifecycle data
# or doc comment says so.  (apiVersion, kind) -> dict(removed, deprecated?,
# reason).  Keep this list short and cite upstream.
SERVING_OVERRIDES = {
    ("node.k8s.io/v1alpha1", "RuntimeClass"): {
        "removed": 22,
        "reason": "kube-apiserver stopped serving node.k8s.io/v1alpha1 in 1.22 "
                  "(kubernetes/kubernetes#103061); k8s.io/api keeps the type without lifecycle data",
    },
    ("extensions/v1beta1", "ThirdPartyResource"): {
        "removed": 8,
        "deprecated": 7,
        "introduced": 2,
        "reason": "ThirdPartyResource was deprecated in 1.7 and removed from kube-apiserver in 1.8 "
                  "(replaced by CustomResourceDefinition); k8s.io/api 1.8.0 still listed the type",
    },
}

# --- git access ------------------------------------------------------------


class Git:
    def __init__(self, gitdir, label):
        self.gitdir = gitdir
        self.label = label
        self._trees = {}
        self.run("rev-parse", "--git-dir")  # fail early on a wrong path
        self._cat = subprocess.Popen(
            ["git", "-C", gitdir, "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, *args):
        p = subprocess.run(["git", "-C", self.gitdir] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            sys.exit("git -C %s %s failed: %s" % (self.gitdir, " ".join(args),
                                                  p.stderr.decode().strip()))
        return p.stdout.decode()

    def tags(self):
        return self.run("tag", "-l", "kubernetes-1.*").split()

    def files(self, tag):
        if tag not in self._trees:
            out = self.run("ls-tree", "-r", "--name-only", tag)
            self._trees[tag] = out.splitlines()
        return self._trees[tag]

    def show(self, tag, path):
        self._cat.stdin.write(("%s:%s\n" % (tag, path)).encode())
        self._cat.stdin.flush()
        header = self._cat.stdout.readline().decode()
        if header.endswith("missing\n"):
            return None
        size = int(header.split()[2])
        data = self._cat.stdout.read(size)
        self._cat.stdout.read(1)
        return data.decode("utf-8", "replace")

    def close(self):
        self._cat.stdin.close()
        self._cat.wait()


# --- parsing ---------------------------------------------------------------

VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")
GROUPNAME_RE = re.compile(r'^const GroupName\s*=\s*"([^"]*)"', re.M)
GV_VERSION_RE = re.compile(r'schema\.GroupVersion\{Group:\s*GroupName,\s*Version:\s*"([^"]+)"\}')
LC_INT_RE = re.compile(
    r"func \(in \*(\w+)\) APILifecycle(Introduced|Deprecated|Removed)\(\) \(major, minor int\) \{\s*"
    r"return (\d+), (\d+)\s*\}")
LC_REPL_RE = re.compile(
    r"func \(in \*(\w+)\) APILifecycleReplacement\(\) schema\.GroupVersionKind \{\s*"
    r'return schema\.GroupVersionKind\{Group: "([^"]*)", Version: "([^"]*)", Kind: "([^"]*)"\}\s*\}')
EMBED_OBJECTMETA_RE = re.compile(r"^\s*(?:metav1\.|v1\.)?ObjectMeta\s*(?:`|$)", re.M)
PROSE_SERVED_RE = re.compile(
    r"Deprecated in v1\.(\d+) in favor of ([a-z0-9.-]+)/(v\w+) (\w+), and will no longer be served in v1\.(\d+)\.")
PROSE_BY_RE = re.compile(
    r"DEPRECATED(?: 1\.(\d+))? - This group version of (\w+) is deprecated by ([a-z0-9.-]+)/(v\w+)[/ ](\w+)")


def version_key(v):
    m = VERSION_RE.match(v)
    if not m:
        return (0, 0, 0)
    stage = {"alpha": 0, "beta": 1, None: 2}[m.group(2)]
    return (int(m.group(1)), stage, int(m.group(3) or 0))


def stability(v):
    m = VERSION_RE.match(v)
    return {"alpha": "alpha", "beta": "beta", None: "ga"}[m.group(2)]


def api_version(group, version):
    return version if group == "" else "%s/%s" % (group, version)


def func_body(src, name):
    """Text of `func name(...` up to its closing brace at column 0."""
    m = re.search(r"^func %s\(.*$" % re.escape(name), src, re.M)
    if not m:
        return None
    end = src.find("\n}", m.end())
    return src[m.end():end if end >= 0 else len(src)]


def parse_register(src):
    """(group, version, [kinds]) from a register.go, or None."""
    gm = GROUPNAME_RE.search(src)
    vm = GV_VERSION_RE.search(src)
    body = func_body(src, "addKnownTypes")
    if not gm or not vm or body is None:
        return None
    kinds = []
    for call in re.finditer(r"AddKnownTypes\(\s*SchemeGroupVersion\s*,(.*?)\)\s*$", body, re.S | re.M):
        for km in re.finditer(r"&(\w+(?:\.\w+)?)\{\}", call.group(1)):
            if "." not in km.group(1):  # skip &metav1.Status{} etc.
                kinds.append(km.group(1))
    return gm.group(1), vm.group(1), kinds


def parse_lifecycle(src):
    """{kind: {introduced|deprecated|removed: minor, replacement: (g, v, k)}}"""
    out = {}
    for m in LC_INT_RE.finditer(src):
        kind, what, major, minor = m.group(1), m.group(2).lower(), int(m.group(3)), int(m.group(4))
        if major != 1:
            raise SystemExit("unexpected major version %d for %s" % (major, kind))
        out.setdefault(kind, {})[what] = minor
    for m in LC_REPL_RE.finditer(src):
        out.setdefault(m.group(1), {})["replacement"] = (m.group(2), m.group(3), m.group(4))
    return out


def type_docs(src):
    """{type name: (doc comment above it, struct body)}"""
    out = {}
    lines = src.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^type (\w+) struct \{", line)
        if not m:
            continue
        # the comment block(s) above the type, up to the previous declaration
        j = i - 1
        doc = []
        while j >= 0 and (lines[j].startswith("//") or lines[j].strip() == ""):
            doc.insert(0, lines[j])
            j -= 1
        k = i + 1
        body = []
        while k < len(lines) and not lines[k].startswith("}"):
            body.append(lines[k])
            k += 1
        out[m.group(1)] = ("\n".join(doc), "\n".join(body))
    return out


# --- collection ------------------------------------------------------------


class Pkg:
    """One group-version package of one repository."""

    def __init__(self, repo, path, group, version):
        self.repo = repo          # label, e.g. k8s.io/api
        self.path = path          # package dir inside the repo
        self.group = group
        self.version = version


class KindInfo:
    def __init__(self, group, version, kind):
        self.group, self.version, self.kind = group, version, kind
        self.present = set()      # minors whose register.go lists the kind
        self.lifecycle = {}       # minor -> lifecycle dict
        self.pkg = None           # Pkg (latest seen)
        self.has_objectmeta = None
        self.prose = {}           # minor -> ("served"|"by", data)
        self.prose_first = {}     # form -> first minor seen

    @property
    def av(self):
        return api_version(self.group, self.version)


def package_dirs(label, files):
    """register.go dirs for one repository tree."""
    out = []
    for f in files:
        if not f.endswith("/register.go"):
            continue
        d = f[:-len("/register.go")]
        parts = d.split("/")
        if label == "k8s.io/api":
            ok = len(parts) == 2
        elif label == "k8s.io/apiextensions-apiserver":
            ok = len(parts) == 4 and parts[:3] == ["pkg", "apis", "apiextensions"]
        else:
            ok = len(parts) == 4 and parts[:3] == ["pkg", "apis", "apiregistration"]
        if ok and VERSION_RE.match(parts[-1]):
            out.append(d)
    return sorted(out)


def collect(repos, minors):
    kinds = {}
    dirgroup = {}  # (repo label, group dir name) -> group, for doc comments
    for minor in minors:
        tag = "kubernetes-1.%d.0" % minor
        for git in repos:
            files = git.files(tag)
            fileset = set(files)
            for d in package_dirs(git.label, files):
                reg = git.show(tag, d + "/register.go")
                parsed = parse_register(reg) if reg else None
                if not parsed:
                    continue
                group, version, klist = parsed
                if git.label == "k8s.io/api":
                    dirgroup[d.split("/")[0]] = group
                pkg = Pkg(git.label, d, group, version)
                lc = {}
                lcpath = d + "/zz_generated.prerelease-lifecycle.go"
                if lcpath in fileset:
                    lc = parse_lifecycle(git.show(tag, lcpath))
                docs = {}
                for f in files:
                    if (f.startswith(d + "/") and f.endswith(".go") and "/" not in f[len(d) + 1:]
                            and not f.endswith("_test.go") and not os.path.basename(f).startswith("zz_generated")
                            and not f.endswith(".pb.go")):
                        docs.update(type_docs(git.show(tag, f)))
                for k in klist:
                    ki = kinds.setdefault((group, version, k), KindInfo(group, version, k))
                    ki.present.add(minor)
                    ki.pkg = pkg
                    if k in docs:
                        ki.has_objectmeta = bool(EMBED_OBJECTMETA_RE.search(docs[k][1]))
                        doc = docs[k][0]
                        m = PROSE_SERVED_RE.search(doc)
                        if m:
                            ki.prose[minor] = ("served", m.groups())
                            ki.prose_first.setdefault("served", minor)
                        m = PROSE_BY_RE.search(doc)
                        if m and m.group(2) == k:
                            ki.prose[minor] = ki.prose.get(minor) or ("by", m.groups())
                            ki.prose_first.setdefault("by", minor)
                # lifecycle for kinds listed in register.go (types only in the
                # lifecycle file are helpers of no interest)
                for k, data in lc.items():
                    if (group, version, k) in kinds and k in klist:
                        kinds[(group, version, k)].lifecycle[minor] = data
    return kinds, dirgroup


# --- evaluation ------------------------------------------------------------


def newest_lc(ki, field):
    """(value, minor of tag) of a lifecycle field from the newest tag having it."""
    for minor in sorted(ki.lifecycle, reverse=True):
        if field in ki.lifecycle[minor]:
            return ki.lifecycle[minor][field], minor
    return None, None


def ranges(minors):
    minors = sorted(minors)
    out = []
    start = prev = minors[0]
    for m in minors[1:]:
        if m != prev + 1:
            out.append((start, prev))
            start = m
        prev = m
    out.append((start, prev))
    return ",".join("kubernetes-1.%d.0" % a if a == b else "kubernetes-1.%d.0..1.%d.0" % (a, b)
                    for a, b in out)


def excluded(ki):
    k = ki.kind
    if k == "List" or k.endswith("List"):
        return "list type"
    if k.endswith("Options"):
        return "options type"
    if ki.group in NOT_SERVED_GROUPS:
        return NOT_SERVED_GROUPS[ki.group]
    if (ki.group, k) in INTERNAL_KINDS:
        return INTERNAL_KINDS[(ki.group, k)]
    if k in SUBRESOURCE_KINDS:
        return SUBRESOURCE_KINDS[k]
    if ki.has_objectmeta is False:
        return "struct does not embed ObjectMeta"
    if ki.has_objectmeta is None:
        return "type definition not found"
    return None


def evaluate(kinds, dirgroup, latest):
    """Rows for the table, and the excluded kinds with the reason."""
    # Pass 1: the removal release of every kind (replacement needs it).
    # Each candidate carries its provenance; the smallest wins, ties go to
    # the first source in this order.
    removal = {}
    for key, ki in kinds.items():
        cands = []
        lc_removed, lc_tag = newest_lc(ki, "removed")
        if lc_removed is not None:
            cands.append((lc_removed, ("lifecycle", lc_tag)))
        if max(ki.present) < latest:
            cands.append((max(ki.present) + 1, ("register", None)))
        if not ki.lifecycle:
            comment = newest_comment(ki, "served")
            if comment:
                cands.append((int(comment[0][4]), ("comment", comment[1])))
        ov = SERVING_OVERRIDES.get((ki.av, ki.kind))
        if ov:
            cands.append((ov["removed"], ("override", None)))
        if cands:
            best = min(c[0] for c in cands)
            removal[key] = (best, next(c[1] for c in cands if c[0] == best))
        else:
            removal[key] = (None, None)

    def served_at_latest(key):
        if key not in kinds or latest not in kinds[key].present:
            return False
        return removal[key][0] is None or removal[key][0] > latest

    def first_served(key):
        intro, _ = newest_lc(kinds[key], "introduced")
        return intro if intro is not None else min(kinds[key].present)

    def newest_served(group, kind, not_version):
        best = None
        for (g, v, k) in kinds:
            if g == group and k == kind and v != not_version and stability(v) != "alpha" \
                    and served_at_latest((g, v, k)):
                if best is None or version_key(v) > version_key(best):
                    best = v
        return best

    rows, skipped = [], []
    for key in sorted(kinds):
        ki = kinds[key]
        why = excluded(ki)
        if why:
            skipped.append((ki.av, ki.kind, why))
            continue
        prov = {}     # field -> (source, tag)
        notes = []
        ov = SERVING_OVERRIDES.get((ki.av, ki.kind)) or {}

        removed, prov["removed"] = removal[key]

        intro, tag = newest_lc(ki, "introduced")
        if intro is not None:
            prov["introduced"] = ("lifecycle", tag)
        elif "introduced" in ov:
            intro, prov["introduced"] = ov["introduced"], ("override", None)
        else:
            intro, prov["introduced"] = min(ki.present), ("register", None)

        dep, tag = newest_lc(ki, "deprecated")
        repl, rtag = newest_lc(ki, "replacement")
        if dep is not None:
            prov["deprecated"] = ("lifecycle", tag)
        if repl is not None:
            prov["upstream-replacement"] = ("lifecycle", rtag)
        if not ki.lifecycle:
            served = newest_comment(ki, "served")
            by = newest_comment(ki, "by")
            if served:
                (cdep, cg, cv, ck, _), ctag = served
                dep, repl = int(cdep), (cg, cv, ck)
                prov["deprecated"] = prov["upstream-replacement"] = ("comment", ctag)
            elif by:
                (cdep, _, cg, cv, ck), ctag = by
                first = ki.prose_first["by"]
                dep = int(cdep) if cdep else first
                prov["deprecated"] = ("comment", ctag if cdep else first)
                # older comments name the k8s.io/api directory, not the group
                repl = (dirgroup.get(cg, cg), cv, ck)
                prov["upstream-replacement"] = ("comment", ctag)
        if dep is None and "deprecated" in ov:
            dep, prov["deprecated"] = ov["deprecated"], ("override", None)
        if dep is None and removed is not None:
            dep, prov["deprecated"] = removed, ("assumed", None)
        if dep is None:
            continue  # neither deprecated nor removed: no row
        if removed is not None and dep > removed:
            notes.append("upstream lifecycle says deprecated in %s, but the kind is gone from register.go "
                         "after %s; deprecated set to the removal release" % (fmt(dep), fmt(max(ki.present))))
            dep, prov["deprecated"] = removed, prov["removed"]

        row = {"apiVersion": ki.av, "kind": ki.kind, "introduced": intro,
               "deprecated": dep, "removed": removed, "stability": stability(ki.version)}

        # replacement
        if repl is not None and repl[2] == ki.kind + "List":
            # upstream typo (networking.k8s.io/v1beta1 IngressClass names
            # IngressClassList): a kind is never replaced by its list type
            notes.append("upstream lifecycle names %s %s as replacement; read as %s"
                         % (api_version(repl[0], repl[1]), repl[2], ki.kind))
            repl = (repl[0], repl[1], ki.kind)
        rep = None
        if repl is not None and served_at_latest(repl):
            rep = repl
            prov["replacement"] = prov["upstream-replacement"]
        else:
            searches = ([(repl[0], repl[2])] if repl else []) + [(ki.group, ki.kind)]
            for g, k in searches:
                v = newest_served(g, k, ki.version if g == ki.group else None)
                if v is not None:
                    rep = (g, v, k)
                    prov["replacement"] = ("fallback", None)
                    break
        if rep is not None:
            row["replacement"] = api_version(rep[0], rep[1])
            if rep[2] != ki.kind:
                row["replacementKind"] = rep[2]
            row["replacementAvailable"] = first_served(rep)
        if repl is not None and rep != repl:
            what = api_version(repl[0], repl[1]) + ("" if repl[2] == ki.kind else " " + repl[2])
            if rep:
                notes.append("upstream names %s as replacement, which is not served in %s; use %s instead"
                             % (what, fmt(latest), row["replacement"]
                                + ("" if rep[2] == ki.kind else " " + rep[2])))
            else:
                notes.append("upstream names %s as replacement, which is not served in %s either; "
                             "no served replacement" % (what, fmt(latest)))

        if repl is not None and rep != repl and repl[2] == ki.kind and repl[0] != ki.group \
                and (rep is None or rep[0] != repl[0]):
            # the group upstream moved the kind to: sunset looks there for what a
            # target in between serves (extensions PodSecurityPolicy -> policy)
            row["upstreamReplacement"] = api_version(repl[0], repl[1])
        row["source"] = describe_source(ki, prov, ov, latest)
        if notes:
            row["notes"] = "; ".join(notes)
        rows.append(row)

    # Every served group/version of every kind, GA ones too, so that sunset can
    # name what a target in between serves (not only what `latest` serves).
    served = []
    for key in sorted(kinds):
        ki = kinds[key]
        if excluded(ki):
            continue
        until, prov_until = removal[key]
        how = prov_until[0] if prov_until else None
        intro, itag = newest_lc(ki, "introduced")
        start = intro if intro is not None else min(ki.present)
        if until is not None and until <= start:
            continue
        src = "k8s.io/api" if ki.pkg is None else ki.pkg.repo
        src = "%s %s register.go %s" % (src, ki.pkg.path if ki.pkg else ki.av, ranges(ki.present))
        if intro is not None:
            src += "; from = lifecycle introduced (kubernetes-1.%d.0)" % itag
        if until is not None:
            src += "; until = %s" % {"lifecycle": "lifecycle removed", "register": "first tag without it",
                                     "comment": "deprecation comment", "override": "SERVING_OVERRIDES"}[how]
        served.append({"apiVersion": ki.av, "kind": ki.kind, "from": start, "until": until, "source": src})
    return rows, skipped, served


def newest_comment(ki, form):
    """(groups, minor) of a deprecation doc comment of the given form, newest tag."""
    for minor in sorted(ki.prose, reverse=True):
        if ki.prose[minor][0] == form:
            return ki.prose[minor][1], minor
    return None


def describe_source(ki, prov, ov, latest):
    """Which files and tags gave which value, e.g.
    'k8s.io/api apps/v1beta1 prerelease-lifecycle kubernetes-1.36.0 (introduced,
    deprecated, removed, replacement); register.go kubernetes-1.8.0..1.36.0'"""
    fields = ("introduced", "deprecated", "removed", "replacement")
    by = {}
    for f in fields:
        if f in prov and prov[f] is not None:
            by.setdefault(prov[f], []).append(f)
    parts = []
    for src, label in (("lifecycle", "prerelease-lifecycle"), ("comment", "types.go deprecation comment")):
        for (s, tag) in sorted(k for k in by if k[0] == src):
            parts.append("%s kubernetes-1.%d.0 (%s)" % (label, tag, ", ".join(by[(s, tag)])))
    reg = by.get(("register", None))
    parts.append("register.go %s%s" % (ranges(ki.present), " (%s)" % ", ".join(reg) if reg else ""))
    if ("override", None) in by:
        parts.append("%s from SERVING_OVERRIDES: %s" % (", ".join(by[("override", None)]), ov["reason"]))
    if ("assumed", None) in by:
        parts.append("no lifecycle data, deprecated = removed")
    if ("fallback", None) in by:
        parts.append("replacement = newest non-alpha version serving the kind in kubernetes-1.%d.0" % latest)
    return "%s %s %s" % (ki.pkg.repo, ki.pkg.path, "; ".join(parts))


# --- output ----------------------------------------------------------------


def fmt(minor):
    return "1.%d" % minor


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(rows, latest, first, served):
    out = []
    out.append("# Generated by scripts/gen-k8s-table.py from k8s.io/api, k8s.io/apiextensions-apiserver "
               "and k8s.io/kube-aggregator (tags kubernetes-1.%d.0..kubernetes-1.%d.0). Do not edit."
               % (first, latest))
    out.append("component: k8s")
    out.append("latest: %s" % yaml_str(fmt(latest)))
    out.append("apis:")

    def sortkey(row):
        av = row["apiVersion"]
        g, v = av.rsplit("/", 1) if "/" in av else ("", av)
        return (g, version_key(v), v, row["kind"])

    for row in sorted(rows, key=sortkey):
        out.append("  - apiVersion: %s" % row["apiVersion"])
        out.append("    kind: %s" % row["kind"])
        out.append("    introduced: %s" % yaml_str(fmt(row["introduced"])))
        out.append("    deprecated: %s" % yaml_str(fmt(row["deprecated"])))
        if row["removed"] is not None:
            out.append("    removed: %s" % yaml_str(fmt(row["removed"])))
        if "replacement" in row:
            out.append("    replacement: %s" % row["replacement"])
            if "replacementKind" in row:
                out.append("    replacementKind: %s" % row["replacementKind"])
            out.append("    replacementAvailable: %s" % yaml_str(fmt(row["replacementAvailable"])))
        out.append("    stability: %s" % row["stability"])
        out.append("    source: %s" % yaml_str(row["source"]))
        if "upstreamReplacement" in row:
            out.append("    upstreamReplacement: %s" % row["upstreamReplacement"])
        if "notes" in row:
            out.append("    notes: %s" % yaml_str(row["notes"]))
    out.append("served:")
    for s in sorted(served, key=sortkey):
        out.append("  - apiVersion: %s" % s["apiVersion"])
        out.append("    kind: %s" % s["kind"])
        out.append("    from: %s" % yaml_str(fmt(s["from"])))
        if s["until"] is not None:
            out.append("    until: %s" % yaml_str(fmt(s["until"])))
        out.append("    source: %s" % yaml_str(s["source"]))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--api", required=True, help="git dir of k8s.io/api")
    ap.add_argument("--apiextensions", required=True, help="git dir of k8s.io/apiextensions-apiserver")
    ap.add_argument("--aggregator", required=True, help="git dir of k8s.io/kube-aggregator")
    ap.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    ap.add_argument("--explain", action="store_true", help="list excluded kinds on stderr")
    args = ap.parse_args()

    repos = [Git(args.api, "k8s.io/api"),
             Git(args.apiextensions, "k8s.io/apiextensions-apiserver"),
             Git(args.aggregator, "k8s.io/kube-aggregator")]
    tagre = re.compile(r"^kubernetes-1\.(\d+)\.0$")
    minors = sorted(int(m.group(1)) for m in map(tagre.match, repos[0].tags()) if m)
    minors = [m for m in minors if m >= FIRST_MINOR]
    if not minors:
        sys.exit("no kubernetes-1.X.0 tags in %s" % args.api)
    latest = minors[-1]
    missing = [m for m in range(FIRST_MINOR, latest + 1) if m not in minors]
    if missing:
        sys.exit("k8s.io/api lacks tags: %s" % ", ".join("kubernetes-1.%d.0" % m for m in missing))
    for git in repos[1:]:
        have = set(git.tags())
        lack = ["kubernetes-1.%d.0" % m for m in minors if "kubernetes-1.%d.0" % m not in have]
        if lack:
            sys.exit("%s (%s) lacks tags: %s" % (git.label, git.gitdir, ", ".join(lack)))

    kinds, dirgroup = collect(repos, minors)
    for g in repos:
        g.close()
    rows, skipped, served = evaluate(kinds, dirgroup, latest)
    if args.explain:
        for av, k, why in skipped:
            print("excluded %s %s: %s" % (av, k, why), file=sys.stderr)
    text = render(rows, latest, FIRST_MINOR, served)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        tmp = args.output + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
