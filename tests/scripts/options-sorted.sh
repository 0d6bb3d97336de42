#!/usr/bin/env bash
# The option table in src/cli/options.c is searched with bsearch, so an
# entry out of order is not an error anywhere: the option just becomes
# "unknown".  A merge did exactly that once (--rules after --since); this
# keeps the table in strcmp order.
set -u
root=$1
python3 - "$root/src/cli/options.c" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
table = text[text.index("/* sorted by name */"):]
table = table[:table.index("};")]
names = re.findall(r'^\s*\{"([a-z0-9-]+)",', table, re.M)
bad = [(a, b) for a, b in zip(names, names[1:]) if not a.encode() < b.encode()]
if len(names) < 20:
    sys.exit("FAIL: found only %d options; has the table moved?" % len(names))
for a, b in bad:
    print("FAIL: option table out of order: %r before %r" % (a, b))
if bad:
    sys.exit(1)
print("options: %d entries in order" % len(names))
PY
