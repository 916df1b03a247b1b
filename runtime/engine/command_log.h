// CommandLog: the statements that changed the catalog, in order, so that a restarted server
// rebuilds its streams, tables, types and queries (ksqlDB's command topic,
// `_confluent-ksql-<service id>_command_topic`).
//
// A command is one statement as it ran (variables already substituted), the request's
// properties, the engine's query counter before it ran (so replayed queries get the same ids
// and resume from their committed offsets and state), its sequence number, and, for a
// statement that started a persistent query, that query's physical plan as JSON (for
// inspection and for checking that a replay plans the same query; see Engine::Replay).
//
// KafkaCommandLog keeps the commands as JSON records of a one-partition topic; the
// in-memory one serves tests. Thread-safety: callers serialize (the engine holds its mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/kafka/kafka.h"

namespace brook {

struct Command {
  int64_t seq = 0;
  std::string statement;
  std::map<std::string, std::string> properties;
  int64_t query_counter = 0;
  std::string plan;  // PlanToJsonText of the query it started; "" for none
  bool operator==(const Command&) const = default;
};

std::string CommandToJson(const Command& c);
Result<Command> CommandFromJson(std::string_view text);

class CommandLog {
 public:
  virtual ~CommandLog() = default;
  // Appends durably (returns once the log has it).
  virtual Status Append(const Command& command) = 0;
  // Every command so far, in order.
  virtual Result<std::vector<Command>> ReadAll() = 0;
};

class InMemoryCommandLog final : public CommandLog {
 public:
  Status Append(const Command& command) override;
  Result<std::vector<Command>> ReadAll() override;

 private:
  std::vector<std::string> records_;  // as JSON, like the topic
};

class KafkaCommandLog final : public CommandLog {
 public:
  // Creates `topic` (one partition) when it does not exist.
  static Result<std::unique_ptr<KafkaCommandLog>> Open(kafka::KafkaClientFactory& kafka,
                                                       std::string topic, int replicas,
                                                       kafka::Millis timeout);
  Status Append(const Command& command) override;
  Result<std::vector<Command>> ReadAll() override;
  const std::string& topic() const { return topic_; }

 private:
  KafkaCommandLog(kafka::KafkaClientFactory& kafka, std::string topic, kafka::Millis timeout)
      : kafka_(kafka), topic_(std::move(topic)), timeout_(timeout) {}

  kafka::KafkaClientFactory& kafka_;
  std::string topic_;
  kafka::Millis timeout_;
  std::unique_ptr<kafka::Producer> producer_;
};

}  // namespace brook
