"""brookd against hostile and broken clients (issue 8, point 7).

Starts brookd on its embedded broker with short timeouts, then sends every bad request in the
list below over raw sockets and checks each status, that brookd is still up after each, and
that /healthcheck answers within a second while 1,000 idle connections are held open.
Every wait is bounded. Exit 0 pass, 1 fail.
"""
import argparse
import json
import resource
import socket
import subprocess
import sys
import time

from brookd_process import Brookd

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def exchange(port, data, timeout=10.0, half_close=False):
    """Sends raw bytes, returns everything read until the server closes or `timeout`."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        out = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def status_of(response):
    try:
        return int(response.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def statuses(response):
    """Status codes of every response in `response` (pipelined or not)."""
    codes = []
    for part in response.split(b"HTTP/1.1 ")[1:]:
        try:
            codes.append(int(part[:3]))
        except ValueError:
            pass
    return codes


def post(path, body, extra=b""):
    if isinstance(body, str):
        body = body.encode()
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\n"
            + extra + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def ksql_body(sql):
    return json.dumps({"ksql": sql})


def healthcheck_time(port):
    start = time.time()
    r = exchange(port, b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 timeout=5)
    return status_of(r), time.time() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 and hard >= 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))

    b = Brookd(args.brookd, extra=["-D", "brook.http.header.timeout.ms=1000",
                             "-D", "brook.http.body.timeout.ms=1000",
                             "-D", "brook.http.max.body.bytes=1048576",
                             "-D", "brook.http.max.header.bytes=8192"])
    port = b.port
    try:
        cases = [
            # (name, raw request, expected status, options)
            ("Transfer-Encoding: identity is refused, not run as a second request",
             b"POST /ksql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n"
             b"GET /info HTTP/1.1\r\nHost: x\r\n\r\n", 501),
            ("an unknown Transfer-Encoding is 501",
             b"POST /ksql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
             501),
            ("Transfer-Encoding with Content-Length is 400",
             b"POST /ksql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5"
             b"\r\n\r\n0\r\n\r\n", 400),
            ("Content-Length, then Transfer-Encoding, is 400 too",
             b"POST /ksql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked"
             b"\r\n\r\n0\r\n\r\n", 400),
            ("a bad chunk size is 400",
             b"POST /ksql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n", 400),
            ("a short body is 408 after the body timeout",
             b"POST /ksql HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"ksql\":", 408),
            ("headers never finished are 408",
             b"GET /info HTTP/1.1\r\nHost: x\r\n", 408),
            ("HTTP/1.1 without Host is 400", b"GET /info HTTP/1.1\r\n\r\n", 400),
            ("a header over the limit is 431",
             b"GET /info HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
            ("a POST without a length is 411", b"POST /ksql HTTP/1.1\r\nHost: x\r\n\r\n", 411),
            ("a body over the limit is 413",
             b"POST /ksql HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
            ("garbage is 400", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", 400),
            ("an unknown path is 404", b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
             404),
            ("a wrong method is 405", b"GET /ksql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
             405),
            ("a wrong method on /query-stream is 405",
             b"PUT /query-stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
             405),
            ("malformed JSON is 400", post("/ksql", "{\"ksql\":"), 400),
            ("partitions=99999999999 is 400",
             post("/ksql", ksql_body("CREATE STREAM p (a INT) WITH (kafka_topic='p', "
                                     "value_format='JSON', partitions=99999999999);")), 400),
            ("DECIMAL(99999999999999999999,1) is 400",
             post("/ksql", ksql_body("CREATE STREAM d (a DECIMAL(99999999999999999999,1)) WITH "
                                     "(kafka_topic='d', value_format='JSON', partitions=1);")),
             400),
            ("a 32768-byte topic name is 400",
             post("/ksql", ksql_body("CREATE STREAM t (a INT) WITH (kafka_topic='" + "t" * 32768 +
                                     "', value_format='JSON', partitions=1);")), 400),
            ("a 32768-byte C*AS name is 400",
             post("/ksql", ksql_body("CREATE STREAM " + "N" * 32768 + " AS SELECT * FROM X;")),
             400),
            ("a DEFINE chain that would expand to 10^8 characters is 400",
             post("/ksql", json.dumps({"ksql": "SELECT 1 FROM x;", "sessionVariables": {}})
                  .replace("SELECT 1 FROM x;", "DEFINE a0='xxxxxxxxxx'; " + " ".join(
                      f"DEFINE a{i}='" + ("${a%d}" % (i - 1)) * 10 + "';" for i in range(1, 9))
                      + " CREATE STREAM v (a STRING) WITH (kafka_topic='${a8}', "
                        "value_format='JSON', partitions=1);")), 400),
        ]
        for sql, what in [("(" * 4000 + "1" + ")" * 4000, "parentheses"),
                          ("NOT " * 4000 + "true", "NOT"),
                          ("+".join(["1"] * 4000), "1+1+..."),
                          ("ABS(" * 4000 + "1" + ")" * 4000, "ABS("),
                          ("ARRAY[" * 4000 + "1" + "]" * 4000, "ARRAY["),
                          ("CASE WHEN true THEN " * 2000 + "1" + " END" * 2000, "CASE"),
                          ("- " * 200000 + "1", "200,000 unary minus")]:
            cases.append((f"SQL nested 4,000 deep ({what}) is 400",
                          post("/ksql", ksql_body(f"CREATE STREAM n AS SELECT {sql} AS c FROM x;")),
                          400))

        for name, raw, expected in cases:
            start = time.time()
            r = exchange(port, raw, timeout=10)
            elapsed = time.time() - start
            got = statuses(r)
            ok = bool(got) and got[0] == expected and b"KsqlServerInfo" not in r
            check(ok and elapsed < 8,
                  f"{name}: got {got[:2]} in {elapsed:.2f}s (expected {expected})")
            check(b.alive(), f"brookd is up after: {name}")

        # Positioned errors for the SQL bounds.
        r = exchange(port, post("/ksql", ksql_body("CREATE STREAM n AS SELECT " + "NOT " * 4000 +
                                                   "true AS c FROM x;")))
        check(b"Line: 1, Col:" in r and b"nested too deeply" in r,
              "a too-deep statement gets a positioned error")

        # A JSON record with a trailing comma is undecodable: inserted rows are checked by the
        # server, and /inserts-stream answers with an error for that row.
        exchange(port, post("/ksql", ksql_body(
            "CREATE STREAM tc (id INT, amount INT) WITH (kafka_topic='tc', value_format='JSON', "
            "partitions=1);")))
        r = exchange(port, post("/inserts-stream",
                                '{"target":"tc"}\n{"ID":1,"AMOUNT":99,}\n',
                                b"Accept: application/json\r\n"))
        check(b'"status":"error"' in r, "a JSON row with a trailing comma is refused: " +
              r.split(b"\r\n\r\n", 1)[-1][:160].decode(errors="replace"))

        # 1,000 idle connections, then /healthcheck within a second.
        idle = []
        try:
            for _ in range(1000):
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            time.sleep(0.5)
            code, took = healthcheck_time(port)
            check(code == 200 and took < 1.0,
                  f"/healthcheck answers {code} in {took:.3f}s with 1,000 idle connections open")
        finally:
            for s in idle:
                s.close()
        check(b.alive(), "brookd is up after 1,000 idle connections")
    finally:
        b.stop()

    # Under an open-files limit of 256 the connection cap stays below it, and at the cap
    # /healthcheck is still answered (reserved connections), while other requests get 429.
    def limit_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    small = Brookd(args.brookd, preexec_fn=limit_files)
    try:
        lowered = [l for l in small._stdout + small._stderr if "max.connections lowered to" in l]
        cap = int(lowered[0].split("lowered to ", 1)[1].split()[0]) if lowered else None
        check(cap is not None and cap < 256, f"the connection cap under 256 open files is {cap}")
        idle = []
        try:
            for _ in range(cap or 0):
                idle.append(socket.create_connection(("127.0.0.1", small.port), timeout=5))
            time.sleep(0.5)
            code, took = healthcheck_time(small.port)
            check(code == 200 and took < 1.0,
                  f"/healthcheck at the connection cap: {code} in {took:.3f}s")
            r = exchange(small.port, b"GET /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                         timeout=5)
            check(status_of(r) == 429, f"another request at the cap is refused: {status_of(r)}")
        finally:
            for s in idle:
                s.close()
        check(small.alive(), "brookd with 256 open files is up after its cap was reached")
    finally:
        small.stop()
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", flush=True)
        return 1
    print("all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
