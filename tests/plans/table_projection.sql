-- A table source: tombstones pass the filter, output is a table.
CREATE TABLE users (id STRING PRIMARY KEY, name STRING, segment INT)
  WITH (kafka_topic='users', value_format='JSON');
CREATE TABLE segment_users AS SELECT id, segment, LEN(name) AS name_len FROM users WHERE segment > 0;
