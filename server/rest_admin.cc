// RestService's introspection and cluster endpoints: /status, /clusterStatus, /v1/metadata,
// /ksql/terminate, /is_valid_property.
#include <chrono>
#include <nlohmann/json.hpp>

#include "common/regex.h"
#include "server/ksql_entity.h"
#include "server/rest_service.h"

namespace brook::server {
namespace {

using json = nlohmann::json;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

}  // namespace

void RestService::HandleStatus(const HttpRequest& request, ResponseWriter& out) {
  std::map<std::string, CommandStatus> statuses = engine_.CommandStatuses();
  if (request.path == "/status") {
    json all = json::object();
    for (const auto& [id, st] : statuses) all[id] = st.status;
    out.Send(200, kJsonMediaType, Dump(json{{"commandStatuses", all}}));
    return;
  }
  // /status/<type>/<entity>/<action>
  const std::string id = request.path.substr(std::string("/status/").size());
  auto it = statuses.find(id);
  if (it == statuses.end()) {
    // ksqlDB's ids quote the entity ("stream/`S`/create"); accept it unquoted too.
    for (auto i = statuses.begin(); i != statuses.end(); ++i) {
      std::string unquoted;
      for (char c : i->first) {
        if (c != '`') unquoted += c;
      }
      if (unquoted == id) it = i;
    }
  }
  if (it == statuses.end()) {
    SendError(out, ApiError::Generic(kNotFoundError, "Command not found"));
    return;
  }
  json body = {{"status", it->second.status}, {"message", it->second.message}};
  body["queryId"] = it->second.query_id ? json(*it->second.query_id) : json(nullptr);
  out.Send(200, kJsonMediaType, Dump(body));
}

void RestService::HandleClusterStatus(const HttpRequest&, ResponseWriter& out) {
  const int64_t now = NowMs();
  json per_query = json::object();
  for (const QueryInfo& q : engine_.Queries()) {
    per_query[q.id] = {{"activeStores", json::array()},
                       {"activePartitions", json::array()},
                       {"standByStores", json::array()},
                       {"standByPartitions", json::array()}};
  }
  json host = {{"hostAlive", true},
               {"lastStatusUpdateMs", now},
               {"activeStandbyPerQuery", per_query},
               {"hostStoreLags", {{"stateStoreLags", json::object()}, {"updateTimeMs", now}}}};
  out.Send(200, kJsonMediaType, Dump(json{{"clusterStatus", {{options_.host_info, host}}}}));
}

void RestService::HandleMetadataId(const HttpRequest&, ResponseWriter& out) {
  json id = {
      {"scope",
       {{"path", json::array()},
        {"clusters",
         {{"kafka-cluster", options_.kafka_cluster_id}, {"ksql-cluster", options_.service_id}}}}},
      {"id", ""}};
  out.Send(200, kJsonMediaType, Dump(id));
}

void RestService::HandleMetadata(const HttpRequest&, ResponseWriter& out) {
  json id = {
      {"scope",
       {{"path", json::array()},
        {"clusters",
         {{"kafka-cluster", options_.kafka_cluster_id}, {"ksql-cluster", options_.service_id}}}}},
      {"id", ""}};
  out.Send(200, kJsonMediaType, Dump(json{{"version", options_.version}, {"clusterId", id}}));
}

void RestService::HandleIsValidProperty(const HttpRequest& request, ResponseWriter& out) {
  const std::string name = request.path.substr(std::string("/is_valid_property/").size());
  if (name.empty() || name.size() > 1024) {
    SendError(out, ApiError::Generic(kBadRequest, "A property name is required"));
    return;
  }
  if (IsImmutableProperty(name) || !IsKnownProperty(name)) {
    Status st = ValidatePropertyOverrides({{name, ""}});
    SendError(out, ApiError::Generic(kBadRequest, st.message()));
    return;
  }
  out.Send(200, kJsonMediaType, "true");
}

// POST /ksql/terminate: terminates every query and drops every stream and table; topics whose
// names match a pattern of `deleteTopicList` (Java regular expressions, matched whole) are
// deleted with their sources.
void RestService::HandleTerminateCluster(const HttpRequest& request, ResponseWriter& out) {
  json body = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    SendError(out, ApiError::Generic(kBadRequest, "Invalid JSON in request: malformed JSON body"));
    return;
  }
  std::vector<std::unique_ptr<Regex>> patterns;
  if (auto it = body.find("deleteTopicList"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) {
      SendError(out, ApiError::Generic(kBadRequest,
                                       "Invalid JSON in request: deleteTopicList must be a list"));
      return;
    }
    for (const json& p : *it) {
      if (!p.is_string() || p.get<std::string>().size() > 1000) {
        SendError(out, ApiError::Generic(kBadRequest, "Invalid topic pattern in deleteTopicList"));
        return;
      }
      auto re = Regex::Compile(p.get<std::string>());
      if (!re.ok()) {
        SendError(out, ApiError::Generic(kBadRequest, "Invalid topic pattern in deleteTopicList: " +
                                                          p.get<std::string>() + " (" +
                                                          re.status().message() + ")"));
        return;
      }
      patterns.push_back(std::move(re).value());
    }
  }
  std::string sql = "TERMINATE ALL;";
  for (const DataSourcePtr& src : engine_.catalog().All()) {
    bool delete_topic = false;
    for (const auto& r : patterns) {
      // A pattern over its work limit deletes nothing.
      auto m = r->FullMatch(src->topic);
      if (m.ok() && *m) delete_topic = true;
    }
    sql += std::string(" DROP ") + (src->is_table ? "TABLE " : "STREAM ") + "IF EXISTS " +
           QuoteIdentifier(src->name) + (delete_topic ? " DELETE TOPIC" : "") + ";";
  }
  SessionState session;
  Result<std::vector<ExecuteResult>> run = engine_.ExecuteScript(sql, session);
  if (!run.ok()) {
    SendError(out, StatementError(run.status(), sql, "TERMINATE CLUSTER;", {}));
    return;
  }
  CommandStatus status;
  status.statement_text = "TERMINATE CLUSTER;";
  status.command_id = "cluster/CLUSTER/terminate";
  status.message = "Cluster terminated";
  status.command_seq = engine_.CommandSequence();
  out.Send(200, kJsonMediaType, "[" + KsqlEntityJson(StatementResult(status)) + "]");
}

}  // namespace brook::server
