"""Tweet features and engagement labels for training.sql, deterministic per seed.

Features come a few per second in event-time order. Most tweets get one label 0-30 s after their
features; some get it too late (31-45 s: past the WITHIN window, so the feature is emitted with
NULLs) and some never. `records(...)` merges both topics in event-time order; `ticks(...)` are
labels for tweets that do not exist, one per partition far in the future: they move every
task's stream time past the last window so the last unmatched features are emitted."""
import json
import random

START = 1_700_000_000_000


def events(n, seed):
    rng = random.Random(seed)
    features, labels = [], []
    ts = START
    for i in range(n):
        ts += rng.choice([0, 50, 200, 400, 900])
        tweet = f"t{i:06d}"
        features.append({"tweet_id": tweet, "author_id": f"u{rng.randrange(50)}",
                         "text_length": rng.randrange(1, 281), "has_media": rng.random() < 0.3,
                         "follower_count": rng.randrange(10, 100000), "ts": ts})
        fate = rng.random()
        if fate < 0.75:
            delay = rng.randrange(0, 30001)
        elif fate < 0.85:
            delay = rng.randrange(31000, 45001)
        else:
            continue  # never labelled
        labels.append({"tweet_id": tweet, "engaged": rng.random() < 0.4,
                       "dwell_ms": rng.randrange(0, 60000), "ts": ts + delay})
    return features, labels


def expected(features, labels):
    """tweet_id -> (engaged, dwell_ms, delay) for tweets labelled in time, else None."""
    by_tweet = {lab["tweet_id"]: lab for lab in labels}
    out = {}
    for f in features:
        lab = by_tweet.get(f["tweet_id"])
        if lab is not None and 0 <= lab["ts"] - f["ts"] <= 30000:
            out[f["tweet_id"]] = (lab["engaged"], lab["dwell_ms"], lab["ts"] - f["ts"])
        else:
            out[f["tweet_id"]] = None
    return out


def timeline(features, labels):
    """(ts, topic, key, value) of every event, in event-time order."""
    rows = [(f["ts"], "tweet_features", f["tweet_id"],
             json.dumps({k: v for k, v in f.items() if k != "tweet_id"})) for f in features]
    rows += [(lab["ts"], "engagement_labels", lab["tweet_id"],
              json.dumps({k: v for k, v in lab.items() if k != "tweet_id"})) for lab in labels]
    rows.sort(key=lambda r: r[0])
    return rows


def ticks(after_ts, partitions=4):
    """Labels of unknown tweets far after `after_ts`, for each partition (kcat -p)."""
    return [(p, f"tick-{p}", json.dumps({"engaged": False, "dwell_ms": 0,
                                         "ts": after_ts + 120000}))
            for p in range(partitions)]


if __name__ == "__main__":
    import sys
    feats, labs = events(int(sys.argv[1]) if len(sys.argv) > 1 else 100, 1)
    for ts, topic, key, value in timeline(feats, labs):
        print(f"{topic} {key}|{value}")
