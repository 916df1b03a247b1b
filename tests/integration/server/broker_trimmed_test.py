"""Records the broker deletes before a query reads them are counted and shown, never lost
silently. brookd runs a CSAS against brook-devbroker (librdkafka's mock cluster in its own
process, which keeps about 5 MiB per partition); brookd is paused (SIGSTOP) after its query read
one record, a burst larger than the broker keeps is produced, and brookd resumes: its consumer
finds its position deleted and jumps to the log start. The skipped count must be exact
(read + skipped = produced) and visible in /metrics, DESCRIBE EXTENDED and the processing log.
Exit 0 pass, 1 fail, 77 skipped (kcat missing)."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples"))
import harness  # noqa: E402
sys.path.insert(0, HERE)
from brookd_process import Checks, metric  # noqa: E402

check = Checks()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brookd", required=True)
    ap.add_argument("--devbroker", required=True)
    ap.add_argument("--records", type=int, default=120000)
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()
    if not shutil.which("kcat"):
        print("kcat missing: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="brook-trimmed-")
    broker = subprocess.Popen([args.devbroker, "burst:1", "C:1"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    b = None
    try:
        line = broker.stdout.readline()
        check(line.startswith("BOOTSTRAP="), f"brook-devbroker started: {line.strip()}")
        bootstrap = line.strip().split("=", 1)[1]
        script = os.path.join(tmp, "burst.sql")
        with open(script, "w") as f:
            f.write("CREATE STREAM s (id STRING KEY, v STRING) WITH (kafka_topic='burst', "
                    "value_format='JSON');\n"
                    "CREATE STREAM c AS SELECT id, LEN(v) AS n FROM s;\n")
        b = harness.Brookd(args.brookd, script, extra=[
            "--bootstrap-servers", bootstrap, "-D", "brook.kafka.topic.creation=auto",
            "-D", "ksql.streams.state.dir=" + os.path.join(tmp, "state"),
            ],
            wait_for_broker_line=False)
        payload = "x" * 100
        harness.produce(bootstrap, "burst", [("0", json.dumps({"v": payload}))])
        deadline = time.time() + 60
        while metric(b.url, "brook_query_records_in_total") < 1 and time.time() < deadline:
            time.sleep(0.2)
        check(metric(b.url, "brook_query_records_in_total") == 1, "the query read the first record")
        time.sleep(1)  # its position committed
        b.proc.send_signal(signal.SIGSTOP)
        try:
            records = [(str(i), json.dumps({"v": payload})) for i in range(1, args.records + 1)]
            harness.produce(bootstrap, "burst", records)
        finally:
            b.proc.send_signal(signal.SIGCONT)
        total = args.records + 1
        deadline = time.time() + args.timeout
        read = skipped = 0
        while time.time() < deadline:
            read = metric(b.url, "brook_query_records_in_total")
            skipped = metric(b.url, "brook_query_records_deleted_before_read_total")
            if read + skipped >= total:
                break
            time.sleep(0.5)
        check(skipped > 0, f"the broker deleted records before the query read them: {skipped:.0f}")
        check(read + skipped == total,
              f"read {read:.0f} + deleted {skipped:.0f} = produced {total}: every record accounted")
        described = harness.ksql(b.url, "DESCRIBE s EXTENDED;")
        stats = described[0]["sourceDescription"].get("errorStats", "")
        check(f"records-deleted-before-read: {int(skipped)}" in stats,
              f"DESCRIBE EXTENDED shows it: {stats}")
        check(metric(b.url, "brook_processing_log_entries_total") >= 1,
              "the processing log has an entry for it")
    finally:
        if b:
            b.stop()
            if check.failures:
                print(b.proc.stderr.read()[-4000:])
        broker.terminate()
        broker.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
