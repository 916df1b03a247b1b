#!/usr/bin/env python3
"""Summarizes a `brook-test --verbose` run of ksqlDB's QTT folder by INDEX.tsv category.

usage: brook-test --verbose QTT_DIR > run.txt; qtt_report.py QTT_DIR/INDEX.tsv run.txt
Only `scope=in` cases (every variant in JSON/KAFKA/DELIMITED/NONE) are counted.
"""
import collections
import sys

index_path, run_path = sys.argv[1], sys.argv[2]
cases = {}
with open(index_path) as f:
    header = f.readline().rstrip("\n").split("\t")
    for line in f:
        row = dict(zip(header, line.rstrip("\n").split("\t")))
        stem = row["file"].rsplit("/", 1)[-1].removesuffix(".json")
        cases[(stem, row["case_name"])] = row

outcome = {}
with open(run_path, errors="replace") as f:
    for line in f:
        for tag in ("PASS ", "FAIL ", "SKIP "):
            if line.startswith(tag):
                name = line[len(tag):].rstrip("\n")
                stem, _, rest = name.partition(" - ")
                # Longest case name that prefixes the rest (format/config suffixes or
                # ": detail" follow; case names may themselves contain ": ").
                best = None
                for (s, c) in cases:
                    if s == stem and (rest == c or rest.startswith(c + " - ") or
                                      rest.startswith(c + ": ")):
                        if best is None or len(c) > len(best):
                            best = c
                if best is not None:
                    outcome.setdefault((stem, best), []).append(tag.strip())

by_cat = collections.defaultdict(lambda: [0, 0, 0])
for key, row in cases.items():
    if row["scope"] != "in" or row.get("features", "").find("TEST-ONLY-UDF") >= 0:
        continue
    res = outcome.get(key, [])
    cat = row["category"]
    if res and all(r == "PASS" for r in res):
        by_cat[cat][0] += 1
    elif res and any(r == "FAIL" for r in res):
        by_cat[cat][1] += 1
    else:
        by_cat[cat][2] += 1
tp = tf = ts = 0
for cat, (p, fl, s) in sorted(by_cat.items()):
    total = p + fl + s
    print(f"{cat:70s} {p:4d}/{total:4d} {100.0 * p / max(total, 1):5.1f}%  (failed {fl}, not run {s})")
    tp, tf, ts = tp + p, tf + fl, ts + s
print(f"{'ALL in-scope':70s} {tp:4d}/{tp + tf + ts:4d}")
