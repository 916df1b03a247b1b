"""brookd's security settings and protocols, end to end with curl and openssl.

1. Settings brook cannot honour stop start-up with a clear error (exit 1 or 2, message).
2. With authentication.method=BASIC every protected route answers 401 with no, wrong and
   malformed credentials, and 200 with the right ones; /healthcheck and /info need none.
3. TLS (https listener, PEM keystore): HTTP/1.1 and HTTP/2 by ALPN, both authenticated.
4. Cleartext HTTP/2: prior knowledge and the h2c upgrade.
Exit 0 pass, 1 fail, 77 skipped (curl or openssl missing).
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from brookd_process import Brookd

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def start(brookd, extra, expect_listen=True):
    """Starts brookd with `extra` (the listener first). With expect_listen, a running Brookd;
    otherwise (start-up must fail) its exit code and output."""
    if not expect_listen:
        proc = subprocess.Popen([brookd, "--listeners", extra[0], *extra[1:]],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        return proc.returncode, out + err
    b = Brookd(brookd, extra[0], extra[1:])
    return b, b.url


def ws_upgrade_status(port, auth_header):
    """The status line's code of a WebSocket upgrade request to /ws/query."""
    request = ("GET /ws/query?request=%7B%22ksql%22%3A%22SHOW%20STREAMS%3B%22%7D HTTP/1.1\r\n"
               "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
               auth_header + "\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        head = s.recv(4096).decode(errors="replace")
    try:
        return int(head.split(" ", 2)[1])
    except (IndexError, ValueError):
        return -1


def curl(*args, data=None):
    cmd = ["curl", "-s", "-o", "/dev/stderr", "-w", "%{http_code} %{http_version}", "-m", "20",
           *args]
    if data is not None:
        cmd += ["-d", data]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    code, _, version = r.stdout.partition(" ")
    return int(code or 0), version, r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    args = ap.parse_args()
    if not shutil.which("curl") or not shutil.which("openssl"):
        print("curl or openssl missing: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="brook-security-")
    try:
        return run(args.brookd, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(brookd, tmp):
    # -- 1. Settings that cannot be honoured stop start-up.
    users = os.path.join(tmp, "users")
    hashed = subprocess.run([brookd, "--hash-password", "1000"], input="s3cret\n",
                            capture_output=True, text=True, timeout=30).stdout.strip()
    check(hashed.startswith("PBKDF2-SHA256$1000$"), "--hash-password prints a salted hash")
    with open(users, "w") as f:
        f.write(f"# test users\nalice: {hashed},admin\nbob: {hashed},viewer\n")
    plain = os.path.join(tmp, "plain")
    with open(plain, "w") as f:
        f.write("alice: s3cret,admin\n")
    refused = [
        (["-D", "authentication.method=BASIC"], "brook.authentication.users.file"),
        (["-D", "authentication.method=BEARER"], "authentication.method"),
        (["-D", "authentication.method=BASIC", "-D", f"brook.authentication.users.file={plain}"],
         "salted hash"),
        (["-D", "ssl.keystore.location=/nonexistent"], "not https"),
        (["-D", "ssl.endpoint.identification.algorithm=https"], "not supported"),
        (["-D", "authentication.basic.realm=x"], "not supported"),
    ]
    for extra, needle in refused:
        code, out = start(brookd, ["http://127.0.0.1:0", *extra], expect_listen=False)
        check(code != 0 and needle in out and "listening" not in out,
              f"start-up refused for {' '.join(extra)}: exit {code}, says '{needle}'")
    code, out = start(brookd, ["https://127.0.0.1:0"], expect_listen=False)
    check(code != 0 and "ssl.keystore.location" in out, "an https listener without a keystore")
    jks = os.path.join(tmp, "x.jks")
    with open(jks, "wb") as f:
        f.write(b"\xfe\xed\xfe\xed not really a keystore")
    code, out = start(brookd, ["https://127.0.0.1:0", "-D", f"ssl.keystore.location={jks}"],
                      expect_listen=False)
    check(code != 0 and "PEM" in out, "a JKS keystore is refused with a way out")
    code, out = start(brookd, ["https://127.0.0.1:0", "-D", "ssl.keystore.type=PEM",
                               "-D", "ssl.keystore.location=/nonexistent/ks.pem"],
                      expect_listen=False)
    check(code != 0 and "Cannot read ssl.keystore.location '/nonexistent/ks.pem'" in out
          and "JKS" not in out, f"a missing keystore is named as missing: {out[-300:]}")

    # -- 2. Basic authentication.
    # Every route with every kind of bad credentials: far more failures than one client may
    # make in a minute by default, so the limit is raised here (tested on its own below).
    proc, url = start(brookd, ["http://127.0.0.1:0", "-D", "authentication.method=BASIC",
                               "-D", f"brook.authentication.users.file={users}",
                               "-D", "authentication.roles=admin",
                               "-D", "brook.authentication.max.failures.per.minute=100000"])
    try:
        good = ["-u", "alice:s3cret"]
        routes = [("POST", "/ksql", '{"ksql":"SHOW STREAMS;"}'),
                  ("POST", "/query-stream", '{"sql":"SELECT * FROM NOPE;"}'),
                  ("POST", "/query", '{"ksql":"SELECT * FROM NOPE;"}'),
                  ("POST", "/inserts-stream", '{"target":"NOPE"}'),
                  ("POST", "/close-query", '{"queryId":"x"}'),
                  ("POST", "/ksql/terminate", '{}'),
                  ("GET", "/status", None), ("GET", "/clusterStatus", None),
                  ("GET", "/metrics", None), ("GET", "/is_valid_property/ksql.x", None)]
        bad_creds = [([], "no credentials"), (["-u", "alice:wrong"], "a wrong password"),
                     (["-u", "mallory:s3cret"], "an unknown user"),
                     (["-H", "Authorization: Basic !!!notbase64"], "malformed base64"),
                     (["-H", "Authorization: Bearer abc"], "another scheme"),
                     (["-H", "Authorization: Basic " + base64.b64encode(b"nocolon").decode()],
                      "no colon")]
        for method, path, body in routes:
            for creds, what in bad_creds:
                code, _, text = curl("-X", method, *creds, url + path, data=body)
                check(code == 401 and '"error_code":40100' in text,
                      f"{method} {path} with {what}: {code}")
            code, _, text = curl("-X", method, *good, url + path, data=body)
            check(code not in (401, 403), f"{method} {path} with the right credentials: {code}")
        code, _, text = curl("-X", "POST", "-u", "bob:s3cret", url + "/ksql",
                             data='{"ksql":"SHOW STREAMS;"}')
        check(code == 403, f"a user without an allowed role gets 403: {code}")
        code, _, text = curl(url + "/ksql", "-u", "alice:s3cret", data='{"ksql":"SHOW STREAMS;"}')
        check(code == 200 and '"streams"' in text, "/ksql answers 200 with credentials")
        for path in ["/healthcheck", "/info"]:
            code, _, _ = curl(url + path)
            check(code == 200, f"{path} needs no credentials: {code}")
        code, version, text = curl("--http2-prior-knowledge", "-u", "alice:s3cret",
                                   url + "/ksql", data='{"ksql":"SHOW STREAMS;"}')
        check(code == 200 and version == "2", f"HTTP/2 with credentials: {code} over {version}")
        code, version, _ = curl("--http2-prior-knowledge", url + "/ksql",
                                data='{"ksql":"SHOW STREAMS;"}')
        check(code == 401 and version == "2", f"HTTP/2 without credentials: {code}")
        # The WebSocket endpoint checks credentials on the upgrade request.
        for creds, want in [("", 401), ("Authorization: Basic " +
                                        base64.b64encode(b"alice:s3cret").decode() + "\r\n", 101)]:
            status = ws_upgrade_status(proc.port, creds)
            check(status == want, f"/ws/query upgrade {'with' if creds else 'without'} "
                                  f"credentials: {status}")
    finally:
        proc.stop()
    log = proc.output()
    check("s3cret" not in log and "alice:" not in log, "credentials never reach brookd's output")

    # Failed logins are limited per client: 200 attempts with wrong passwords (each a PBKDF2
    # derivation, ~85 ms) from 20 threads; meanwhile /healthcheck answers within a second and a
    # logged-in client is served; the client that failed gets 429 once over its limit.
    proc, url = start(brookd, ["http://127.0.0.1:0", "-D", "authentication.method=BASIC",
                               "-D", f"brook.authentication.users.file={users}",
                               "-D", "authentication.roles=admin"])
    try:
        import concurrent.futures
        import urllib.request

        def attempt(i):
            req = urllib.request.Request(
                url + "/ksql", data=b'{"ksql":"SHOW STREAMS;"}',
                headers={"Authorization": "Basic " +
                         base64.b64encode(f"alice:wrong{i}".encode()).decode()})
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code
            except Exception:
                return 0
        code, _, _ = curl(url + "/ksql", "-u", "alice:s3cret", data='{"ksql":"SHOW STREAMS;"}')
        check(code == 200, f"alice logs in before the attack: {code}")
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            attack = pool.map(attempt, range(200))
            started = time.time()
            code, _, _ = curl(url + "/healthcheck")
            health_took = time.time() - started
            started = time.time()
            code2, _, _ = curl(url + "/ksql", "-u", "alice:s3cret",
                               data='{"ksql":"SHOW STREAMS;"}')
            login_took = time.time() - started
            codes = list(attack)
        check(code == 200 and health_took < 1.0,
              f"/healthcheck during 200 wrong logins: {code} in {health_took:.2f}s")
        check(code2 == 200 and login_took < 2.0,
              f"a logged-in client during them: {code2} in {login_took:.2f}s")
        check(codes.count(429) >= 150 and codes.count(401) <= 20 and 200 not in codes,
              f"wrong logins: {codes.count(401)} x 401, {codes.count(429)} x 429")
    finally:
        proc.stop()

    # -- 3. TLS.
    pem = os.path.join(tmp, "server.pem")
    key = os.path.join(tmp, "key.pem")
    cert = os.path.join(tmp, "cert.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       capture_output=True, timeout=120)
    check(r.returncode == 0, "a test certificate was made")
    with open(pem, "w") as f:
        f.write(open(cert).read() + open(key).read())
    # An encrypted key without ssl.key.password: start-up fails at once with the way out, instead
    # of OpenSSL asking for a passphrase on the terminal or on stdin (kept open here).
    enc_key = os.path.join(tmp, "enc-key.pem")
    r = subprocess.run(["openssl", "pkey", "-in", key, "-aes256", "-passout", "pass:pw", "-out",
                        enc_key], capture_output=True, timeout=60)
    check(r.returncode == 0, "an encrypted copy of the key was made")
    enc_pem = os.path.join(tmp, "enc-server.pem")
    with open(enc_pem, "w") as f:
        f.write(open(cert).read() + open(enc_key).read())
    started = time.time()
    p = subprocess.Popen([brookd, "--listeners", "https://127.0.0.1:0", "-D",
                          "ssl.keystore.type=PEM", "-D", f"ssl.keystore.location={enc_pem}"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    check(p.returncode not in (0, None) and "ssl.key.password" in out
          and time.time() - started < 30,
          f"an encrypted key without a password fails start-up at once: {out[-300:]}")
    p = subprocess.Popen([brookd, "--listeners", "https://127.0.0.1:0", "-D",
                          "ssl.keystore.type=PEM", "-D", f"ssl.keystore.location={enc_pem}",
                          "-D", "ssl.key.password=pw"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        deadline = time.time() + 60
        while time.time() < deadline and "listening on" not in line:
            line = p.stdout.readline()
            if not line:
                break
        check("listening on" in line, "the encrypted key with ssl.key.password serves")
    finally:
        p.terminate()
        p.wait(timeout=30)
    proc, url = start(brookd, ["https://127.0.0.1:0", "-D", "ssl.keystore.type=PEM",
                               "-D", f"ssl.keystore.location={pem}",
                               "-D", "authentication.method=BASIC",
                               "-D", f"brook.authentication.users.file={users}"])
    try:
        check(url.startswith("https://"), f"brookd listens on {url}")
        code, version, text = curl("--cacert", cert, "--http1.1", "-u", "alice:s3cret",
                                   url + "/ksql", data='{"ksql":"SHOW STREAMS;"}')
        check(code == 200 and '"streams"' in text, f"TLS + HTTP/1.1: {code} over {version}")
        code, version, text = curl("--cacert", cert, "--http2", "-u", "alice:s3cret",
                                   url + "/ksql", data='{"ksql":"SHOW STREAMS;"}')
        check(code == 200 and version == "2", f"TLS + HTTP/2 by ALPN: {code} over {version}")
        code, _, _ = curl("--cacert", cert, url + "/ksql", data='{"ksql":"SHOW STREAMS;"}')
        check(code == 401, f"TLS without credentials: {code}")
        code, _, _ = curl(url.replace("https://", "http://") + "/info")
        check(code != 200, f"cleartext to the TLS port is not served: {code}")
    finally:
        proc.stop()

    # -- 4. Cleartext HTTP/2.
    proc, url = start(brookd, ["http://127.0.0.1:0"])
    try:
        code, version, text = curl("--http2-prior-knowledge", url + "/ksql",
                                   data='{"ksql":"CREATE STREAM s (id INT KEY, v STRING) WITH '
                                        "(kafka_topic='s', value_format='JSON', partitions=1);\"}")
        check(code == 200 and version == "2", f"h2c prior knowledge: {code} over {version}")
        code, version, text = curl("--http2", url + "/ksql", data='{"ksql":"SHOW STREAMS;"}')
        check(code == 200 and version == "2" and '"S"' in text,
              f"h2c upgrade: {code} over {version}")
        code, version, text = curl("--http2-prior-knowledge", "-H", "Accept: application/json",
                                   url + "/inserts-stream",
                                   data='{"target":"s"}\n{"ID":1,"V":"a"}\n{"ID":2,"V":"b"}')
        acks = json.loads(text) if code == 200 else []
        check(code == 200 and [a.get("seq") for a in acks] == [0, 1] and
              all(a.get("status") == "ok" for a in acks), f"/inserts-stream over HTTP/2: {text}")
        code, version, text = curl("--http2-prior-knowledge", url + "/query-stream",
                                   data='{"sql":"SELECT * FROM s EMIT CHANGES LIMIT 2;",'
                                        '"properties":{"auto.offset.reset":"earliest"}}')
        lines = [line for line in text.split("\n") if line]
        check(code == 200 and len(lines) == 3 and json.loads(lines[1]) == [1, "a"],
              f"a push query over HTTP/2 ends at its LIMIT: {lines}")
        code, version, text = curl("--http2-prior-knowledge", url + "/query",
                                   data='{"ksql":"SELECT * FROM s EMIT CHANGES LIMIT 1;"}',
                                   *[])
        check(code in (200, 405), f"/query over HTTP/2: {code}")
        code, _, text = curl(url + "/metrics")
        check(code == 200 and "brook_http_requests_total" in text and
              "brook_http2_connections_total" in text, "/metrics answers in Prometheus format")
    finally:
        proc.stop()

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", flush=True)
        return 1
    print("all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
