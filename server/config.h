// brookd configuration: every knob, its default, and how it is read.
//
// Sources, in increasing precedence:
//   1. the defaults below;
//   2. `--config FILE`, a Java-properties file (`key=value` or `key: value`, `#`/`!` comments);
//   3. `-D key=value` flags (any key, same meaning as in the file), in command-line order;
//   4. the dedicated flags `--listeners`, `--bootstrap-servers`, `--script`.
//
// Keys:
//   listeners                   HTTP listener, `http://HOST:PORT`. Default http://0.0.0.0:8088.
//                               Port 0 binds an ephemeral port (brookd prints the real one).
//                               One listener only; https:// is not supported yet.
//   bootstrap.servers           Kafka cluster. Default empty: brookd starts an embedded broker
//                               (librdkafka's mock cluster, in memory, see
//                               runtime/kafka/embedded_broker.h) in-process.
//   ksql.service.id             Prefix of consumer groups. Default "default_".
//   ksql.max.push.queries       Concurrent push queries before 40003. Default 100.
//   ksql.*                      Any other ksql.* key is passed to the engine as a server-level
//                               property (EngineOptions::config), e.g.
//                               ksql.streams.auto.offset.reset (persistent queries; default
//                               earliest in brook), ksql.persistence.default.format.key.
//   kafka.<prop>                librdkafka property <prop> for every Kafka client brookd
//                               creates (e.g. kafka.security.protocol=SSL). Default none.
//   brook.kafka.topic.creation  How topics are created when bootstrap.servers is set: `admin`
//                               (CreateTopics API, for real clusters; default) or `auto` (let
//                               the broker auto-create on metadata request; use with a remote
//                               brook-devbroker, which implements no CreateTopics; only its
//                               default partition count, 4, can be had that way).
//   brook.admin.timeout.ms      Bound on every topic admin call. Default 10000.
//   brook.max.batch             Records per poll per query. Default 1000.
//   brook.push.poll.ms          Poll timeout of one push-query loop turn; also how quickly a
//                               closed client or /close-query is noticed. Default 100.
//   brook.http.max.body.bytes   Largest accepted request body. Default 16777216 (16 MiB).
//   brook.shutdown.timeout.ms   How long shutdown waits for open connections. Default 15000.
// Unknown keys outside these prefixes are reported as warnings and ignored.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace brook::server {

// A parsed `http://HOST:PORT` listener.
struct Listener {
  std::string host = "0.0.0.0";
  uint16_t port = 8088;
};

struct ServerConfig {
  // `listeners`. Default "http://0.0.0.0:8088".
  std::string listeners = "http://0.0.0.0:8088";
  // `bootstrap.servers`. Default "" (embedded broker).
  std::string bootstrap_servers;
  // `ksql.service.id`. Default "default_".
  std::string service_id = "default_";
  // `--script FILE`: statements run at startup, before the listener opens. Default none.
  std::string script_file;
  // `ksql.max.push.queries`. Default 100.
  int max_push_queries = 100;
  // `ksql.*` keys except the ones above: server-level engine properties. Default empty.
  std::map<std::string, std::string> ksql_properties;
  // `kafka.<prop>` keys, without the prefix: librdkafka properties. Default empty.
  std::map<std::string, std::string> kafka_properties;
  // `brook.kafka.topic.creation`: true for `auto`. Default false (`admin`).
  bool broker_auto_create_topics = false;
  // `brook.processing.log.stderr`: echo each processing-log entry (skipped record) to stderr.
  // Default true.
  bool processing_log_stderr = true;
  // `brook.admin.timeout.ms`. Default 10000.
  int64_t admin_timeout_ms = 10000;
  // `brook.max.batch`. Default 1000.
  int64_t max_batch = 1000;
  // `brook.push.poll.ms`. Default 100.
  int64_t push_poll_ms = 100;
  // `brook.http.max.body.bytes`. Default 16 MiB.
  int64_t max_body_bytes = 16 * 1024 * 1024;
  // `brook.shutdown.timeout.ms`. Default 15000.
  int64_t shutdown_timeout_ms = 15000;
  // Keys that were given but are not recognised (reported as warnings at startup).
  std::vector<std::string> ignored_keys;
};

// Parses Java-properties text into key/value pairs (later keys override earlier ones).
// Supports `key=value`, `key: value`, `key value`, `#` and `!` comment lines, blank lines,
// surrounding whitespace, backslash line continuation and the escapes \t \n \r \\ \= \: \uXXXX.
std::map<std::string, std::string> ParseProperties(std::string_view text);

// Applies one key/value to `config` (the precedence rules are the caller's). Returns
// kInvalidArgument for a malformed value of a known key (e.g. a non-numeric timeout).
[[nodiscard]] Status ApplyProperty(const std::string& key, const std::string& value,
                                   ServerConfig& config);

// Parses brookd's command line (argv[0] skipped), reading `--config FILE` if given. Returns
// kInvalidArgument with a usage-level message on bad flags, kIOError if the file is unreadable.
// `--help` yields kNotFound (the caller prints the usage and exits 0).
Result<ServerConfig> ParseCommandLine(const std::vector<std::string>& args);

// The usage text printed by `brookd --help` and on bad flags.
std::string Usage();

// Parses `http://HOST:PORT` (a trailing `/` is allowed; HOST may be `[v6]`). Returns
// kUnsupported for https:// or more than one listener, kInvalidArgument otherwise.
Result<Listener> ParseListener(std::string_view url);

}  // namespace brook::server
