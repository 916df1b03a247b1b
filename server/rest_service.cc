#include "server/rest_service.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <random>
#include <thread>
#include <variant>

#include "common/ascii.h"
#include "common/diagnostic.h"
#include "parser/statement_script.h"
#include "server/ksql_entity.h"
#include "server/print_topic.h"

namespace brook::server {
namespace {

// Bounds of one /ksql request (docs/rest-api.md, "Limits"): statements in it, and the bytes of
// its answer (a thousand SHOW STREAMS in a 13 KB request must not build a gigabyte).
constexpr size_t kMaxStatementsPerRequest = 1000;
constexpr size_t kMaxKsqlResponseBytes = size_t{64} << 20;

constexpr std::string_view kPlainText = "text/plain; charset=utf-8";

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The statement kinds of piece `index`, as the engine will parse it; empty when it does not
// parse (execution reports the error).
std::vector<ast::StatementKind> KindsOf(const StatementScript& script, size_t index,
                                        const Engine& engine, const SessionState& session) {
  std::vector<ast::StatementKind> kinds;
  auto prepared =
      script.Prepare(index, session.variables, engine.SubstitutionEnabled(session));
  if (!prepared.ok()) return kinds;
  for (const ast::StatementPtr& s : prepared->statements) kinds.push_back(s->kind);
  return kinds;
}

bool IsQueryKind(ast::StatementKind k) {
  return k == ast::StatementKind::kQuery || k == ast::StatementKind::kPrintTopic;
}

}  // namespace

SessionState MakeSession(const std::map<std::string, std::string>& properties,
                         const std::map<std::string, std::string>& variables) {
  SessionState session;
  session.properties = properties;
  for (const auto& [name, value] : variables) {
    std::string upper;
    upper += AsciiUpper(name);
    session.variables[upper] = value;
  }
  return session;
}

ApiError StatementError(const Status& status, std::string_view script, std::string statement_text,
                        std::vector<std::string> entities) {
  ApiError e;
  const StatusCode c = status.code();
  e.error_code =
      (c == StatusCode::kIOError || c == StatusCode::kTimeout || c == StatusCode::kInternal)
          ? kServerError
          : kBadStatement;
  // ksqlDB answers its pull-query rate limits with 429 / 42900 (KsqlRateLimitException), which
  // clients may retry; brook's concurrent-pull limit is the one of that kind.
  if (c == StatusCode::kResourceExhausted &&
      status.message().rfind("Host is at maximum concurrent pull queries limit", 0) == 0) {
    e.error_code = kTooManyRequests;
  }
  e.statement_error = true;
  e.message = PositionedMessage(status);
  e.statement_text = std::move(statement_text);
  e.entities = std::move(entities);
  if (status.range() && status.range()->valid()) {
    const SourceRange& r = *status.range();
    // Render only when the range lies inside `script` (it may refer to substituted text).
    if (r.end <= script.size()) e.diagnostic = RenderDiagnostic(status, script);
  }
  return e;
}

RestService::RestService(Engine& engine, RestServiceOptions options)
    : engine_(engine), options_(std::move(options)) {}

void RestService::Shutdown() {
  shutting_down_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, q] : push_queries_) q->cancelled = true;
}

std::vector<std::string> RestService::ActivePushQueries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, q] : push_queries_) ids.push_back(id);
  return ids;
}

bool RestService::WaitForStreams(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return streams_done_.wait_for(lock, timeout,
                                [this] { return push_queries_.empty() && reserved_ == 0; });
}

std::shared_ptr<RestService::PushQuery> RestService::Register(const std::string& query_id) {
  auto pq = std::make_shared<PushQuery>();
  std::lock_guard<std::mutex> lock(mu_);
  --reserved_;
  push_queries_[query_id] = pq;
  if (shutting_down_) pq->cancelled = true;
  return pq;
}

void RestService::Unregister(const std::string& query_id) {
  std::lock_guard<std::mutex> lock(mu_);
  push_queries_.erase(query_id);
  streams_done_.notify_all();
}

bool RestService::Cancel(const std::string& query_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = push_queries_.find(query_id);
  if (it == push_queries_.end()) {
    // ksqlDB compares query ids case-insensitively (TERMINATE transient_x works unquoted).
    for (it = push_queries_.begin(); it != push_queries_.end(); ++it) {
      if (EqualsIgnoreAsciiCase(it->first, query_id)) {
        break;
      }
    }
    if (it == push_queries_.end()) return false;
  }
  it->second->cancelled = true;
  return true;
}

void RestService::SendError(ResponseWriter& out, const ApiError& error) {
  out.Send(error.http_status(), kJsonMediaType, error.ToJson());
}

namespace {

// Records the status a handler sends, for /metrics.
class StatusRecorder final : public ResponseWriter {
 public:
  explicit StatusRecorder(ResponseWriter& inner) : inner_(inner) {}
  bool Send(int status, std::string_view content_type, std::string body,
            const Headers& extra_headers) override {
    if (status_ == 0) status_ = status;
    return inner_.Send(status, content_type, std::move(body), extra_headers);
  }
  bool BeginChunked(int status, std::string_view content_type) override {
    if (status_ == 0) status_ = status;
    return inner_.BeginChunked(status, content_type);
  }
  bool WriteChunk(std::string_view data) override { return inner_.WriteChunk(data); }
  bool EndChunked() override { return inner_.EndChunked(); }
  bool PeerClosed() override { return inner_.PeerClosed(); }
  bool EndWebSocket(int code, std::string_view reason) override {
    return inner_.EndWebSocket(code, reason);
  }
  int status() const { return status_; }

 private:
  ResponseWriter& inner_;
  int status_ = 0;
};

struct RouteEntry {
  std::string_view path;  // exact, or a prefix ending in '/' when `prefix`
  bool prefix;
  std::string_view methods;  // "GET", "POST" or "GET,POST"
  void (RestService::*handler)(const HttpRequest&, ResponseWriter&);
};

bool MethodAllowed(std::string_view methods, std::string_view method) {
  while (!methods.empty()) {
    size_t comma = methods.find(',');
    if (methods.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    methods.remove_prefix(comma + 1);
  }
  return false;
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  if (!pattern.empty() && pattern.back() == '*') {
    return path.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  }
  return path == pattern;
}

}  // namespace

void RestService::Handle(const HttpRequest& request, ResponseWriter& out) {
  const auto start = std::chrono::steady_clock::now();
  StatusRecorder recorder(out);
  std::string endpoint = "other";
  try {
    Route(request, recorder);
  } catch (const std::exception& e) {
    // Nothing below should throw; this is the module edge. If the response has started the
    // write fails harmlessly and the connection is closed by the caller.
    SendError(recorder,
              ApiError::Generic(kServerError, std::string("Internal error: ") + e.what()));
  }
  // Label by route, never by the raw path (unbounded label values).
  static const std::string_view kKnown[] = {
      "/ksql",           "/ksql/terminate", "/query-stream", "/query",
      "/inserts-stream", "/close-query",    "/info",         "/healthcheck",
      "/clusterStatus",  "/status",         "/v1/metadata",  "/v1/metadata/id",
      "/metrics",        "/chc/live",       "/chc/ready",    "/"};
  for (std::string_view k : kKnown) {
    if (request.path == k) endpoint = std::string(k);
  }
  if (request.path.rfind("/status/", 0) == 0) endpoint = "/status/*";
  if (request.path.rfind("/is_valid_property/", 0) == 0) endpoint = "/is_valid_property/*";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.Record(endpoint, recorder.status(), seconds);
}

bool RestService::Authorize(const HttpRequest& request, ResponseWriter& out) {
  if (!options_.auth) return true;
  const std::string& path = request.path;
  if (path == "/healthcheck" || path == "/chc/live" || path == "/chc/ready") return true;
  for (const std::string& skip : options_.auth_skip_paths) {
    if (PathMatches(skip, path)) return true;
  }
  switch (options_.auth->Check(request.authorization, request.remote_address)) {
    case BasicAuthenticator::Outcome::kOk:
      return true;
    case BasicAuthenticator::Outcome::kForbidden:
      out.Send(403, kJsonMediaType, ApiError::Generic(kForbidden, "Forbidden").ToJson());
      return false;
    case BasicAuthenticator::Outcome::kTooMany:
      out.Send(429, kJsonMediaType,
               ApiError::Generic(kTooManyRequests,
                                 "Too many failed logins from this client, or too many at once: "
                                 "try again later")
                   .ToJson(),
               {{"Retry-After", "5"}});
      return false;
    case BasicAuthenticator::Outcome::kUnauthorized:
      break;
  }
  out.Send(401, kJsonMediaType, ApiError::Generic(kUnauthorized, "Unauthorized").ToJson(),
           {{"WWW-Authenticate", "Basic realm=\"" + options_.auth->realm() + "\""}});
  return false;
}

void RestService::Route(const HttpRequest& request, ResponseWriter& out) {
  const std::string& path = request.path;
  if (!Authorize(request, out)) return;
  if (path == "/chc/live" || path == "/chc/ready") {
    if (request.method != "GET") {
      out.Send(405, kPlainText, "Method Not Allowed");
      return;
    }
    out.Send(200, kJsonMediaType, "{}");
    return;
  }
  if (path == "/healthcheck") {
    if (request.method != "GET") {
      out.Send(405, kPlainText, "Method Not Allowed");
      return;
    }
    const bool healthy = !shutting_down_;
    out.Send(healthy ? 200 : 503, kJsonMediaType, HealthcheckJson(healthy));
    return;
  }
  static const RouteEntry kRoutes[] = {
      {"/ksql", false, "POST", &RestService::HandleKsql},
      {"/ksql/terminate", false, "POST", &RestService::HandleTerminateCluster},
      {"/query-stream", false, "POST", &RestService::HandleQueryStream},
      {"/query", false, "POST", &RestService::HandleLegacyQuery},
      {"/inserts-stream", false, "POST", &RestService::HandleInsertsStream},
      {"/close-query", false, "POST", &RestService::HandleCloseQuery},
      {"/info", false, "GET", &RestService::HandleInfo},
      {"/", false, "GET", &RestService::HandleRoot},
      {"/status", false, "GET", &RestService::HandleStatus},
      {"/status/", true, "GET", &RestService::HandleStatus},
      {"/clusterStatus", false, "GET", &RestService::HandleClusterStatus},
      {"/v1/metadata", false, "GET", &RestService::HandleMetadata},
      {"/v1/metadata/id", false, "GET", &RestService::HandleMetadataId},
      {"/is_valid_property/", true, "GET,POST", &RestService::HandleIsValidProperty},
      {"/metrics", false, "GET", &RestService::HandleMetrics},
      {"/ws/query", false, "GET", &RestService::HandleWsQuery},
  };
  for (const RouteEntry& r : kRoutes) {
    const bool match = r.prefix ? path.rfind(r.path, 0) == 0 : path == r.path;
    if (!match) continue;
    if (!MethodAllowed(r.methods, request.method)) {
      out.Send(
          405, kPlainText, "Method Not Allowed",
          {{"Allow", std::string(r.methods) == "GET,POST" ? "GET, POST" : std::string(r.methods)}});
      return;
    }
    if (shutting_down_ && r.handler != &RestService::HandleInfo &&
        r.handler != &RestService::HandleMetrics) {
      SendError(out, ApiError::Generic(kServerShuttingDown, "The server is shutting down"));
      return;
    }
    (this->*r.handler)(request, out);
    return;
  }
  out.Send(404, kPlainText, "Not Found");
}

void RestService::HandleInfo(const HttpRequest&, ResponseWriter& out) {
  out.Send(
      200, kJsonMediaType,
      ServerInfoJson(options_.version, options_.kafka_cluster_id, options_.service_id, "RUNNING"));
}

void RestService::HandleRoot(const HttpRequest&, ResponseWriter& out) {
  out.Send(307, kPlainText, "", {{"Location", "/info"}});
}

void RestService::HandleMetrics(const HttpRequest&, ResponseWriter& out) {
  std::string body;
  metrics_.Render(body);
  {
    std::lock_guard<std::mutex> lock(mu_);
    body +=
        "# HELP brook_push_queries_open Push and stream-pull queries being served.\n"
        "# TYPE brook_push_queries_open gauge\nbrook_push_queries_open " +
        std::to_string(push_queries_.size()) + "\n";
  }
  if (options_.transport_metrics) body += options_.transport_metrics();
  RenderEngineMetrics(engine_, body);
  out.Send(200, "text/plain; version=0.0.4; charset=utf-8", std::move(body));
}

bool RestService::WaitForCommand(int64_t seq, ResponseWriter& out) {
  if (seq <= 0) return true;
  const auto deadline = std::chrono::steady_clock::now() + options_.command_wait;
  while (engine_.CommandSequence() < seq) {
    if (std::chrono::steady_clock::now() >= deadline) {
      SendError(out, ApiError::Generic(
                         kCommandQueueCatchupTimeout,
                         "Timed out while waiting for a previous command to execute. command "
                         "sequence number: " +
                             std::to_string(seq)));
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void RestService::HandleKsql(const HttpRequest& request, ResponseWriter& out) {
  KsqlRequestOrError parsed = ParseKsqlRequest(request.body);
  if (!parsed.request) {
    SendError(out, parsed.error);
    return;
  }
  const KsqlRequest& req = *parsed.request;
  if (!WaitForCommand(req.command_sequence_number.value_or(0), out)) return;
  const StatementScript script(req.ksql);
  SessionState session = MakeSession(req.properties, req.variables);
  if (script.size() > kMaxStatementsPerRequest) {
    SendError(out, ApiError::Generic(kBadRequest, "A request may hold at most " +
                                                      std::to_string(kMaxStatementsPerRequest) +
                                                      " statements; this one has " +
                                                      std::to_string(script.size())));
    return;
  }

  // ksqlDB validates the whole request before running any of it: a SELECT or PRINT anywhere
  // rejects the request with 40002.
  for (size_t i = 0; i < script.size(); ++i) {
    for (ast::StatementKind k : KindsOf(script, i, engine_, session)) {
      if (!IsQueryKind(k)) continue;
      ApiError e;
      e.error_code = kQueryEndpoint;
      e.statement_error = true;
      e.message = QueryEndpointMessage();
      e.statement_text = std::string(TrimView(script.pieces()[i].text));
      SendError(out, e);
      return;
    }
  }

  std::vector<std::string> entities;
  size_t response_bytes = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    if (response_bytes > kMaxKsqlResponseBytes) {
      // The statements before this one ran; their answer is too large to send whole.
      SendError(out, ApiError::Generic(kBadRequest,
                                       "The answer to this request would exceed " +
                                           std::to_string(kMaxKsqlResponseBytes) +
                                           " bytes; statements up to '" +
                                           std::string(TrimView(script.pieces()[i - 1].text)) +
                                           "' ran, the rest did not. Send fewer statements."));
      return;
    }
    std::vector<ExecuteResult> done;
    Result<std::vector<ExecuteResult>> run = engine_.ExecutePiece(script, i, session, &done);
    std::vector<ExecuteResult>& results = run.ok() ? *run : done;
    for (ExecuteResult& r : results) {
      if (r.transient) engine_.CloseTransient(r.transient->id());  // not reachable: checked
      if (!r.result) continue;
      if (const auto* terminated = std::get_if<TerminateResult>(&*r.result)) {
        // TERMINATE of a transient query: stop the stream that serves it.
        (void)Cancel(terminated->query_id);
      }
      entities.push_back(KsqlEntityJson(*r.result));
      response_bytes += entities.back().size();
    }
    if (!run.ok()) {
      SendError(out, StatementError(run.status(), req.ksql,
                                    std::string(TrimView(script.pieces()[i].text)),
                                    std::move(entities)));
      return;
    }
  }
  std::string body = "[";
  for (size_t i = 0; i < entities.size(); ++i) {
    if (i) body += ',';
    body += entities[i];
  }
  body += ']';
  out.Send(200, kJsonMediaType, std::move(body));
}

void RestService::HandleQueryStream(const HttpRequest& request, ResponseWriter& out) {
  QueryStreamRequestOrError parsed = ParseQueryStreamRequest(request.body);
  if (!parsed.request) {
    SendError(out, parsed.error);
    return;
  }
  std::optional<StreamFormat> format = NegotiateStreamFormat(request.accept, false);
  if (!format) {
    out.Send(404, kPlainText, "Not Found");
    return;
  }
  SessionState session = MakeSession(parsed.request->properties, parsed.request->variables);
  RunPushQuery(parsed.request->sql, session, *format, /*legacy=*/false, out);
}

void RestService::HandleLegacyQuery(const HttpRequest& request, ResponseWriter& out) {
  KsqlRequestOrError parsed = ParseKsqlRequest(request.body);
  if (!parsed.request) {
    SendError(out, parsed.error);
    return;
  }
  if (TrimView(parsed.request->ksql).empty()) {
    SendError(out, ApiError::Generic(kBadRequest, "\"ksql\" field must be populated"));
    return;
  }
  std::optional<StreamFormat> format = NegotiateStreamFormat(request.accept, true);
  if (!format) {
    out.Send(404, kPlainText, "Not Found");
    return;
  }
  SessionState session = MakeSession(parsed.request->properties, parsed.request->variables);
  RunPushQuery(parsed.request->ksql, session, *format, /*legacy=*/true, out);
}

void RestService::HandleCloseQuery(const HttpRequest& request, ResponseWriter& out) {
  CloseQueryRequestOrError parsed = ParseCloseQueryRequest(request.body);
  if (!parsed.query_id) {
    SendError(out, parsed.error);
    return;
  }
  if (!Cancel(*parsed.query_id)) {
    SendError(out, ApiError::Generic(kBadRequest, "No query with id " + *parsed.query_id));
    return;
  }
  out.Send(200, kJsonMediaType, "");
}

void RestService::RunPushQuery(const std::string& sql, SessionState& session, StreamFormat format,
                               bool legacy, ResponseWriter& out) {
  const StatementScript script(sql);
  if (script.size() != 1) {
    ApiError e;
    e.error_code = kBadStatement;
    e.statement_error = true;
    e.statement_text = sql;
    e.message = script.size() == 0 ? "No statement to execute" : "Expected exactly one statement";
    SendError(out, e);
    return;
  }
  const std::string statement_text(TrimView(script.pieces()[0].text));
  std::vector<ast::StatementKind> kinds = KindsOf(script, 0, engine_, session);
  if (kinds.size() == 1 && !IsQueryKind(kinds[0])) {
    ApiError e;
    e.error_code = kBadRequest;
    e.statement_error = true;
    e.statement_text = statement_text;
    e.message = "Not a query: only SELECT and PRINT statements can be sent to this endpoint";
    SendError(out, e);
    return;
  }

  const bool is_print = kinds.size() == 1 && kinds[0] == ast::StatementKind::kPrintTopic;
  if (is_print && !legacy && format != StreamFormat::kDelimited) {
    // ksqlDB serves PRINT on /query-stream only in the delimited format.
    out.Send(406, kPlainText, "Not Acceptable");
    return;
  }

  // Take a push-query slot before starting anything.
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (static_cast<int>(push_queries_.size()) + reserved_ >= options_.max_push_queries) {
      SendError(out, ApiError::Generic(
                         kMaxPushQueriesExceeded,
                         "Not executing query as the maximum number of push queries (" +
                             std::to_string(options_.max_push_queries) +
                             ") has been reached. Consider increasing ksql.max.push.queries."));
      return;
    }
    ++reserved_;
  }
  auto release_reservation = [this] {
    std::lock_guard<std::mutex> lock(mu_);
    --reserved_;
    streams_done_.notify_all();
  };

  if (is_print) {
    auto prepared = script.Prepare(0, session.variables, engine_.SubstitutionEnabled(session));
    if (!prepared.ok() || prepared->statements.size() != 1) {  // KindsOf parsed it just now
      release_reservation();
      SendError(out, ApiError::Generic(kServerError, "Internal error: PRINT did not re-parse"));
      return;
    }
    const auto& print = static_cast<const ast::SimpleStatement&>(*prepared->statements[0]);
    static std::atomic<uint64_t> print_counter{0};
    const std::string id = "print_" + std::to_string(print_counter++);
    std::shared_ptr<PushQuery> pq = Register(id);
    PrintRequest pr;
    pr.topic = print.name;
    pr.from_beginning = print.from_beginning;
    pr.limit = print.limit;
    pr.interval = print.interval.value_or(1);
    pr.group_prefix = "_confluent-ksql-" + options_.service_id + "print_";
    pr.poll_timeout = options_.push_poll;
    pr.admin_timeout = engine_.options().admin_timeout;
    Status st = RunPrint(engine_.kafka(), pr, ContentType(format), out,
                         [this, pq] { return pq->cancelled.load() || shutting_down_.load(); });
    Unregister(id);
    if (!st.ok()) {
      Status positioned = st.range() ? st : Status(st.code(), st.message(), print.name_range);
      SendError(out, StatementError(script.Rebase(positioned, 0, *prepared), sql,
                                    statement_text, {}));
    }
    return;
  }

  Result<std::vector<ExecuteResult>> run = engine_.ExecutePiece(script, 0, session);
  if (!run.ok()) {
    release_reservation();
    SendError(out, StatementError(run.status(), sql, statement_text, {}));
    return;
  }
  std::shared_ptr<TransientQuery> query;
  for (ExecuteResult& r : *run) {
    if (r.transient) query = std::move(r.transient);
  }
  if (!query) {
    release_reservation();
    ApiError e;
    e.error_code = kBadRequest;
    e.statement_error = true;
    e.statement_text = statement_text;
    e.message = "Not a query: only SELECT and PRINT statements can be sent to this endpoint";
    SendError(out, e);
    return;
  }
  const std::string id = query->id();
  std::shared_ptr<PushQuery> pq = Register(id);

  // Every stream but a table pull's ends with a final element, so v1 lines can end at once.
  QueryStreamEncoder encoder(format,
                             /*final_follows=*/query->kind() != TransientQuery::Kind::kPullTable);
  StreamHeader header;
  header.query_id = id;
  header.column_names = query->column_names();
  header.column_types = query->column_types();
  const bool table_pull = query->kind() == TransientQuery::Kind::kPullTable;
  // ksqlDB marks key columns in the header of table pull queries only.
  header.schema = query->SchemaString(table_pull);
  if (table_pull) header.column_is_key = query->column_is_key();
  bool client_ok =
      out.BeginChunked(200, ContentType(format)) && out.WriteChunk(encoder.Header(header));
  std::optional<StreamEnd> end;
  std::vector<OutputRow> rows;
  while (client_ok) {
    if (pq->cancelled || shutting_down_) {
      end = StreamEnd::kCompleted;
      break;
    }
    if (out.PeerClosed()) {
      client_ok = false;
      break;
    }
    rows.clear();
    Result<bool> more = query->Poll(options_.push_max_records, options_.push_poll, rows);
    if (!more.ok()) {
      client_ok = out.WriteChunk(
          encoder.Error(ApiError::Generic(kServerError, PositionedMessage(more.status()))));
      break;
    }
    for (const OutputRow& row : rows) {
      std::string chunk = encoder.Row(row.columns, header.column_types, row.tombstone);
      if (!chunk.empty() && !out.WriteChunk(chunk)) {
        client_ok = false;
        break;
      }
    }
    if (client_ok && !*more) {
      end = table_pull               ? StreamEnd::kTablePull
            : query->limit_reached() ? StreamEnd::kLimitReached
                                     : StreamEnd::kCompleted;
    }
    if (end) break;
  }
  if (client_ok) {
    if (end) {
      std::string tail = encoder.End(*end);
      if (!tail.empty()) client_ok = out.WriteChunk(tail);
    }
    if (client_ok) out.EndChunked();
  }
  Unregister(id);
  engine_.CloseTransient(id);
  // `query` is destroyed here: its consumer leaves the group (bounded, see the Kafka factory).
}

}  // namespace brook::server
