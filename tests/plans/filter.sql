-- The Nexmark filter: a WHERE over a JSON stream, every column kept.
CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING,
  date_time BIGINT, extra STRING) WITH (kafka_topic='bids', value_format='JSON', partitions=4);
CREATE STREAM out_filter AS SELECT * FROM bids WHERE auction % 123 = 0;
