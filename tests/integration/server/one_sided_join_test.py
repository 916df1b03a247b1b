"""A stream-stream join whose right side receives nothing for a long time keeps brookd's memory
flat. brookd runs on its embedded broker with
  l LEFT JOIN r WITHIN 1 SECOND GRACE PERIOD 1 SECOND ON l.id = r.id
and only `l` receives records (300,000 by default, their times 10 ms apart: about 50 minutes of
event time). The join keeps only what its window and grace can still match or emit, so brookd's
resident memory must stay within a bound after the first batch, every left record must come out
once (unmatched, with NULLs) and the query must keep running.
Exit 0 pass, 1 fail, 77 skipped (kcat missing)."""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples"))
import harness  # noqa: E402
sys.path.insert(0, HERE)
from brookd_process import Checks, metric, rss_mb  # noqa: E402

check = Checks()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    ap.add_argument("--records", type=int, default=300000)
    ap.add_argument("--bound-mb", type=int, default=150,
                    help="allowed growth of brookd's RSS after the first batch")
    args = ap.parse_args()
    if not shutil.which("kcat"):
        print("kcat missing: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="brook-one-sided-")
    b = None
    try:
        script = os.path.join(tmp, "join.sql")
        with open(script, "w") as f:
            f.write("CREATE STREAM l (id STRING KEY, ts BIGINT) WITH (kafka_topic='l', "
                    "value_format='JSON', partitions=2, timestamp='ts');\n"
                    "CREATE STREAM r (id STRING KEY, ts BIGINT) WITH (kafka_topic='r', "
                    "value_format='JSON', partitions=2, timestamp='ts');\n"
                    "CREATE STREAM j AS SELECT l.id AS id, l.ts AS lts, r.ts AS rts FROM l "
                    "LEFT JOIN r WITHIN 1 SECOND GRACE PERIOD 1 SECOND ON l.id = r.id;\n")
        b = harness.Brookd(args.brookd, script,
                           extra=["-D", "ksql.streams.state.dir=" + os.path.join(tmp, "state")])
        per_batch = 20000
        batches = max(2, args.records // per_batch)
        start = 1_700_000_000_000
        first = None
        peak = 0.0
        for i in range(batches):
            records = [(f"u{n % 1000}", json.dumps({"ts": start + n * 10}))
                       for n in range(i * per_batch, (i + 1) * per_batch)]
            harness.produce(b.bootstrap, "l", records)
            want = (i + 1) * per_batch
            deadline = time.time() + 60
            while metric(b.url, "brook_query_records_in_total") < want and time.time() < deadline:
                time.sleep(0.2)
            check(metric(b.url, "brook_query_records_in_total") >= want,
                  f"the join read batch {i + 1} ({want} records)")
            rss = rss_mb(b.proc.pid)
            if first is None:
                first = rss
            peak = max(peak, rss)
        total = batches * per_batch
        check(peak - first < args.bound_mb,
              f"RSS after the first batch {first:.0f} MB, peak {peak:.0f} MB over {total} "
              f"one-sided records (bound: +{args.bound_mb} MB)")
        # Every left record but those whose window is still open comes out once, unmatched.
        deadline = time.time() + 30
        out = 0.0
        while time.time() < deadline:
            out = metric(b.url, "brook_query_records_out_total")
            if out >= total - 1000:
                break
            time.sleep(0.5)
        check(total - 1000 <= out <= total,
              f"{out:.0f} of {total} left records came out (all but the last second's)")
        queries = harness.ksql(b.url, "SHOW QUERIES;")[0]["queries"]
        check(all(q["state"] == "RUNNING" for q in queries), "the query is still RUNNING")
    finally:
        if b:
            b.stop()
            if check.failures:
                print(b.proc.stderr.read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
