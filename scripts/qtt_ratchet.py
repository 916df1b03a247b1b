#!/usr/bin/env python3
"""Conformance ratchet: ksqlDB's own QTT cases that passed before must still pass.

Runs brook-test over ksqlDB's cases (../shared/qtt next to the repository, never copied into it)
at batch size 1, and at batch size 1000 with every query rebuilt from its plan's JSON form
(--plan-json), and compares the passing case names with the list kept in
tests/qtt/conformance-passing.txt. A listed case that no longer passes at either batch size
fails the run. Cases that pass now but are not listed are reported; `--update` adds them to
the list (do it deliberately, in its own commit, after looking at what changed). `--update`
never removes a name: dropping a listed case takes `--drop NAME` (repeatable), and the commit
and the closing note must say why.

Exit codes: 0 ok, 1 a listed case failed, 2 usage error, 77 the corpus is absent (CTest's
"skipped": a fresh clone without ../shared/qtt skips this step and says so).

  qtt_ratchet.py --brook-test build/cli/brook-test [--corpus DIR] [--list FILE] [--update]
                 [--drop NAME ...]
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "qtt")
DEFAULT_LIST = os.path.join(ROOT, "tests", "qtt", "conformance-passing.txt")
RUNS = ((1, []), (1000, ["--plan-json"]))


def passing(brook_test, corpus, batch, extra):
    cmd = [brook_test, "--verbose", "--batch-size", str(batch)] + extra + [corpus]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         errors="replace", timeout=1800)
    names = set()
    summary = ""
    for line in out.stdout.splitlines():
        if line.startswith("PASS "):
            names.add(line[5:])
        elif " passed, " in line:
            summary = line
    return names, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brook-test", required=True)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--list", default=DEFAULT_LIST)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--drop", action="append", default=[],
                    help="remove this listed case name (explicitly; say why in the commit)")
    ap.add_argument("brook_test_args", nargs="*", help="extra brook-test flags, after --")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        print(f"qtt ratchet: skipped, no conformance corpus at {args.corpus}")
        return 77
    now = None
    for batch, flags in RUNS:
        names, summary = passing(args.brook_test, args.corpus, batch,
                                 flags + args.brook_test_args)
        print(f"qtt ratchet: batch size {batch} {' '.join(flags)}: {summary}")
        now = names if now is None else now & names
    with open(args.list) as f:
        before = {l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")}
    unknown = [n for n in args.drop if n not in before]
    if unknown:
        print(f"qtt ratchet: --drop names not in the list: {unknown}")
        return 2
    if args.update or args.drop:
        kept = (before | (now if args.update else set())) - set(args.drop)
        with open(args.list, "w") as f:
            f.write("# ksqlDB QTT cases brook passes at batch sizes 1 and 1000 "
                    "(scripts/qtt_ratchet.py --update adds; --drop NAME removes)\n")
            for n in sorted(kept):
                f.write(n + "\n")
        for n in args.drop:
            print(f"qtt ratchet: DROPPED {n}")
        print(f"qtt ratchet: wrote {len(kept)} names to {args.list} "
              f"({len(kept - before)} added, {len(args.drop)} dropped)")
        return 0
    lost = sorted(before - now)
    gained = sorted(now - before)
    for n in gained:
        print(f"newly passing (not yet in the list): {n}")
    for n in lost:
        print(f"REGRESSION: {n}")
    print(f"qtt ratchet: {len(before)} listed, {len(now)} pass now, {len(lost)} regressed, "
          f"{len(gained)} newly passing")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
