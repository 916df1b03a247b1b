-- Training data for an engagement model: every tweet's features, joined with the engagement
-- label that arrives up to 30 seconds after them. A tweet whose label has not come by then is
-- emitted once, with NULL label columns, when its window closes (30 s + 10 s grace, by event
-- time) -- never a premature NULL row followed by the labelled one.
CREATE STREAM tweet_features (
    tweet_id STRING KEY,
    author_id STRING,
    text_length INT,
    has_media BOOLEAN,
    follower_count BIGINT,
    ts BIGINT
  ) WITH (kafka_topic='tweet_features', value_format='JSON', timestamp='ts', partitions=4);

CREATE STREAM engagement_labels (
    tweet_id STRING KEY,
    engaged BOOLEAN,
    dwell_ms BIGINT,
    ts BIGINT
  ) WITH (kafka_topic='engagement_labels', value_format='JSON', timestamp='ts', partitions=4);

CREATE STREAM training_examples AS
  SELECT f.tweet_id,
         f.author_id,
         f.text_length,
         f.has_media,
         f.follower_count,
         l.engaged,
         l.dwell_ms,
         l.ts - f.ts AS label_delay_ms
  FROM tweet_features f
    LEFT JOIN engagement_labels l
      WITHIN (0 SECONDS, 30 SECONDS) GRACE PERIOD 10 SECONDS
      ON f.tweet_id = l.tweet_id
  EMIT CHANGES;
