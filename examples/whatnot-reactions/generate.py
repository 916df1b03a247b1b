"""Reaction events for reactions.sql: {stream_id (key), user_id, reaction, ts}, in time order,
a few per second over a few minutes, with bursts on popular streams. Deterministic per seed."""
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


if __name__ == "__main__":
    import sys
    for k, v in kafka_records(events(int(sys.argv[1]) if len(sys.argv) > 1 else 100, 1)):
        print(f"{k}|{v}")
