-- The Nexmark projection: arithmetic with a DECIMAL literal, fewer columns read than declared.
CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING,
  date_time BIGINT, extra STRING) WITH (kafka_topic='bids', value_format='JSON', partitions=4);
CREATE STREAM out_projection AS SELECT auction, bidder, price * 0.9 AS price_eur, date_time FROM bids;
