// Heap allocations on the hot path, counted (bench/alloc_counter.cc replaces operator new in
// this binary): a filter that drops a record allocates nothing for it.
#include <gtest/gtest.h>

#include <cstdio>

#include "bench/alloc_counter.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"
#include "runtime/operators/operator.h"

namespace brook {
namespace {

// Allocations per dropped record for `where`: the difference between processing 5000 and 1000
// records (what is left is per poll), divided by the 4000 extra records.
double AllocationsPerDroppedRecord(const std::string& where) {
  kafka::InMemoryBroker broker(1);
  FunctionRegistry functions;
  RegisterBuiltinFunctions(functions);
  EngineOptions opts;
  opts.create_missing_source_topics = true;
  opts.max_batch = 1000;
  Engine engine(broker, functions, opts);
  SessionState session;
  EXPECT_TRUE(engine
                  .ExecuteScript(
                      "CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, "
                      "channel STRING, url STRING, date_time BIGINT, extra STRING) WITH "
                      "(kafka_topic='bids', value_format='JSON');"
                      "CREATE STREAM out AS SELECT * FROM bids WHERE " + where + ";",
                      session)
                  .ok());
  auto produce = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string v = "{\"auction\": " + std::to_string(i * 123 + 1) +
                      ", \"bidder\": 7, \"price\": 100, \"channel\": \"channel-name-long\", "
                      "\"url\": \"https://www.example.com/some/long/path\", "
                      "\"date_time\": 1700000000000, \"extra\": \"padding padding padding\"}";
      EXPECT_TRUE(broker.Produce({"bids", -1, 0, std::nullopt, std::move(v), {}}).ok());
    }
  };
  produce(0, 2000);  // warm-up: buffers reach their steady sizes
  EXPECT_TRUE(engine.RunUntilIdle().ok());
  produce(2000, 3000);
  uint64_t before = bench::HeapAllocations();
  EXPECT_TRUE(engine.RunUntilIdle().ok());
  uint64_t small = bench::HeapAllocations() - before;
  produce(3000, 8000);
  before = bench::HeapAllocations();
  EXPECT_TRUE(engine.RunUntilIdle().ok());
  uint64_t large = bench::HeapAllocations() - before;
  EXPECT_EQ(engine.Queries()[0].records_in, 8000u);
  EXPECT_EQ(engine.Queries()[0].records_out, 0u);
  return (static_cast<double>(large) - static_cast<double>(small)) / 4000.0;
}

// An ordered task's per-input buffer: first in, first out across wrap-around and growth, and
// once its slots hold buffers, filling and draining it allocates nothing.
TEST(AllocationTest, ARowQueueKeepsOrderAndRecyclesItsRowsBuffers) {
  RowQueue queue;
  RowBatch in, out;
  auto fill = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      Row& row = in.Append();
      row.values.resize(2);
      row.values[0].SetInt64(Value::Kind::kBigint, i);
      char text[80];
      std::snprintf(text, sizeof(text), "a string longer than the small-string buffer %06d", i);
      row.values[1].SetString(text);  // in place: no allocation once the slot's buffer is big
      row.offset = i;
      queue.Push(row);
    }
    in.Clear();
  };
  int next = 0;
  auto drain = [&](size_t n) {
    out.Clear();
    for (size_t k = 0; k < n; ++k) {
      ASSERT_FALSE(queue.empty());
      ASSERT_EQ(queue.front().offset, next);
      queue.PopInto(out);
      ASSERT_EQ(out[k].values[0].as_int64(), next);
      ++next;
    }
  };
  fill(0, 50);
  drain(30);      // head moves: the next pushes wrap around
  fill(50, 300);  // grows while wrapped
  drain(270);
  EXPECT_TRUE(queue.empty());
  for (int round = 0; round < 8; ++round) {  // warm: every slot has been used once
    fill(300 + round * 100, 400 + round * 100);
    drain(100);
  }
  const uint64_t before = bench::HeapAllocations();
  fill(1100, 1200);
  drain(100);
  EXPECT_EQ(bench::HeapAllocations() - before, 0u);
}

TEST(AllocationTest, AFilterThatDropsRecordsAllocatesNothingPerRecord) {
  EXPECT_LT(AllocationsPerDroppedRecord("auction % 123 = 0"), 0.01);
}

TEST(AllocationTest, TheCountSeesAFilterThatAllocates) {
  // The control: UCASE builds a new (long) string for every record.
  EXPECT_GE(AllocationsPerDroppedRecord("UCASE(url) = 'nothing'"), 0.99);
}

}  // namespace
}  // namespace brook
