"""A push-query client that stops reading cannot make brookd's memory grow with the data. brookd
runs on its embedded broker; a client opens a push query (POST /query-stream) and then reads
nothing, while kcat produces far more data than any buffer should hold (200 MB by default).
brookd's resident memory must stay within a bound well below that volume, /healthcheck must keep
answering, and the client must still receive rows once it reads again.
Exit 0 pass, 1 fail, 77 skipped (kcat missing)."""
import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples"))
import harness  # noqa: E402
sys.path.insert(0, HERE)
from brookd_process import Checks, rss_mb  # noqa: E402

check = Checks()


def healthy(url):
    t0 = time.time()
    try:
        with urllib.request.urlopen(url + "/healthcheck", timeout=5) as r:
            return r.status == 200, time.time() - t0
    except OSError:
        return False, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    ap.add_argument("--megabytes", type=int, default=200)
    ap.add_argument("--bound-mb", type=int, default=100,
                    help="allowed growth of brookd's RSS while the client reads nothing")
    args = ap.parse_args()
    if not shutil.which("kcat"):
        print("kcat missing: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="brook-slow-push-")
    b = None
    sock = None
    try:
        script = os.path.join(tmp, "s.sql")
        with open(script, "w") as f:
            f.write("CREATE STREAM s (id STRING KEY, v STRING) WITH (kafka_topic='s', "
                    "value_format='JSON', partitions=4);\n")
        b = harness.Brookd(args.brookd, script,
                           extra=["-D", "ksql.streams.state.dir=" + os.path.join(tmp, "state")])
        # The push query, from the earliest offset; its client reads the response head only.
        u = urllib.parse.urlparse(b.url)
        sock = socket.create_connection((u.hostname, u.port), timeout=10)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        body = json.dumps({"sql": "SELECT * FROM s EMIT CHANGES;",
                           "properties": {"auto.offset.reset": "earliest"}}).encode()
        sock.sendall(b"POST /query-stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Accept: application/vnd.ksqlapi.delimited.v1\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        head = sock.recv(4096)
        check(head.startswith(b"HTTP/1.1 200"), f"the push query started: {head[:40]!r}")
        time.sleep(1)
        before = rss_mb(b.proc.pid)
        payload = "x" * 1000
        per_batch = 20000
        batches = max(1, args.megabytes * 1024 * 1024 // (per_batch * (len(payload) + 20)))
        peak = before
        slowest = 0.0
        for i in range(batches):
            harness.produce(b.bootstrap, "s",
                            [(str(i * per_batch + j), json.dumps({"v": payload}))
                             for j in range(per_batch)])
            peak = max(peak, rss_mb(b.proc.pid))
            ok, took = healthy(b.url)
            slowest = max(slowest, took)
            check(ok, f"/healthcheck answers while the client reads nothing (batch {i + 1})")
        for _ in range(10):  # let brookd take in what it will
            time.sleep(0.5)
            peak = max(peak, rss_mb(b.proc.pid))
        produced_mb = batches * per_batch * (len(payload) + 20) / 1024 / 1024
        check(peak - before < args.bound_mb,
              f"RSS {before:.0f} MB -> peak {peak:.0f} MB after {produced_mb:.0f} MB produced "
              f"(bound: +{args.bound_mb} MB)")
        check(slowest < 2.0, f"/healthcheck answered within {slowest:.2f} s")
        # The client reads again: rows arrive.
        sock.settimeout(10)
        got = b""
        deadline = time.time() + 10
        while got.count(b"\n") < 100 and time.time() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        check(got.count(b"\n") >= 100, "the client gets rows once it reads again")
    finally:
        if sock:
            sock.close()
        if b:
            b.stop()
            if check.failures:
                print(b.proc.stderr.read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
