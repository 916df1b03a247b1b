-- A stream-table join with a filter on each side: filter placement moves each conjunct below
-- the join onto the side it reads.
CREATE STREAM events (user_id STRING KEY, page STRING, ms INT)
  WITH (kafka_topic='events', value_format='JSON');
CREATE TABLE users (id STRING PRIMARY KEY, segment INT)
  WITH (kafka_topic='users', value_format='JSON');
CREATE STREAM enriched AS
  SELECT e.user_id, e.page, u.segment FROM events e JOIN users u ON e.user_id = u.id
  WHERE e.ms > 100 AND u.segment = 3;
