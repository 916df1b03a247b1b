// Where brook-test runs a REST conformance case (rest_qtt_runner.cc drives it, the same way
// for both):
//   - in process (the default): brook's RestService over the in-memory broker, no sockets;
//   - live (`brook-test --rest`): a brookd process started for the case, reached over HTTP/1.1
//     on a socket, its Kafka an embedded broker (librdkafka's mock cluster) that brook-test owns,
//     inputs produced and outputs read with a Kafka client — as ksqlDB's
//     RestQueryTranslationTest runs its server.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json_text.h"
#include "common/status.h"
#include "planner/analyzer/function_registry.h"

namespace brook::testing {

class RestTarget {
 public:
  struct Response {
    int status = 0;
    std::string body;  // a stream cut off because it went quiet has its JSON array closed
  };
  virtual ~RestTarget() = default;
  // POSTs `body` (JSON) to `path` with Accept: application/json. A streamed response that
  // sends nothing for a while counts as closed by the client (a push query without LIMIT).
  // `quiet`: how long a stream may stay silent before the client closes it (0: the target's
  // default).
  virtual Result<Response> Post(const std::string& path, const std::string& body,
                                std::chrono::milliseconds quiet = std::chrono::milliseconds(0)) = 0;
  // Produces the case's inputs, then waits until every persistent query has processed them.
  [[nodiscard]] virtual Status ProduceInputsAndSettle(const JsonNode& test) = 0;
  // Push queries the server is serving now.
  virtual Result<int> OpenPushQueries() = 0;
  // The case's expected output topics; nullopt when they hold, else what differs.
  virtual std::optional<std::string> CheckOutputs(const JsonNode& test) = 0;
};

struct TargetOptions {
  size_t batch_size = 1000;
  bool plan_json = false;
  // Live: the brookd executable, and how long a streamed response may stay quiet before the
  // client closes it.
  std::string brookd;
  std::chrono::milliseconds quiet{1500};
};

// `script`: the case's statements before its first query, which the runner will POST to
// /ksql; `properties`: its streamsProperties. The live target needs them up front to create
// the topics they use (ksqlDB's harness creates every topic a case names before it starts).
Result<std::unique_ptr<RestTarget>> NewInProcessTarget(const FunctionRegistry& functions,
                                                       const TargetOptions& options,
                                                       const JsonNode& test);
Result<std::unique_ptr<RestTarget>> NewLiveTarget(
    const FunctionRegistry& functions, const TargetOptions& options, const JsonNode& test,
    const std::string& script, const std::vector<std::pair<std::string, std::string>>& properties);

}  // namespace brook::testing
