#include "runtime/engine/command_log.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

namespace brook {
namespace {

using json = nlohmann::ordered_json;

}  // namespace

std::string CommandToJson(const Command& c) {
  json j = {{"seq", c.seq},
            {"statement", c.statement},
            {"properties", c.properties},
            {"queryCounter", c.query_counter}};
  if (!c.plan.empty()) j["plan"] = c.plan;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Command> CommandFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("command: not a JSON object");
  Command c;
  auto seq = j.find("seq");
  auto statement = j.find("statement");
  auto counter = j.find("queryCounter");
  if (seq == j.end() || !seq->is_number_integer() || statement == j.end() ||
      !statement->is_string() || counter == j.end() || !counter->is_number_integer()) {
    return InvalidArgument("command: seq, statement and queryCounter are required");
  }
  c.seq = seq->get<int64_t>();
  c.statement = statement->get<std::string>();
  c.query_counter = counter->get<int64_t>();
  if (auto p = j.find("properties"); p != j.end() && p->is_object()) {
    for (auto it = p->begin(); it != p->end(); ++it) {
      if (it.value().is_string()) c.properties[it.key()] = it.value().get<std::string>();
    }
  }
  if (auto p = j.find("plan"); p != j.end() && p->is_string()) c.plan = p->get<std::string>();
  return c;
}

Status InMemoryCommandLog::Append(const Command& command) {
  records_.push_back(CommandToJson(command));
  return Status::Ok();
}

Result<std::vector<Command>> InMemoryCommandLog::ReadAll() {
  std::vector<Command> out;
  for (const std::string& r : records_) {
    ASSIGN_OR_RETURN(Command c, CommandFromJson(r));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::unique_ptr<KafkaCommandLog>> KafkaCommandLog::Open(kafka::KafkaClientFactory& kafka,
                                                               std::string topic, int replicas,
                                                               kafka::Millis timeout) {
  ASSIGN_OR_RETURN(auto info, kafka.admin().DescribeTopic(topic, timeout));
  if (!info) {
    kafka::TopicSpec spec;
    spec.name = topic;
    spec.partitions = 1;
    spec.replicas = replicas;
    Status st = kafka.admin().CreateTopic(spec, timeout);
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) {
      return Status(st.code(), "Cannot create the command topic '" + topic + "': " + st.message());
    }
  } else if (info->partitions != 1) {
    return InvalidArgument("The command topic '" + topic + "' has " +
                           std::to_string(info->partitions) +
                           " partitions; it must have exactly one (commands are ordered)");
  }
  return std::unique_ptr<KafkaCommandLog>(new KafkaCommandLog(kafka, std::move(topic), timeout));
}

Status KafkaCommandLog::Append(const Command& command) {
  if (!producer_) {
    ASSIGN_OR_RETURN(producer_, kafka_.NewProducer());
  }
  kafka::OutRecord rec;
  rec.topic = topic_;
  rec.partition = 0;
  rec.key = std::to_string(command.seq);
  rec.value = CommandToJson(command);
  rec.timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  RETURN_IF_ERROR(producer_->Send(std::move(rec)));
  return producer_->Flush(timeout_);
}

Result<std::vector<Command>> KafkaCommandLog::ReadAll() {
  std::vector<Command> out;
  ASSIGN_OR_RETURN(std::vector<kafka::Watermarks> marks,
                   kafka_.admin().PartitionWatermarks(topic_, timeout_));
  if (marks.empty() || marks[0].high <= marks[0].low) return out;
  const int64_t end = marks[0].high;
  kafka::ConsumerConfig config;
  static std::mt19937_64 rng(std::random_device{}());
  config.group_id = "_brook_command_reader_" + std::to_string(rng() >> 1);
  config.topics = {topic_};
  config.from_beginning = true;
  config.assign_all = true;  // no group join: start-up does not wait for one
  ASSIGN_OR_RETURN(auto consumer, kafka_.NewConsumer(config));
  const auto deadline = std::chrono::steady_clock::now() + 6 * timeout_;
  int64_t next = marks[0].low;
  std::vector<kafka::RecordView> records;
  while (next < end) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status(StatusCode::kTimeout, "Timed out reading the command topic '" + topic_ +
                                              "' at offset " + std::to_string(next) + " of " +
                                              std::to_string(end));
    }
    RETURN_IF_ERROR(consumer->Poll(500, kafka::Millis(200), records));
    for (const kafka::RecordView& r : records) {
      next = r.offset + 1;
      if (!r.value) continue;
      Result<Command> c = CommandFromJson(*r.value);
      if (!c.ok()) {
        return Status(c.status().code(), "Command topic '" + topic_ + "' offset " +
                                             std::to_string(r.offset) + ": " +
                                             c.status().message());
      }
      out.push_back(std::move(c).value());
    }
  }
  return out;
}

}  // namespace brook
