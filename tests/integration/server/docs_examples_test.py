"""Runs the shell examples of the docs that are marked `# run-by-test` (first line of a ```sh
block) against a fresh brookd, with BROOK set to its address: each block must exit 0 under
`bash -euo pipefail` (the examples use curl -f, so an HTTP error fails them).
Exit 0 pass, 1 fail."""
import argparse
import os
import re
import subprocess
import sys

from brookd_process import Brookd

DOCS = ["docs/rest-api.md", "docs/security.md"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    blocks = []
    for doc in DOCS:
        text = open(os.path.join(args.source, doc)).read()
        for m in re.finditer(r"```sh\n(.*?)```", text, re.S):
            if m.group(1).startswith("# run-by-test"):
                blocks.append((doc, m.group(1)))
    if not blocks:
        print("no examples marked # run-by-test")
        return 1
    with Brookd(args.brookd) as brookd:
        url = brookd.url
        failed = 0
        for doc, block in blocks:
            r = subprocess.run(["bash", "-euo", "pipefail", "-c", block],
                               env=dict(os.environ, BROOK=url), capture_output=True, text=True,
                               timeout=120)
            ok = r.returncode == 0
            print(("ok   " if ok else "FAIL ") + f"{doc} example ({len(block.splitlines())} lines)")
            if not ok:
                failed += 1
                print(r.stdout[-3000:], r.stderr[-3000:])
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
