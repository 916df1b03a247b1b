"""A restore from the changelogs is exact: brookd is killed with SIGKILL while it counts, its
state directory is removed each time (once it runs with the default settings instead), and every
count must equal a direct computation afterwards, by pull query and in the output topic.

brook-devbroker (librdkafka's mock cluster in its own process) outlives the brookd processes.
Two counts run: one grouped by a value column (through a repartition topic) and one by the
key. Records are produced in batches while brookd is killed and restarted three times, at
moments the test does not choose (the producer keeps going). A pull query that reaches a task
still restoring must be told so, never answered with no rows.
Exit 0 pass, 1 fail, 77 skipped (kcat missing)."""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples"))
import harness  # noqa: E402
sys.path.insert(0, HERE)
from brookd_process import Brookd, Checks, wait_until  # noqa: E402

check = Checks()

STATEMENTS = (
    "CREATE STREAM ev (id STRING KEY, seg STRING) WITH (kafka_topic='events', "
    "value_format='JSON');"
    "CREATE TABLE per_seg AS SELECT seg, COUNT(*) AS n FROM ev GROUP BY seg;"
    "CREATE TABLE per_id AS SELECT id, COUNT(*) AS n FROM ev GROUP BY id;")


def ksql(url, sql):
    body = json.dumps({"ksql": sql, "streamsProperties": {}}).encode()
    req = urllib.request.Request(url + "/ksql", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def pull_counts(url, table, key):
    """{key: count} by a pull query over the whole table, or the error text."""
    try:
        _, rows = harness.pull(url, f"SELECT {key}, n FROM {table};")
    except urllib.error.HTTPError as e:
        return e.read().decode(errors="replace")
    except RuntimeError as e:
        return str(e)
    return {r[0]: r[1] for r in rows}


def topic_counts(bootstrap, topic):
    """{key: count}: the last value per key of the output topic (a table's changelog)."""
    out = {}
    for k, v in harness.consume(bootstrap, topic):
        if k is None:
            continue
        key = k.decode()
        if v is None:
            out.pop(key, None)
        else:
            out[key] = json.loads(v)["N"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    ap.add_argument("--devbroker", required=True)
    ap.add_argument("--records", type=int, default=60000)
    ap.add_argument("--keys", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    if not shutil.which("kcat"):
        print("kcat missing: skipped")
        return 77
    rng = random.Random(args.seed)
    print(f"seed {args.seed}", flush=True)
    tmp = tempfile.mkdtemp(prefix="brook-restore-")
    state = os.path.join(tmp, "state")
    # The default state directory lives under $TMPDIR: keep it inside this test's directory.
    os.environ["TMPDIR"] = tmp
    broker = subprocess.Popen([args.devbroker, "events:4", "_confluent-ksql-default__command_topic:1"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    b = None
    try:
        line = broker.stdout.readline()
        check(line.startswith("BOOTSTRAP="), f"brook-devbroker started: {line.strip()}")
        bootstrap = line.strip().split("=", 1)[1]

        def start(default_settings=False):
            extra = ["--bootstrap-servers", bootstrap, "-D", "brook.kafka.topic.creation=auto",
                     "-D", "ksql.streams.commit.interval.ms=0",
                     # A killed member leaves the group after this (the mock rebalances then).
                     "-D", "kafka.session.timeout.ms=6000", "-D", "kafka.heartbeat.interval.ms=1000"]
            if not default_settings:
                extra += ["-D", "ksql.streams.state.dir=" + state]
            return Brookd(args.brookd, extra=extra)

        b = start()
        ksql(b.url, STATEMENTS)
        records = []
        for i in range(args.records):
            user = f"u{rng.randrange(args.keys)}"
            records.append((user, json.dumps({"seg": f"s{rng.randrange(40)}"})))
        batches = [records[i:i + 1000] for i in range(0, len(records), 1000)]
        produced = threading.Event()

        def producer():
            for batch in batches:
                harness.produce(bootstrap, "events", batch)
                time.sleep(rng.uniform(0.1, 0.4))
            produced.set()
        t = threading.Thread(target=producer, daemon=True)
        t.start()

        told_restoring = 0
        for kill, share in enumerate((0.2, 0.45, 0.7)):
            # Killed while it counts: once it has counted a share of the records, at a moment
            # within the next second.
            def counted():
                got = pull_counts(b.url, "per_id", "id")
                return isinstance(got, dict) and sum(got.values()) >= share * args.records
            check(wait_until(counted, 120, 0.2), f"brookd counted {share:.0%} of the records")
            time.sleep(rng.uniform(0.0, 1.0))
            b.proc.send_signal(signal.SIGKILL)
            b.proc.wait()
            shutil.rmtree(state, ignore_errors=True)
            b = start(default_settings=(kill == 2))
            if kill == 2:
                check(wait_until(lambda: "(kept across restarts)" in b.output(), 30),
                      "with the default settings brookd keeps its state directory across restarts")
            # While the tasks restore, a pull query is told so: never answered with a table
            # that is missing its rows.
            answer = pull_counts(b.url, "per_id", "id")
            if isinstance(answer, str):
                check("restor" in answer.lower(),
                      f"a pull query during the restore is told so: {answer[:200]}")
                told_restoring += 1
            else:
                check(sum(answer.values()) >= share * args.records,
                      f"a pull query right after the restart has every row counted before it "
                      f"({sum(answer.values())})")
        check(told_restoring > 0, f"pull queries were told of the restore ({told_restoring} of 3)")
        t.join(300)
        check(produced.is_set(), f"{args.records} records produced")

        per_id = Counter(k for k, _ in records)
        per_seg = Counter(json.loads(v)["seg"] for _, v in records)

        def settled():
            got = pull_counts(b.url, "per_seg", "seg")
            return isinstance(got, dict) and sum(got.values()) >= args.records
        t0 = time.time()
        wait_until(settled, 180, 0.5)
        print(f"settled {time.time() - t0:.1f} s after the producer finished", flush=True)
        time.sleep(2)  # anything over-counted would have arrived too
        for table, key, expected in (("per_seg", "seg", per_seg), ("per_id", "id", per_id)):
            got = pull_counts(b.url, table, key)
            ok = got == dict(expected)
            detail = ""
            if isinstance(got, dict) and not ok:
                wrong = [k for k in expected if got.get(k) != expected[k]]
                detail = (f"; {len(wrong)} keys wrong, total {sum(got.values())} of "
                          f"{args.records}, e.g. {wrong[:3]} "
                          f"{[(got.get(k), expected[k]) for k in wrong[:3]]}")
            check(ok, f"pull query: every {table} count equals a direct computation{detail}")
            topic = table.upper()
            on_topic = topic_counts(bootstrap, topic)
            check(on_topic == dict(expected),
                  f"output topic {topic}: the last count of every key equals a direct "
                  f"computation ({sum(on_topic.values())} of {args.records})")
        check(b.alive(), "brookd is still running")
    finally:
        if b:
            b.stop()
            if check.failures:
                print(b.stderr_text()[-4000:])
        broker.terminate()
        broker.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
