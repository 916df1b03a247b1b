"""Reaction events for reactions.sql: {stream_id (key), user_id, reaction, ts}, in time order,
a few per second over a few minutes, with bursts on popular streams. Deterministic per seed.

  generate.py N            N events (a fixed past time line), `key|value` lines
  generate.py --live RATE  events now, RATE per second on average, until stopped"""
import json
import random

REACTIONS = ["heart", "fire", "laugh", "wow", "clap"]


def events(n, seed):
    rng = random.Random(seed)
    streams = [f"stream-{i}" for i in range(6)]
    weights = [8, 5, 3, 2, 1, 1]
    ts = 1_700_000_000_000
    out = []
    for _ in range(n):
        ts += rng.choice([0, 0, 13, 120, 250, 900, 4000])
        stream = rng.choices(streams, weights)[0]
        out.append({"stream_id": stream, "user_id": f"user-{rng.randrange(80)}",
                    "reaction": rng.choice(REACTIONS), "ts": ts})
    return out


def kafka_records(evs):
    return [(e["stream_id"], json.dumps({k: v for k, v in e.items() if k != "stream_id"}))
            for e in evs]


def live(rate, seed):
    """Endless events stamped with the current time, `rate` per second, one line each, flushed
    as they are made (for `| kcat -P`): the demo's live feed."""
    import sys
    import time
    rng = random.Random(seed)
    streams = [f"stream-{i}" for i in range(6)]
    weights = [8, 5, 3, 2, 1, 1]
    interval = 1.0 / rate
    next_at = time.time()
    while True:
        stream = rng.choices(streams, weights)[0]
        e = {"user_id": f"user-{rng.randrange(80)}", "reaction": rng.choice(REACTIONS),
             "ts": int(time.time() * 1000)}
        try:
            print(f"{stream}|{json.dumps(e)}", flush=True)
        except BrokenPipeError:
            return
        next_at += interval * rng.choice([0.2, 0.5, 1, 1, 2])
        time.sleep(max(0.0, next_at - time.time()))


if __name__ == "__main__":
    import sys
    args = sys.argv[1:]
    if args and args[0] == "--live":
        rate = float(args[1]) if len(args) > 1 else 20.0
        if not 0 < rate <= 10000:
            sys.exit("generate.py: --live RATE is between 0 and 10000 events per second")
        live(rate, 1)
    else:
        for k, v in kafka_records(events(int(args[0]) if args else 100, 1)):
            print(f"{k}|{v}")
