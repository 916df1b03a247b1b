-- INSERT INTO an existing stream, with a sink timestamp column and headers read.
CREATE STREAM events (k STRING KEY, v INT, at STRING, hdr BYTES HEADER('source'))
  WITH (kafka_topic='events', value_format='JSON');
CREATE STREAM sink (k STRING KEY, v INT, at STRING) WITH (kafka_topic='sink', value_format='JSON', partitions=1);
INSERT INTO sink SELECT k, v * 2 AS v, at FROM events WHERE hdr IS NOT NULL;
