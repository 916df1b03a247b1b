// RestService: brookd's REST endpoints, independent of the HTTP library.
//
// The HTTP layer (http_server.h) parses a request into an HttpRequest and hands it to
// Handle() together with a ResponseWriter bound to the connection; the service decides the
// status, headers and body bytes. Streaming endpoints (/query-stream, /query) hold the calling
// thread for as long as the push query runs: they poll the engine's TransientQuery on that
// thread (it is single-owner) and write one chunk per header/row until LIMIT, client
// disconnect, /close-query, TERMINATE or Shutdown().
//
// Routes (docs/rest-api.md): POST /ksql, /ksql/terminate, /query-stream, /query,
// /inserts-stream, /close-query, /is_valid_property/<name>; GET /info, /healthcheck,
// /chc/live, /chc/ready, /status, /status/<type>/<entity>/<action>, /clusterStatus,
// /v1/metadata, /v1/metadata/id, /is_valid_property/<name>, /metrics, /ws/query (WebSocket),
// / (307 to /info);
// anything else 404 "Not Found", a known path with another method 405.
//
// Thread-safety: Handle() may be called concurrently from many connection threads. The engine
// serializes statement execution itself.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/engine/engine.h"
#include "server/auth.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/rest_format.h"

namespace brook::server {

struct RestServiceOptions {
  std::string version = "0.29.0";  // KsqlServerInfo.version (must look like a ksqlDB version)
  std::string kafka_cluster_id;    // KsqlServerInfo.kafkaClusterId
  std::string service_id = "default_";
  std::string host_info = "localhost:8088";  // this server in /clusterStatus
  int max_push_queries = 100;                // ksql.max.push.queries
  std::chrono::milliseconds push_poll{100};  // brook.push.poll.ms
  size_t push_max_records = 500;             // rows taken per poll of a push query
  // How long a request naming a commandSequenceNumber waits for that command
  // (ksql.server.command.response.timeout.ms). Default 5000.
  std::chrono::milliseconds command_wait{5000};
  // Basic authentication; null: none. Paths in `auth_skip_paths` (a trailing `*` matches a
  // prefix) and /healthcheck, /chc/live, /chc/ready are served without credentials.
  std::shared_ptr<BasicAuthenticator> auth;
  std::vector<std::string> auth_skip_paths;
  // Extra Prometheus text appended to /metrics (the transport's counters). May be empty.
  std::function<std::string()> transport_metrics;
};

class RestService {
 public:
  // `engine` must outlive the service.
  RestService(Engine& engine, RestServiceOptions options);
  RestService(const RestService&) = delete;
  RestService& operator=(const RestService&) = delete;

  // Serves one request completely (for streaming endpoints: until the query ends).
  void Handle(const HttpRequest& request, ResponseWriter& out);

  // Ends every running push query (their streams finish with "Query Completed") and makes
  // new requests fail with 503. Returns at once; the streams end within one poll interval.
  void Shutdown();

  // Waits until every push query has ended (after Shutdown()), at most `timeout`. Returns
  // false on timeout.
  bool WaitForStreams(std::chrono::milliseconds timeout);

  // Ids of the push queries being served right now.
  std::vector<std::string> ActivePushQueries() const;

 private:
  struct PushQuery {
    std::atomic<bool> cancelled{false};
  };

  void HandleKsql(const HttpRequest& request, ResponseWriter& out);
  void HandleQueryStream(const HttpRequest& request, ResponseWriter& out);
  void HandleLegacyQuery(const HttpRequest& request, ResponseWriter& out);
  void HandleCloseQuery(const HttpRequest& request, ResponseWriter& out);
  // rest_admin.cc: introspection and cluster endpoints.
  void HandleStatus(const HttpRequest& request, ResponseWriter& out);
  void HandleClusterStatus(const HttpRequest& request, ResponseWriter& out);
  void HandleMetadata(const HttpRequest& request, ResponseWriter& out);
  void HandleMetadataId(const HttpRequest& request, ResponseWriter& out);
  void HandleTerminateCluster(const HttpRequest& request, ResponseWriter& out);
  void HandleIsValidProperty(const HttpRequest& request, ResponseWriter& out);
  void HandleMetrics(const HttpRequest& request, ResponseWriter& out);
  void HandleInfo(const HttpRequest& request, ResponseWriter& out);
  void HandleRoot(const HttpRequest& request, ResponseWriter& out);
  // inserts_stream.cc
  void HandleInsertsStream(const HttpRequest& request, ResponseWriter& out);
  // ws_query.cc: GET /ws/query, the legacy WebSocket query endpoint.
  void HandleWsQuery(const HttpRequest& request, ResponseWriter& out);
  // Routes and serves one request (Handle adds metrics and error guards around it).
  void Route(const HttpRequest& request, ResponseWriter& out);
  // False (and the 401/403 sent) when `request` needs credentials it does not carry.
  bool Authorize(const HttpRequest& request, ResponseWriter& out);
  // Waits for command `seq` (a request's commandSequenceNumber); false (and 503 sent) on
  // timeout.
  bool WaitForCommand(int64_t seq, ResponseWriter& out);
  // Runs `sql` (one SELECT) and streams its rows in `format`.
  // `legacy`: the request came to /query (PRINT is then allowed in every format).
  void RunPushQuery(const std::string& sql, SessionState& session, StreamFormat format, bool legacy,
                    ResponseWriter& out);
  void SendError(ResponseWriter& out, const ApiError& error);
  // Cancels a push query by id; false if none is running under that id.
  bool Cancel(const std::string& query_id);
  // Registers a started push query (taking over its reserved slot) / removes it.
  std::shared_ptr<PushQuery> Register(const std::string& query_id);
  void Unregister(const std::string& query_id);

  Engine& engine_;
  RestServiceOptions options_;
  std::atomic<bool> shutting_down_{false};
  mutable std::mutex mu_;                 // guards push_queries_ and reserved_
  std::condition_variable streams_done_;  // signalled when push_queries_ shrinks
  std::map<std::string, std::shared_ptr<PushQuery>> push_queries_;
  int reserved_ = 0;  // push query slots taken by requests still starting their query
  RequestMetrics metrics_;
};

// A statement Status from the engine as the ApiError to send: 400 statement_error 40001 for
// user errors, 500 statement_error 50000 for kIOError/kTimeout/kInternal. `script` is the
// request's SQL (positions in `status` are relative to it), `statement_text` the failing
// statement, `entities` the serialized results of the statements that ran before.
ApiError StatementError(const Status& status, std::string_view script, std::string statement_text,
                        std::vector<std::string> entities);

// The session of one request: properties as given, variable names upper-cased (the engine
// looks ${name} up case-insensitively by its upper-case form, as DEFINE stores it).
SessionState MakeSession(const std::map<std::string, std::string>& properties,
                         const std::map<std::string, std::string>& variables);

}  // namespace brook::server
