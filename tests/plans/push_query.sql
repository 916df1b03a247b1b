-- A transient push query with LIMIT: no sink step.
CREATE STREAM pageviews (user_id STRING KEY, page STRING, ms INT)
  WITH (kafka_topic='pageviews', value_format='JSON');
SELECT user_id, page, ms / 1000.0 AS seconds FROM pageviews WHERE page LIKE '/home%' EMIT CHANGES LIMIT 10;
