"""Installs the npm package ksqldb-client (1.0.5) into a temporary folder and runs
npm_client_test.js with it against brookd over HTTP/2.
Exit 0 pass, 1 fail, 77 skipped (node/npm missing, or the npm registry unreachable)."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from brookd_process import Brookd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    args = ap.parse_args()
    if not shutil.which("node") or not shutil.which("npm"):
        print("node or npm missing: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="brook-npm-")
    proc = None
    try:
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent",
                            "--prefix", tmp, "ksqldb-client@1.0.5"],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            print("npm install ksqldb-client failed (registry unreachable?): skipped\n" +
                  r.stderr[-2000:])
            return 77
        proc = Brookd(args.brookd)
        port = str(proc.port)
        env = dict(os.environ, NODE_PATH=os.path.join(tmp, "node_modules"))
        here = os.path.dirname(os.path.abspath(__file__))
        r = subprocess.run(["node", os.path.join(here, "npm_client_test.js"), port], env=env,
                           timeout=120)
        return 0 if r.returncode == 0 else 1
    finally:
        if proc:
            proc.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
