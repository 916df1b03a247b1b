#include "server/server.h"

#include <sys/resource.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/ascii.h"
#include "common/diagnostic.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/embedded_broker.h"
#include "runtime/kafka/librdkafka_client.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/rest_service.h"

namespace brook::server {
namespace {

// A stable, Kafka-cluster-id-shaped name for the cluster (brook's Kafka interfaces do not
// expose the real cluster id yet): 22 characters derived from the bootstrap address.
std::string ClusterIdFor(const std::string& bootstrap, bool embedded) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : bootstrap) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string id = embedded ? "embedded-" : "";
  uint64_t x = h;
  while (id.size() < 22) {
    id += kAlphabet[x % 64];
    x /= 64;
    if (x == 0) x = h = h * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  return id;
}

void Log(std::ostream& log, const std::string& line) {
  log << line << '\n';
  log.flush();
}

}  // namespace

struct BrookServer::Parts {
  ~Parts() {
    // Members are declared in start order; tear down explicitly in reverse.
    http.reset();
    rest.reset();
    engine.reset();
    command_log.reset();
    kafka.reset();
    broker.reset();
  }
  ServerConfig config;
  std::string bootstrap;
  std::unique_ptr<kafka::EmbeddedBroker> broker;
  std::unique_ptr<kafka::LibrdkafkaClientFactory> kafka;
  FunctionRegistry functions;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<KafkaCommandLog> command_log;
  std::unique_ptr<RestService> rest;
  std::unique_ptr<HttpServer> http;
  Listener listener;
  bool shut_down = false;
};

BrookServer::BrookServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

BrookServer::~BrookServer() { Shutdown(); }

uint16_t BrookServer::port() const { return parts_->http ? parts_->http->port() : 0; }

std::string BrookServer::url() const {
  const std::string& host = parts_->listener.host;
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(parts_->listener.tls ? "https://" : "http://") +
         (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port());
}

std::string BrookServer::bootstrap_servers() const { return parts_->bootstrap; }

void BrookServer::Shutdown() {
  Parts& p = *parts_;
  if (p.shut_down) return;
  p.shut_down = true;
  if (p.rest) {
    p.rest->Shutdown();  // push queries end within one poll interval...
    // ...and write their last chunk before the connections are closed under them.
    (void)p.rest->WaitForStreams(std::chrono::milliseconds(
        std::min<int64_t>(p.config.shutdown_timeout_ms, 5 * p.config.push_poll_ms + 2000)));
  }
  if (p.http) p.http->Stop();      // closes the listener and every connection, waits for threads
  if (p.engine) p.engine->Stop();  // joins persistent-query threads
}

Result<std::unique_ptr<BrookServer>> BrookServer::Start(const ServerConfig& config,
                                                        std::ostream& log) {
  // Security first: a setting brook cannot honour stops start-up before anything runs.
  RETURN_IF_ERROR(ValidateSecurity(config));
  auto parts = std::make_unique<Parts>();
  parts->config = config;
  ASSIGN_OR_RETURN(parts->listener, ParseListener(config.listeners));
  for (const std::string& key : config.ignored_keys) {
    Log(log, "brookd: warning: ignoring unknown configuration key '" + key + "'");
  }

  // Kafka.
  kafka::LibrdkafkaOptions kafka_options;
  if (config.bootstrap_servers.empty()) {
    ASSIGN_OR_RETURN(parts->broker, kafka::EmbeddedBroker::Start());
    parts->bootstrap = parts->broker->bootstrap_servers();
    Log(log, "brookd: embedded Kafka broker at " + parts->bootstrap);
  } else {
    parts->bootstrap = config.bootstrap_servers;
    if (config.broker_auto_create_topics) {
      kafka_options.topic_creation = kafka::LibrdkafkaOptions::TopicCreation::kBrokerAutoCreate;
    }
  }
  parts->kafka = std::make_unique<kafka::LibrdkafkaClientFactory>(
      parts->bootstrap, config.kafka_properties, parts->broker.get(), kafka_options);

  // Engine.
  RegisterBuiltinFunctions(parts->functions);
  EngineOptions engine_options;
  engine_options.config = config.ksql_properties;
  engine_options.server_properties = EffectiveServerProperties(config);
  engine_options.threaded = true;
  engine_options.service_id = config.service_id;
  engine_options.admin_timeout = kafka::Millis(config.admin_timeout_ms);
  engine_options.max_batch = static_cast<size_t>(config.max_batch);
  parts->engine = std::make_unique<Engine>(*parts->kafka, parts->functions, engine_options);
  // Skipped records are echoed to stderr (brook.processing.log.stderr, default true) and, when
  // configured, written to ksqlDB's processing-log topic/stream.
  parts->engine->processing_log().set_echo(config.processing_log_stderr);
  RETURN_IF_ERROR(parts->engine->ConfigureProcessingLog());
  parts->engine->Start();

  // Command log: replay what earlier runs against this Kafka cluster created, then record
  // what this run creates. With --script, brookd runs headless as ksqlDB does with
  // ksql.queries.file: the script is the definition and runs at every start.
  if (config.script_file.empty() && config.command_log) {
    const std::string topic = "_confluent-ksql-" + config.service_id + "_command_topic";
    ASSIGN_OR_RETURN(
        parts->command_log,
        KafkaCommandLog::Open(*parts->kafka, topic, 1, kafka::Millis(config.admin_timeout_ms)));
    ASSIGN_OR_RETURN(std::vector<Command> commands, parts->command_log->ReadAll());
    std::vector<std::string> failures = parts->engine->Replay(commands);
    for (const std::string& f : failures) Log(log, "brookd: warning: replay: " + f);
    Log(log,
        "brookd: replayed " + std::to_string(commands.size()) + " command(s) from " + topic +
            (failures.empty() ? ""
                              : " (" + std::to_string(failures.size()) + " failed, see above)"));
    parts->engine->SetCommandLog(parts->command_log.get());
  }
  if (std::string note = parts->engine->StateDirectoryNote(); !note.empty()) {
    Log(log, "brookd: " + note);
  }

  // Startup script.
  if (!config.script_file.empty()) {
    std::ifstream in(config.script_file, std::ios::binary);
    if (!in) return IOError("cannot read script '" + config.script_file + "'");
    std::stringstream text;
    text << in.rdbuf();
    const std::string sql = text.str();
    SessionState session;
    Result<std::vector<ExecuteResult>> run = parts->engine->ExecuteScript(sql, session);
    if (!run.ok()) {
      const Status& st = run.status();
      return Status(st.code(), config.script_file + ": " + RenderDiagnostic(st, sql));
    }
    for (const ExecuteResult& r : *run) {
      if (r.transient) {
        parts->engine->CloseTransient(r.transient->id());
        return InvalidArgument(config.script_file +
                               ": SELECT statements are not allowed in a startup script");
      }
    }
    Log(log,
        "brookd: ran " + std::to_string(run->size()) + " statement(s) from " + config.script_file);
  }

  // REST + HTTP.
  RestServiceOptions rest_options;
  rest_options.version = kCompatibleKsqlVersion;
  rest_options.kafka_cluster_id = ClusterIdFor(parts->bootstrap, parts->broker != nullptr);
  rest_options.service_id = config.service_id;
  rest_options.max_push_queries = config.max_push_queries;
  rest_options.push_poll = std::chrono::milliseconds(config.push_poll_ms);
  rest_options.host_info = parts->listener.host + ":" + std::to_string(parts->listener.port);
  if (auto it = config.ksql_properties.find("ksql.server.command.response.timeout.ms");
      it != config.ksql_properties.end()) {
    rest_options.command_wait = std::chrono::milliseconds(std::atoll(it->second.c_str()));
  }
  if (AsciiUpper(config.authentication_method) == "BASIC") {
    ASSIGN_OR_RETURN(auto auth,
                     BasicAuthenticator::Load(config.users_file, config.authentication_realm,
                                              config.authentication_roles));
    auth->set_max_failures_per_client(
        static_cast<int>(std::min<int64_t>(config.auth_max_failures_per_minute, 1 << 30)));
    rest_options.auth = std::move(auth);
    std::string_view skip = config.authentication_skip_paths;
    while (!skip.empty()) {
      size_t comma = skip.find(',');
      std::string item(skip.substr(0, comma));
      while (!item.empty() && item.front() == ' ') item.erase(0, 1);
      while (!item.empty() && item.back() == ' ') item.pop_back();
      if (!item.empty()) rest_options.auth_skip_paths.push_back(item);
      if (comma == std::string_view::npos) break;
      skip.remove_prefix(comma + 1);
    }
    Log(log, "brookd: HTTP Basic authentication on (users from " + config.users_file + ")");
  }
  rest_options.transport_metrics = [&http_ptr_ref = parts->http]() -> std::string {
    if (!http_ptr_ref) return "";
    HttpServerStats s = http_ptr_ref->stats();
    std::string out;
    auto line = [&](const char* name, const char* type, const char* help, uint64_t v) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
             name + " " + std::to_string(v) + "\n";
    };
    line("brook_http_connections_open", "gauge", "Open client connections.", s.connections_open);
    line("brook_http_connections_total", "counter", "Connections accepted.", s.connections_total);
    line("brook_http_connections_rejected_total", "counter",
         "Connections refused over brook.http.max.connections.", s.connections_rejected);
    line("brook_http_requests_rejected_total", "counter",
         "Requests refused because every worker was busy and the queue full.", s.requests_rejected);
    line("brook_http2_connections_total", "counter", "Connections that spoke HTTP/2.",
         s.http2_connections_total);
    return out;
  };
  parts->rest = std::make_unique<RestService>(*parts->engine, rest_options);
  HttpServerOptions http_options;
  http_options.host = parts->listener.host;
  http_options.port = parts->listener.port;
  http_options.max_body_bytes = static_cast<size_t>(config.max_body_bytes);
  http_options.max_header_bytes = static_cast<size_t>(config.max_header_bytes);
  http_options.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  http_options.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  http_options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  http_options.write_timeout = std::chrono::milliseconds(config.write_timeout_ms);
  http_options.io_threads = static_cast<size_t>(config.io_threads);
  http_options.worker_threads = static_cast<size_t>(
      config.worker_threads > 0 ? config.worker_threads : config.max_push_queries + 16);
  http_options.max_queued_requests = static_cast<size_t>(config.max_queued_requests);
  http_options.stream_buffer_bytes = static_cast<size_t>(config.stream_buffer_bytes);
  http_options.http2_max_concurrent_streams =
      static_cast<uint32_t>(std::min<int64_t>(config.max_concurrent_streams, 1 << 20));
  http_options.shutdown_timeout = std::chrono::milliseconds(config.shutdown_timeout_ms);
  // Connections need file descriptors: raise the soft limit to the hard one, and keep the
  // connection bound below what is left of it.
  size_t max_connections = static_cast<size_t>(config.max_connections);
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    if (nofile.rlim_cur < nofile.rlim_max) {
      rlimit raised = nofile;
      raised.rlim_cur = nofile.rlim_max;
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) nofile = raised;
    }
    // Kept for Kafka clients, RocksDB files and the listener: half the limit, at most 512; the
    // health-check connections come on top of max_connections. The cap is never above what the
    // limit allows (at least 1).
    if (nofile.rlim_cur != RLIM_INFINITY) {
      const size_t limit = static_cast<size_t>(nofile.rlim_cur);
      const size_t reserve = std::min<size_t>(512, limit / 2) + kHealthCheckConnections;
      const size_t allowed = limit > reserve + 1 ? limit - reserve : 1;
      if (allowed < max_connections) {
        Log(log, "brookd: brook.http.max.connections lowered to " + std::to_string(allowed) +
                     " (open-files limit " + std::to_string(nofile.rlim_cur) + ")");
        max_connections = allowed;
      }
    }
  }
  http_options.max_connections = max_connections;
  if (parts->listener.tls) {
    http_options.tls.enabled = true;
    http_options.tls.certificate_file = config.ssl_keystore_location;
    http_options.tls.key_file = config.ssl_keystore_location;
    http_options.tls.key_password =
        !config.ssl_key_password.empty() ? config.ssl_key_password : config.ssl_keystore_password;
    http_options.tls.ca_file = config.ssl_truststore_location;
    http_options.tls.client_authentication = AsciiUpper(config.ssl_client_authentication);
    http_options.tls.min_protocol =
        config.ssl_enabled_protocols.find("TLSv1.2") != std::string::npos ? "TLSv1.2" : "TLSv1.3";
    http_options.tls.cipher_list = config.ssl_cipher_suites;
  }
  parts->http = std::make_unique<HttpServer>(*parts->rest, http_options);
  RETURN_IF_ERROR(parts->http->Start());

  std::unique_ptr<BrookServer> server(new BrookServer(std::move(parts)));
  Log(log, "brookd: listening on " + server->url());
  return server;
}

}  // namespace brook::server
