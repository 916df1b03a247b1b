// brookd configuration: every knob, its default, and how it is read.
//
// Sources, in increasing precedence:
//   1. the defaults below;
//   2. `--config FILE`, a Java-properties file (`key=value` or `key: value`, `#`/`!` comments);
//   3. `-D key=value` flags (any key, same meaning as in the file), in command-line order;
//   4. the dedicated flags `--listeners`, `--bootstrap-servers`, `--script`.
//
// Keys:
//   listeners                   Listener, `http://HOST:PORT` or `https://HOST:PORT` (TLS, see
//                               ssl.* below). Default http://0.0.0.0:8088. Port 0 binds an
//                               ephemeral port (brookd prints the real one). One listener.
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
//   brook.command.log           true (default): statements that change the catalog are kept
//                               in `_confluent-ksql-<service id>_command_topic` and replayed
//                               at start, so a restart brings back streams, tables, types and
//                               queries. Not used with --script (headless, as ksqlDB's
//                               ksql.queries.file). false: nothing is kept.
//   brook.http.max.header.bytes Largest request header block (431 above). Default 16384.
//   brook.http.header.timeout.ms  Time to receive a request's headers once it began (408).
//                               Default 10000.
//   brook.http.body.timeout.ms  Time to receive a request's body (408). Default 30000.
//   brook.http.idle.timeout.ms  A connection without a request in progress is closed after
//                               this. Default 60000.
//   brook.http.write.timeout.ms A client that reads nothing of a response for this long is
//                               disconnected (its push query ends). Default 30000.
//   brook.http.max.connections  Open connections; more are answered 429 and closed. Default
//                               4096 (lowered to what the open-files limit allows).
//   brook.http.io.threads       Event-loop threads. Default 2.
//   brook.http.worker.threads   Threads running requests (a push query holds one while it
//                               streams). Default 0: ksql.max.push.queries + 16.
//   brook.http.max.queued.requests  Requests waiting for a worker; more get 429. Default 1024.
//   brook.http.stream.buffer.bytes  Unsent bytes per response before its writer waits for the
//                               client. Default 1048576.
//   brook.http.max.concurrent.streams  HTTP/2 streams per connection. Default 100.
//   authentication.method       NONE (default) or BASIC. BASIC needs
//                               brook.authentication.users.file.
//   authentication.realm        Realm in WWW-Authenticate. Default KsqlServer-Props.
//   authentication.roles        Roles allowed (comma-separated); `*` or `**`: any. Default *.
//   authentication.skip.paths   Paths served without credentials (comma-separated; a trailing
//                               `*` matches a prefix). Default /info,/v1/metadata,
//                               /v1/metadata/id; /healthcheck, /chc/live, /chc/ready always.
//   brook.authentication.users.file  `user: PBKDF2-SHA256$iterations$salt$hash[,role...]` per
//                               line (brookd --hash-password makes one). Default none.
//   brook.authentication.max.failures.per.minute  Failed logins one client address may make
//                               in a minute; later attempts get 429 without a password
//                               derivation. Default 10. (Verified credentials are remembered for
//                               a minute, a wrong one for 30 s; at most 2 derivations run at once.)
//   ssl.keystore.type           Must be PEM (brook reads no JKS/PKCS12). Default JKS, as
//                               ksqlDB: an https listener fails to start until set.
//   ssl.keystore.location       PEM file with the certificate chain and private key.
//   ssl.keystore.password, ssl.key.password  Password of an encrypted private key.
//   ssl.truststore.type/location/password  PEM CAs for client certificates.
//   ssl.client.authentication   NONE (default), REQUESTED or REQUIRED (also ssl.client.auth).
//   ssl.enabled.protocols       TLSv1.2 (default: TLSv1.2 and 1.3) or TLSv1.3.
//   ssl.cipher.suites           OpenSSL cipher list. Default OpenSSL's.
//   Any other ssl.* or authentication.* key stops start-up: a security setting brook cannot
//   honour is an error, never a warning.
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
  bool tls = false;  // https://
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
  // `brook.command.log`: keep the command topic and replay it at start (without --script).
  // Default true.
  bool command_log = true;
  // HTTP limits and threads (brook.http.*), see above.
  int64_t max_header_bytes = 16384;
  int64_t header_timeout_ms = 10000;
  int64_t body_timeout_ms = 30000;
  int64_t idle_timeout_ms = 60000;
  int64_t write_timeout_ms = 30000;
  int64_t max_connections = 4096;
  int64_t io_threads = 2;
  int64_t worker_threads = 0;  // 0: max_push_queries + 16
  int64_t max_queued_requests = 1024;
  int64_t stream_buffer_bytes = 1024 * 1024;
  int64_t max_concurrent_streams = 100;
  int64_t auth_max_failures_per_minute = 10;
  // Security, see above.
  std::string authentication_method = "NONE";
  std::string authentication_realm = "KsqlServer-Props";
  std::string authentication_roles = "*";
  std::string authentication_skip_paths = "/info,/v1/metadata,/v1/metadata/id";
  std::string users_file;
  std::string ssl_keystore_type = "JKS";
  std::string ssl_keystore_location;
  std::string ssl_keystore_password;
  std::string ssl_key_password;
  std::string ssl_truststore_type = "JKS";
  std::string ssl_truststore_location;
  std::string ssl_client_authentication = "NONE";
  std::string ssl_enabled_protocols = "TLSv1.2,TLSv1.3";
  std::string ssl_cipher_suites;
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

// The server's own settings with their effective values (listeners, bootstrap.servers, brook.*
// knobs, security settings, kafka.* client properties), for SHOW PROPERTIES. Secrets are
// filtered out by the engine (IsSensitiveProperty).
std::map<std::string, std::string> EffectiveServerProperties(const ServerConfig& config);

// Checks the security settings as a whole (TLS material named, keystore types brook can read,
// a users file for BASIC). Every setting brook cannot honour is an error here.
[[nodiscard]] Status ValidateSecurity(const ServerConfig& config);

// Parses `http://HOST:PORT` or `https://HOST:PORT` (a trailing `/` is allowed; HOST may be
// `[v6]`). Returns kUnsupported for more than one listener, kInvalidArgument otherwise.
Result<Listener> ParseListener(std::string_view url);

}  // namespace brook::server
