-- PARTITION BY rekeys before the projection; the key comes from an expression.
CREATE STREAM reactions (stream_id STRING KEY, user_id STRING, emoji STRING, ts BIGINT)
  WITH (kafka_topic='reactions', value_format='JSON', timestamp='ts');
CREATE STREAM by_user WITH (key_format='JSON') AS
  SELECT UCASE(user_id) AS user_key, stream_id, emoji FROM reactions PARTITION BY UCASE(user_id);
