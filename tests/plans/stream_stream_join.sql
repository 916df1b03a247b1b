-- A stream-stream LEFT JOIN with a grace period, on a value column of the left stream: the left
-- side is repartitioned (repartition_v1, keyed in the right side's key format, with its
-- partition count) before join_v1; the right side is already keyed by the join expression.
CREATE STREAM features (tweet_id STRING KEY, author STRING, len INT)
  WITH (kafka_topic='features', value_format='JSON');
CREATE STREAM labels (author STRING KEY, engaged BOOLEAN)
  WITH (kafka_topic='labels', value_format='JSON');
CREATE STREAM joined AS
  SELECT l.author, f.tweet_id, f.len, l.engaged
  FROM features f LEFT JOIN labels l WITHIN (0 SECONDS, 30 SECONDS) GRACE PERIOD 10 SECONDS
  ON f.author = l.author;
