"""End-to-end test of the audience-segments example: brookd on its embedded broker runs
segments.sql, the generated visits (and the closing ticks) go in with kcat, and the daily and
all-days unique users per segment must match a direct computation (HyperLogLog counts within
2 %)."""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import generate  # noqa: E402

BOT_LIMIT = 20


def expected(evs):
    minutes = collections.Counter((e["user_id"], e["segment"], e["ts"] // 60000) for e in evs)
    peak = collections.defaultdict(int)
    for (u, s, minute), n in minutes.items():
        day = minute * 60000 // generate.DAY * generate.DAY
        peak[(u, s, day)] = max(peak[(u, s, day)], n)
    daily = collections.defaultdict(set)
    all_days = collections.defaultdict(set)
    for (u, s, day), p in peak.items():
        if p <= BOT_LIMIT:
            daily[(s, day)].add(u)
            all_days[s].add(u)
    return daily, all_days


def close(got, want):
    return got is not None and abs(got - want) <= max(1, 0.02 * want)


def run(args):
    evs = generate.events(args.events, args.seed)
    brookd = harness.Brookd(args.brookd, os.path.join(HERE, "segments.sql"))
    try:
        # As the README does it: every visit and both rounds of ticks produced at once, in time
        # order, across 4 partitions. brook processes the partitions' backlogs in time order
        # across the tasks that feed each repartition topic, so nothing arrives late behind a
        # tick and a one-hour grace is enough (docs/sql.md, "Time order").
        daily, all_days = expected(evs)
        harness.produce(brookd.bootstrap, "page_visits",
                        generate.kafka_records(evs + generate.ticks()))

        def check():
            problems = []
            got_daily = {}
            for k, v in harness.consume(brookd.bootstrap, "SEGMENT_DAYS"):
                key = json.loads(k)
                got_daily[(key["SEGMENT"], key["DAY"])] = json.loads(v)["USERS"] if v else None
            for key, users in daily.items():
                if not close(got_daily.get(key), len(users)):
                    problems.append(f"SEGMENT_DAYS {key}: {got_daily.get(key)} vs {len(users)}")
            for key in got_daily:
                if key not in daily:
                    problems.append(f"SEGMENT_DAYS {key}: unexpected {got_daily[key]}")
            got_all = {}
            for k, v in harness.consume(brookd.bootstrap, "SEGMENT_ALL_DAYS"):
                got_all[json.loads(k)] = json.loads(v)["USERS"] if v else None
            for s, users in all_days.items():
                if not close(got_all.get(s), len(users)):
                    problems.append(f"SEGMENT_ALL_DAYS {s}: {got_all.get(s)} vs {len(users)}")
            return problems
        problems = harness.wait_until(check, timeout_s=180)
        if problems:
            return problems
        for table in ("USER_MINUTES", "USER_DAYS", "SEGMENT_DAYS"):
            described = harness.ksql(brookd.url, f"DESCRIBE {table} EXTENDED;")
            stats = json.dumps(described)
            if "late-records-dropped" in stats:
                problems.append(f"{table} dropped late records: {stats[:400]}")
        if problems:
            return problems

        # Daily segment sizes, read from brookd's state by pull queries: one lookup per
        # (segment, day) key and a scan with a filter on a value column.
        def pulled():
            problems = []
            for (segment, day), users in sorted(daily.items()):
                names, rows = harness.pull(
                    brookd.url, f"SELECT users FROM segment_days "
                                f"WHERE segment = '{segment}' AND day = {day};")
                if len(rows) != 1 or not close(rows[0][0], len(users)):
                    problems.append(f"pull SEGMENT_DAYS ({segment}, {day}): {rows} vs {len(users)}")
            names, rows = harness.pull(brookd.url,
                                       "SELECT segment, day, users FROM segment_days "
                                       "WHERE users >= 1;")
            if len(rows) != len(daily):
                problems.append(f"pull scan of SEGMENT_DAYS: {len(rows)} rows vs {len(daily)}")
            return problems
        return harness.wait_until(pulled, timeout_s=30)
    finally:
        brookd.stop()


if __name__ == "__main__":
    harness.main(run)
