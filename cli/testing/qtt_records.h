// What both QTT runners share (qtt_runner.cc for query-validation cases, rest_qtt_runner.cc for
// REST cases): producing a case's input records the way ksqlDB's harness serializes them, and
// checking its expected output records and post-conditions with ksqlDB's comparison rules
// (ExpectedRecordComparator; ../shared/qtt/README.md).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/json_text.h"
#include "common/status.h"
#include "runtime/engine/engine.h"
#include "runtime/kafka/in_memory_broker.h"

namespace brook::testing {

// The engine options both runners use: ksqlDB's harness settings (service id, earliest
// offsets, record cache off) on the in-memory broker, with the runner's batch size and plan
// round trip.
EngineOptions HarnessEngineOptions(size_t batch_size, bool plan_json);

// Creates the topics `test` declares (with their partition counts) on `broker`.
void CreateDeclaredTopics(const JsonNode& test, kafka::InMemoryBroker& broker);

// ksqlDB's ExpectedRecordComparator over JSON trees (`exact_numbers`: off when a case sets
// use.exact.numeric.comparison=false, then doubles compare within 1e-6).
bool Matches(const JsonNode& expected, const JsonNode& actual, bool exact_numbers);

// Produces `test`'s inputs in order, each serialized with the formats of the source over its
// topic. With `settle_each` the engine runs until idle after every record (ksqlDB's harness
// pipes records one by one through the whole topology).
[[nodiscard]] Status ProduceInputs(const JsonNode& test, Engine& engine,
                                   kafka::InMemoryBroker& broker, bool settle_each);
// The same, handing each serialized record to `produce` (serialized with the formats of the
// source over its topic in `catalog`).
using ProduceFn = std::function<Status(kafka::OutRecord)>;
[[nodiscard]] Status ProduceInputs(const JsonNode& test, const Catalog& catalog,
                                   const ProduceFn& produce);

// Checks `test`'s expected outputs (per topic, in order, exact count) and post-conditions.
// nullopt when they hold; otherwise what differs.
// Whether a failed statement's `error` is an instance of the Java class `expectedException.type`
// names: ParseFailedException (a syntax error) < KsqlStatementException < KsqlException, as in
// ksqlDB. nullopt when it is (or no type is given); why not otherwise, also for a class this
// runner does not know, so such a case cannot pass unchecked.
std::optional<std::string> ExceptionTypeMismatch(const JsonNode& expected_exception,
                                                 const Status& error);

std::optional<std::string> CheckOutputs(const JsonNode& test, const Engine& engine,
                                        kafka::InMemoryBroker& broker, bool exact_numbers);

}  // namespace brook::testing
