"""Page visits for segments.sql: {user_id (key), segment, url, ts} over three days in time
order; a few users are bots on some day (a burst of 30 visits within one minute). ticks() are
two rounds of visits days later, from many users so they reach every partition, that close the
windows of the EMIT FINAL stages (sent with the visits, in one burst). Deterministic per seed."""
import json
import random

DAY = 86_400_000
SEGMENTS = ["sports", "tech", "travel", "food"]
START = 1_700_006_400_000 // DAY * DAY  # a UTC midnight


def events(n, seed):
    rng = random.Random(seed)
    users = [f"user-{i}" for i in range(300)]
    interests = {u: rng.sample(SEGMENTS, rng.choice([1, 1, 2])) for u in users}
    bots = {(rng.choice(users), d) for d in range(3) for _ in range(3)}
    out = []
    ts = START
    step = 3 * DAY // n
    for i in range(n):
        ts += rng.randrange(1, 2 * step)
        if ts >= START + 3 * DAY:
            break
        u = rng.choice(users)
        out.append({"user_id": u, "segment": rng.choice(interests[u]),
                    "url": f"/p/{rng.randrange(50)}", "ts": ts})
        day = (ts - START) // DAY
        if (u, day) in bots:
            bots.discard((u, day))
            for _ in range(30):  # a burst within the same minute
                out.append({"user_id": u, "segment": out[-1]["segment"], "url": "/bot",
                            "ts": ts})
    return out


def ticks():
    out = []
    for at in (START + 7 * DAY + 3_600_000, START + 11 * DAY + 7_200_000):
        for i in range(40):
            out.append({"user_id": f"tick-{i}", "segment": "tick", "url": "/", "ts": at})
    return out


def kafka_records(evs):
    return [(e["user_id"], json.dumps({k: v for k, v in e.items() if k != "user_id"}))
            for e in evs]


if __name__ == "__main__":
    import sys
    for k, v in kafka_records(events(int(sys.argv[1]) if len(sys.argv) > 1 else 100, 1) + ticks()):
        print(f"{k}|{v}")
