"""End-to-end test of the reactions example: brookd on its embedded broker runs reactions.sql,
the generated events go in with kcat, and every output table's latest value per key (and
window) must equal a direct computation of the same events."""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import generate  # noqa: E402

SEC = 1000


def expected(evs):
    exp = {}
    # Hopping 10 s / 5 s per stream: every window start (multiple of 5 s) with start <= ts < +10 s.
    hop = collections.Counter()
    for e in evs:
        start = (e["ts"] - 10 * SEC + 5 * SEC) // (5 * SEC) * (5 * SEC)
        while start <= e["ts"]:
            if start >= 0:
                hop[(e["stream_id"], start)] += 1
            start += 5 * SEC
    exp["REACTIONS_PER_STREAM_10S"] = {k: {"REACTIONS": n} for k, n in hop.items()}
    per_type = collections.Counter((e["reaction"], e["ts"] // 60000 * 60000) for e in evs)
    exp["REACTIONS_PER_TYPE_1M"] = {k: {"REACTIONS": n} for k, n in per_type.items()}
    # Sliding 10 s: a window [t - 10 s, t] per record time t (from 0), and [t + 1, t + 1 + 10 s]
    # when a record falls in it; each counts the records inside, ends included.
    by_stream = collections.defaultdict(list)
    for e in evs:
        by_stream[e["stream_id"]].append(e["ts"])
    sliding = {}
    size = 10 * SEC
    for s, times in by_stream.items():
        starts = set()
        for t in set(times):
            starts.add(max(0, t - size))
            if any(t < u <= t + 1 + size for u in times):
                starts.add(t + 1)
        for st in starts:
            sliding[(s, st)] = {"REACTIONS": sum(1 for u in times if st <= u <= st + size)}
    exp["REACTIONS_PER_STREAM_SLIDING_10S"] = sliding
    users = collections.defaultdict(set)
    for e in evs:
        users[(e["stream_id"], e["ts"] // 60000 * 60000)].add(e["user_id"])
    exp["UNIQUE_REACTORS_PER_STREAM_1M"] = {k: {"USERS": len(u)} for k, u in users.items()}
    totals = {}
    for e in evs:
        t = totals.setdefault(e["stream_id"], {"REACTIONS": 0})
        t["REACTIONS"] += 1
        t["LAST_REACTION"] = e["reaction"]
    exp["STREAM_TOTALS"] = totals
    return exp


def latest(bootstrap, topic, windowed):
    out = {}
    for k, v in harness.consume(bootstrap, topic):
        if windowed:
            key, start = harness.time_window(k)
            out[(key.decode(), start)] = json.loads(v) if v else None
        else:
            out[k.decode()] = json.loads(v) if v else None
    return out


def run(args):
    evs = generate.events(args.events, args.seed)
    brookd = harness.Brookd(args.brookd, os.path.join(HERE, "reactions.sql"))
    try:
        harness.produce(brookd.bootstrap, "reactions", generate.kafka_records(evs))
        exp = expected(evs)

        def check():
            problems = []
            for topic, want in exp.items():
                got = latest(brookd.bootstrap, topic, topic != "STREAM_TOTALS")
                for key, value in want.items():
                    g = got.get(key)
                    if topic == "UNIQUE_REACTORS_PER_STREAM_1M" and g:
                        # COUNT_DISTINCT is a HyperLogLog estimate: within 2 %.
                        if abs(g["USERS"] - value["USERS"]) > max(1, 0.02 * value["USERS"]):
                            problems.append(f"{topic} {key}: {g} vs exactly {value}")
                    elif g != value:
                        problems.append(f"{topic} {key}: got {g}, expected {value}")
                for key in got:
                    if key not in want:
                        problems.append(f"{topic} {key}: unexpected {got[key]}")
            return problems
        problems = harness.wait_until(check, timeout_s=150)
        if problems:
            return problems

        # Current totals per stream, read from brookd's state by pull queries: a table scan,
        # and a key lookup per stream (pull results are as of the last commit: wait for it).
        def pulled():
            problems = []
            names, rows = harness.pull(brookd.url, "SELECT * FROM stream_totals;")
            got = {r[names.index("STREAM_ID")]: {"REACTIONS": r[names.index("REACTIONS")],
                                                  "LAST_REACTION": r[names.index("LAST_REACTION")]}
                   for r in rows}
            if got != exp["STREAM_TOTALS"]:
                problems.append(f"pull scan of STREAM_TOTALS: {got} vs {exp['STREAM_TOTALS']}")
            for stream, want in sorted(exp["STREAM_TOTALS"].items())[:5]:
                _, rows = harness.pull(
                    brookd.url,
                    f"SELECT REACTIONS FROM stream_totals WHERE stream_id = '{stream}';")
                if rows != [[want["REACTIONS"]]]:
                    problems.append(f"pull lookup of {stream}: {rows} vs {want['REACTIONS']}")
            return problems
        return harness.wait_until(pulled, timeout_s=30)
    finally:
        brookd.stop()


if __name__ == "__main__":
    harness.main(run)
