-- Audience segments: page visits keyed by user, each tagged with the segment the page belongs
-- to, event time in `ts`. Bots (more than 20 visits in one minute) are excluded for the day;
-- unique users per segment per day are HyperLogLog counts, and the union over all days comes
-- from merging the daily sketches.
CREATE STREAM page_visits (user_id STRING KEY, segment STRING, url STRING, ts BIGINT)
  WITH (kafka_topic='page_visits', value_format='JSON', timestamp='ts', partitions=4);

-- Visits per user, segment and minute, emitted once the minute has closed. brook processes a
-- backlog in time order across the input partitions, so the grace only needs to cover how late
-- events really arrive (here: an hour), not how far apart the partitions' backlogs are.
CREATE TABLE user_minutes WITH (key_format='JSON') AS
  SELECT user_id, segment, COUNT(*) AS visits
  FROM page_visits
  WINDOW TUMBLING (SIZE 1 MINUTE, RETENTION 30 DAYS, GRACE PERIOD 1 HOUR)
  GROUP BY user_id, segment EMIT FINAL;

CREATE STREAM user_minute_counts (user_id STRING KEY, segment STRING KEY, visits BIGINT)
  WITH (kafka_topic='USER_MINUTES', key_format='JSON', value_format='JSON',
        window_type='TUMBLING', window_size='1 MINUTE');

-- Each user's busiest minute per segment and day, once the day has closed.
CREATE TABLE user_days WITH (key_format='JSON') AS
  SELECT user_id, segment, WINDOWSTART AS day, MAX(visits) AS peak
  FROM user_minute_counts
  WINDOW TUMBLING (SIZE 1 DAY, RETENTION 30 DAYS, GRACE PERIOD 1 HOUR)
  GROUP BY user_id, segment EMIT FINAL;

CREATE STREAM user_day_peaks (user_id STRING KEY, segment STRING KEY, day BIGINT, peak BIGINT)
  WITH (kafka_topic='USER_DAYS', key_format='JSON', value_format='JSON',
        window_type='TUMBLING', window_size='1 DAY');

-- Unique non-bot users per segment per day, with the sketch for later unions.
CREATE TABLE segment_days WITH (key_format='JSON') AS
  SELECT segment, day, COUNT_DISTINCT(user_id) AS users, HLL_SKETCH(user_id) AS sketch
  FROM user_day_peaks WHERE peak <= 20
  GROUP BY segment, day EMIT CHANGES;

CREATE STREAM segment_day_sketches (segment STRING KEY, day BIGINT KEY, users BIGINT,
                                    sketch BYTES)
  WITH (kafka_topic='SEGMENT_DAYS', key_format='JSON', value_format='JSON');

-- Unique non-bot users per segment over every day: the union of the daily sketches. A sketch
-- only grows, so merging every update of a day's sketch gives the same union as its last one.
CREATE TABLE segment_all_days AS
  SELECT segment, HLL_ESTIMATE(HLL_MERGE(sketch)) AS users
  FROM segment_day_sketches GROUP BY segment EMIT CHANGES;
