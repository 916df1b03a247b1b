"""Records that used to stop brookd, through a running CSAS against a live brookd: a
URL_DECODE_PARAM of '%zzz' (std::stoi threw, brookd aborted and then crash-looped on restart) and
a regular-expression bomb over a 40,000-character value (std::regex recursed per character).
brookd stays up, the query stays RUNNING and keeps processing the records after them, the
failing expressions are NULL as in ksqlDB, and the processing log counts the entries.
Exit 0 pass, 1 fail."""
import argparse
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from brookd_process import Brookd, Checks  # noqa: E402

check = Checks()


def post(url, path, body, timeout=30):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def get(url, path):
    with urllib.request.urlopen(url + path, timeout=30) as r:
        return r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    args = ap.parse_args()
    b = Brookd(args.brookd)
    try:
        url = b.url
        status, body = post(url, "/ksql", {"ksql": (
            "CREATE STREAM u (id INT KEY, s STRING) WITH (kafka_topic='u', value_format='JSON', "
            "partitions=1);"
            "CREATE STREAM d AS SELECT id, URL_DECODE_PARAM(s) AS decoded, "
            "REGEXP_EXTRACT('(a+)+$', s) AS tail FROM u;")})
        check(status == 200, f"the stream and the CSAS are created: {status} {body[:200]}")
        bomb = "a" * 40000 + "!"
        rows = [(1, "%zzz"), (2, bomb), (3, "a%20b"), (4, "aaa")]
        for i, s in rows:
            status, body = post(url, "/ksql", {"ksql": f"INSERT INTO u (id, s) VALUES ({i}, '{s}');"})
            check(status == 200, f"insert {i}: {status}")
        status, body = post(url, "/query-stream", {
            "sql": "SELECT id, decoded, tail FROM d EMIT CHANGES LIMIT 4;",
            "properties": {"auto.offset.reset": "earliest"}}, timeout=60)
        lines = [json.loads(l) for l in body.splitlines() if l.strip()]
        got = {r[0]: r for r in lines[1:] if isinstance(r, list)}
        check(status == 200 and len(got) == 4, f"all four records came through: {body[:300]}")
        if len(got) == 4:
            check(got[1][1] is None, "URL_DECODE_PARAM('%zzz') is NULL")
            check(got[2][2] is None and got[2][1] == bomb,
                  "the regex bomb is NULL; the other column of its record is kept")
            check(got[3][1] == "a b" and got[3][2] is None, "an ordinary record after them")
            check(got[4][1] == "aaa" and got[4][2] == "aaa", "the regex still matches")
        check(b.alive(), "brookd is up")
        status, body = post(url, "/ksql", {"ksql": "SHOW QUERIES;"})
        queries = json.loads(body)[0].get("queries", []) if status == 200 else []
        states = [q.get("state") for q in queries]
        check(states and all(s == "RUNNING" for s in states), f"the query is RUNNING: {states}")
        metrics = get(url, "/metrics")
        count = 0
        for line in metrics.splitlines():
            if line.startswith("brook_processing_log_entries_total"):
                count = float(line.split()[-1])
        check(count >= 2, f"the processing log has the entries: {count}")
    finally:
        b.stop()
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
