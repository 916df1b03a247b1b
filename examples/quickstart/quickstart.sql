-- brook quickstart: a stream over a JSON topic and a continuous filter over it.
--
--   brookd --script examples/quickstart/quickstart.sql
--
-- See README.md next to this file for producing input and reading the results.

-- Page views: JSON values keyed by user id, e.g. key u1, value {"page":"home","ms":120}.
-- PARTITIONS=1 makes brook create the topic when it does not exist yet.
CREATE STREAM pageviews (
  user_id STRING KEY,
  page STRING,
  ms INT
) WITH (kafka_topic='pageviews', value_format='JSON', partitions=1);

-- Slow page views (100 ms or more), written continuously to the topic SLOW_PAGEVIEWS.
CREATE STREAM slow_pageviews AS
  SELECT user_id, page, ms
  FROM pageviews
  WHERE ms >= 100
  EMIT CHANGES;
