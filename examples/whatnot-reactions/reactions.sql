-- Live reactions at a marketplace: JSON reaction events from live video streams, keyed by the
-- stream they were sent to, with the event time in `ts` (epoch milliseconds).
CREATE STREAM reactions (stream_id STRING KEY, user_id STRING, reaction STRING, ts BIGINT)
  WITH (kafka_topic='reactions', value_format='JSON', timestamp='ts', partitions=4);

-- Reactions per live stream per 10-second window, a new window every 5 seconds.
CREATE TABLE reactions_per_stream_10s AS
  SELECT stream_id, COUNT(*) AS reactions
  FROM reactions WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS)
  GROUP BY stream_id EMIT CHANGES;

-- Reactions per type per minute (a repartition: the type is not the key).
CREATE TABLE reactions_per_type_1m AS
  SELECT reaction, COUNT(*) AS reactions
  FROM reactions WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY reaction EMIT CHANGES;

-- Reactions per stream in the last 10 seconds, without a grid: a window per record time span.
CREATE TABLE reactions_per_stream_sliding_10s AS
  SELECT stream_id, COUNT(*) AS reactions
  FROM reactions WINDOW SLIDING (SIZE 10 SECONDS)
  GROUP BY stream_id EMIT CHANGES;

-- Unique reacting users per stream per minute (HyperLogLog).
CREATE TABLE unique_reactors_per_stream_1m AS
  SELECT stream_id, COUNT_DISTINCT(user_id) AS users
  FROM reactions WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY stream_id EMIT CHANGES;

-- Current totals per stream.
CREATE TABLE stream_totals AS
  SELECT stream_id, COUNT(*) AS reactions, LATEST_BY_OFFSET(reaction) AS last_reaction
  FROM reactions GROUP BY stream_id EMIT CHANGES;
