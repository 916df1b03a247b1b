"""End-to-end test of the ml-training-join example, across a kill -9 of the engine.

A separate brook-devbroker holds the topics (so they outlive brookd); brookd runs training.sql
with a fixed state directory. Features and labels go in with kcat in two halves, each produced
at once (the join must take the two backlogs in event-time order). Once brookd has read the
first half it is killed with SIGKILL and started again on the same state directory and broker. At the end every tweet must
appear in TRAINING_EXAMPLES: with its label when one came within 30 s, with NULLs otherwise —
never a NULL row for a tweet that has its label. Rows written twice (at-least-once around the
crash) are counted and reported; a tweet with two different rows fails the test."""
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import generate  # noqa: E402


class Devbroker:
    def __init__(self, path):
        self.proc = subprocess.Popen([path, "tweet_features:4", "engagement_labels:4"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("BOOTSTRAP="):
            raise RuntimeError("brook-devbroker did not start: " + self.proc.stderr.read())
        self.bootstrap = line.strip().split("=", 1)[1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


def start_brookd(brookd, bootstrap, state_dir):
    return harness.Brookd(brookd, os.path.join(HERE, "training.sql"), extra=[
        "--bootstrap-servers", bootstrap, "-D", "brook.kafka.topic.creation=auto",
        "-D", "ksql.streams.state.dir=" + state_dir,
        "-D", "ksql.streams.commit.interval.ms=500",
        "-D", "kafka.session.timeout.ms=6000", "-D", "kafka.heartbeat.interval.ms=1000"],
        wait_for_broker_line=False)


def records_in(url):
    """Records the persistent queries have read since brookd started (/metrics)."""
    try:
        with urllib.request.urlopen(url + "/metrics", timeout=10) as resp:
            text = resp.read().decode()
    except OSError:
        return 0
    total = 0
    for line in text.splitlines():
        if line.startswith("brook_query_records_in_total"):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def produce_round(bootstrap, rows):
    by_topic = collections.defaultdict(list)
    for _, topic, key, value in rows:
        by_topic[topic].append((key, value))
    for topic, recs in by_topic.items():
        harness.produce(bootstrap, topic, recs)


def produce_ticks(bootstrap, ticks):
    for partition, key, value in ticks:
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(f"{key}|{value}\n")
            path = f.name
        try:
            subprocess.run(["timeout", "60", "kcat", "-b", bootstrap, "-P", "-t",
                            "engagement_labels", "-p", str(partition), "-K|", "-X", "log_level=3",
                            "-l", path], check=True)
        finally:
            os.unlink(path)


def run(args):
    devbroker = os.path.join(os.path.dirname(args.brookd), "..", "runtime", "kafka",
                             "brook-devbroker")
    features, labels = generate.events(args.events, args.seed)
    want = generate.expected(features, labels)
    timeline = generate.timeline(features, labels)
    # Two halves, each produced at once: both topics' backlogs are read together, and the join
    # must take their records in event-time order (as Kafka Streams does).
    half = len(timeline) // 2
    rounds = [timeline[:half], timeline[half:]]
    broker = Devbroker(devbroker)
    state_dir = tempfile.mkdtemp(prefix="ml-training-join-")
    brookd = None
    try:
        brookd = start_brookd(args.brookd, broker.bootstrap, state_dir)
        sent = 0
        for i, rows in enumerate(rounds):
            if i == 1:
                # Killed mid-stream, as a crash would: no commit, no flush.
                brookd.proc.kill()
                brookd.proc.wait()
                brookd = start_brookd(args.brookd, broker.bootstrap, state_dir)
                sent = 0
            produce_round(broker.bootstrap, rows)
            sent += len(rows)
            deadline = time.time() + 120
            while records_in(brookd.url) < sent:
                if time.time() > deadline:
                    return [f"round {i}: brookd read {records_in(brookd.url)} of {sent} records"]
                time.sleep(0.1)
        produce_ticks(broker.bootstrap, generate.ticks(timeline[-1][0]))

        def check():
            got = collections.defaultdict(list)
            for k, v in harness.consume(broker.bootstrap, "TRAINING_EXAMPLES"):
                if k is None or v is None:
                    continue
                row = json.loads(v)
                label = None if row["ENGAGED"] is None else (
                    row["ENGAGED"], row["DWELL_MS"], row["LABEL_DELAY_MS"])
                got[k.decode()].append(label)
            problems = []
            for tweet, label in want.items():
                rows = got.get(tweet, [])
                if not rows:
                    problems.append(f"{tweet}: missing (expected {label})")
                elif any(r != label for r in rows):
                    problems.append(f"{tweet}: got {rows}, expected {label}")
            for tweet in got:
                if tweet not in want:
                    problems.append(f"{tweet}: not a tweet")
            check.duplicates = sum(len(r) - 1 for r in got.values())
            return problems
        check.duplicates = 0
        problems = harness.wait_until(check, timeout_s=120)
        labelled = sum(1 for v in want.values() if v is not None)
        print(f"{len(want)} tweets ({labelled} labelled in time, {len(want) - labelled} "
              f"emitted with NULLs); duplicates after the kill -9: {check.duplicates}")
        return problems
    finally:
        if brookd:
            brookd.stop()
        broker.stop()
        subprocess.run(["rm", "-rf", state_dir])


if __name__ == "__main__":
    harness.main(run)
