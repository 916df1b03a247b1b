"""Shared driver of the examples' end-to-end tests (see each example's test.py).

Starts brookd on its embedded Kafka broker with an example's SQL, produces generated events
with kcat, reads output topics with kcat (keys and values as raw bytes, so windowed keys
survive) and waits, bounded, until the outputs match a direct computation of the events. Pull
queries go to brookd's /query-stream endpoint, as a ksqlDB client sends them.
Exit codes: 0 pass, 1 fail, 77 skipped (kcat missing).
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time


class Brookd:
    def __init__(self, brookd, script, extra=(), wait_for_broker_line=True):
        self.proc = subprocess.Popen(
            [brookd, "--listeners", "http://127.0.0.1:0", "--script", script, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.bootstrap = None
        self.url = None
        deadline = time.time() + 60
        for line in self.proc.stdout:
            if line.startswith("brookd: embedded Kafka broker at "):
                self.bootstrap = line.split(" at ", 1)[1].strip()
            if line.startswith("brookd: listening on "):
                self.url = line.split(" on ", 1)[1].strip()
                break
            if time.time() > deadline:
                break
        if self.url is None or (wait_for_broker_line and self.bootstrap is None):
            self.stop()
            raise RuntimeError("brookd did not start:\n" + self.proc.stderr.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def pull(url, sql, properties=None):
    """Runs a pull query on brookd's /query-stream (ksqlDB's delimited format); returns
    (column names, rows as lists). Raises on an error response."""
    import urllib.request
    body = json.dumps({"sql": sql, "properties": properties or {}}).encode()
    req = urllib.request.Request(url + "/query-stream", data=body, method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Accept": "application/vnd.ksqlapi.delimited.v1"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        lines = [line for line in resp.read().decode().split("\n") if line.strip()]
    header = json.loads(lines[0])
    rows = [json.loads(line) for line in lines[1:]]
    for r in rows:
        if isinstance(r, dict):  # an error in the stream
            raise RuntimeError(f"pull query {sql!r} failed: {r}")
    return header["columnNames"], rows


def ksql(url, sql):
    """Runs statements on brookd's /ksql; returns the parsed answer (raises on an error)."""
    import urllib.request
    req = urllib.request.Request(url + "/ksql", data=json.dumps({"ksql": sql}).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read().decode())


def produce(bootstrap, topic, records):
    """records: (key, value) strings; neither may contain '|' or a newline."""
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        for k, v in records:
            f.write(f"{k}|{v}\n")
        path = f.name
    try:
        subprocess.run(["timeout", "60", "kcat", "-b", bootstrap, "-P", "-t", topic, "-K|",
                        "-X", "log_level=3", "-l", path], check=True)
    finally:
        os.unlink(path)


def consume(bootstrap, topic):
    """All records of `topic` as (key bytes or None, value bytes or None), in offset order
    per partition."""
    r = subprocess.run(["timeout", "20", "kcat", "-b", bootstrap, "-C", "-t", topic, "-e", "-q",
                        "-o", "beginning", "-X", "log_level=0", "-f", "%K:%k%S:%s"],
                       capture_output=True)
    data, out, i = r.stdout, [], 0

    def field():
        nonlocal i
        j = data.index(b":", i)
        n = int(data[i:j])
        i = j + 1
        if n < 0:
            return None
        b = data[i:i + n]
        i += n
        return b
    while i < len(data):
        k = field()
        v = field()
        out.append((k, v))
    return out


def topics(bootstrap):
    """The names of the broker's topics."""
    r = subprocess.run(["timeout", "20", "kcat", "-b", bootstrap, "-L", "-J"], capture_output=True,
                       text=True)
    import json
    return [t["topic"] for t in json.loads(r.stdout or "{}").get("topics", [])]


def count(bootstrap, topic):
    return len(consume(bootstrap, topic))


def time_window(key):
    """Splits a time-windowed key: (key bytes, window start)."""
    return key[:-8], struct.unpack(">q", key[-8:])[0]


def wait_until(check, timeout_s=120):
    """Calls check() until it returns an empty list of problems or time runs out; returns the
    last problems."""
    deadline = time.time() + timeout_s
    while True:
        problems = check()
        if not problems or time.time() > deadline:
            return problems
        time.sleep(1)


def main(run):
    p = argparse.ArgumentParser()
    p.add_argument("--brookd", required=True)
    p.add_argument("--events", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if shutil.which("kcat") is None:
        print("kcat not installed: skipped")
        sys.exit(77)
    problems = run(args)
    if problems:
        print(f"FAIL: {len(problems)} mismatches; first ones:")
        for line in problems[:20]:
            print("  " + line)
        sys.exit(1)
    print("PASS")
