-- A windowed aggregation (declared steps: brook's runtime rejects aggregate_v1 until stateful
-- queries land, but the plan is complete and EXPLAIN shows it).
CREATE STREAM reactions (stream_id STRING KEY, user_id STRING, emoji STRING, ts BIGINT)
  WITH (kafka_topic='reactions', value_format='JSON', timestamp='ts');
CREATE TABLE reactions_per_stream AS
  SELECT stream_id, COUNT(*) AS reactions, COUNT_DISTINCT(user_id) AS users
  FROM reactions WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 10 SECONDS)
  WHERE emoji IS NOT NULL GROUP BY stream_id HAVING COUNT(*) > 1;
