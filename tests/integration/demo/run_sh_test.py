"""The README's first command as a new user meets it: scripts/run.sh in a terminal (tmux) opens
the brook shell on a live push query whose numbers change within a minute; Ctrl-C ends the
query, a pull query answers, EXIT leaves — and nothing the script started keeps running.
Exit codes: 0 pass, 1 fail, 77 skipped (tmux or kcat missing)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--build-dir", required=True)
    args = ap.parse_args()
    if shutil.which("tmux") is None or shutil.which("kcat") is None:
        print("tmux or kcat missing: skipped")
        return 77
    sock = os.path.join(tempfile.mkdtemp(), "tmux.sock")
    env = dict(os.environ, BUILD_DIR=args.build_dir, BROOK_LISTENERS="http://127.0.0.1:0",
               BROOK_RATE="50", BROOK_HISTORY_FILE=os.path.join(os.path.dirname(sock), "h"),
               TERM="xterm")

    def tmux(*a):
        return subprocess.run(["tmux", "-S", sock, *a], env=env, capture_output=True, text=True)

    def screen():
        return tmux("capture-pane", "-t", "demo", "-p", "-S", "-300").stdout

    failures = []

    def check(cond, what):
        print(("ok: " if cond else "FAIL: ") + what, flush=True)
        if not cond:
            failures.append(what)
            print(screen())

    tmux("new-session", "-d", "-s", "demo", "-x", "150", "-y", "50",
         os.path.join(args.root, "scripts", "run.sh"))
    try:
        row = re.compile(r"^\|(stream-\d)\s*\|(\d\d:\d\d:\d\d)\s*\|(\d+)\s*\|$", re.M)
        first = {}
        changed = False
        deadline = time.time() + 60
        while time.time() < deadline and not changed:
            for stream, window, n in row.findall(screen()):
                key = (stream, window)
                if key in first and first[key] != n:
                    changed = True
                first.setdefault(key, n)
            time.sleep(0.5)
        check(changed, "live numbers change in the shell within a minute")
        check("kcat -b" in screen() and "curl -s" in screen() and "--bootstrap-servers" in screen()
              and "EXIT" in screen(), "how to produce, query, use a real cluster and stop is printed")
        tmux("send-keys", "-t", "demo", "C-c")
        time.sleep(1)
        check(re.search(r"Query terminated\s*\nbrook>", screen()) is not None,
              "Ctrl-C ends the push query and leaves the prompt")
        tmux("send-keys", "-t", "demo", "-l", "SELECT * FROM stream_totals WHERE stream_id = 'stream-0'\\;")
        tmux("send-keys", "-t", "demo", "Enter")
        ok = False
        for _ in range(30):
            if re.search(r"\|stream-0\s*\|\d+\s*\|\w+\s*\|\n.*1 row", screen(), re.S):
                ok = True
                break
            time.sleep(0.5)
        check(ok, "a pull query answers in the demo's shell")
        tmux("send-keys", "-t", "demo", "EXIT", "Enter")
        for _ in range(100):
            if tmux("has-session", "-t", "demo").returncode != 0:
                break
            time.sleep(0.2)
        check(tmux("has-session", "-t", "demo").returncode != 0, "EXIT ends run.sh")
        time.sleep(1)
        left = subprocess.run(["pgrep", "-f", "brook-demo-|generate.py --live"],
                              capture_output=True, text=True).stdout.split()
        check(not left, "nothing run.sh started keeps running")
    finally:
        tmux("kill-server")
        subprocess.run(["pkill", "-f", "brook-demo-"], capture_output=True)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
