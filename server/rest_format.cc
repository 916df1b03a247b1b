#include "server/rest_format.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/ascii.h"
#include "planner/properties.h"
#include "runtime/serde/serde.h"
#include "server/ksql_entity.h"

namespace brook::server {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// JSON text of a string, never throwing on invalid UTF-8 (replaced by U+FFFD).
std::string Quote(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A property value as ksqlDB sees it: strings as they are, other scalars as JSON text.
std::optional<std::string> PropertyText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return std::nullopt;
  if (v.is_boolean() || v.is_number()) return v.dump();
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Parses a JSON object body; on failure fills `error` with ksqlDB's 40000 message.
std::optional<json> ParseObject(std::string_view body, ApiError& error) {
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    error = ApiError::Generic(kBadRequest, "Invalid JSON in request: malformed JSON body");
    return std::nullopt;
  }
  if (!doc.is_object()) {
    error = ApiError::Generic(kBadRequest, "Invalid JSON in request: expected a JSON object");
    return std::nullopt;
  }
  return doc;
}

// Reads an optional object-of-scalars field into `out`. False (with `error`) on a wrong type.
bool ReadStringMap(const json& doc, const char* field, std::map<std::string, std::string>& out,
                   ApiError& error) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) return true;
  if (!it->is_object()) {
    error = ApiError::Generic(
        kBadRequest, std::string("Invalid JSON in request: '") + field + "' must be a JSON object");
    return false;
  }
  for (auto e = it->begin(); e != it->end(); ++e) {
    if (std::optional<std::string> text = PropertyText(e.value())) out[e.key()] = *text;
  }
  return true;
}

bool ReadString(const json& doc, const char* field, std::optional<std::string>& out,
                ApiError& error) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) return true;
  if (!it->is_string()) {
    error = ApiError::Generic(
        kBadRequest, std::string("Invalid JSON in request: '") + field + "' must be a string");
    return false;
  }
  out = it->get<std::string>();
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Errors

ApiError ApiError::Generic(int code, std::string message) {
  ApiError e;
  e.error_code = code;
  e.message = std::move(message);
  return e;
}

std::string ApiError::ToJson() const {
  std::string out = "{\"@type\":";
  out += statement_error ? "\"statement_error\"" : "\"generic_error\"";
  out += ",\"error_code\":" + std::to_string(error_code);
  out += ",\"message\":" + Quote(message);
  if (statement_error) {
    out += ",\"statementText\":" + Quote(statement_text);
    out += ",\"entities\":[";
    for (size_t i = 0; i < entities.size(); ++i) {
      if (i) out += ',';
      out += entities[i];
    }
    out += ']';
    if (!diagnostic.empty()) out += ",\"diagnostic\":" + Quote(diagnostic);
  }
  out += '}';
  return out;
}

std::string QueryEndpointMessage() {
  return "The following statement types should be issued to the websocket endpoint '/query':\n"
         "\t* PRINT\n"
         "\t* SELECT";
}

// ---------------------------------------------------------------------------------------------
// Requests

namespace {
// A request's property overrides, checked as ksqlDB's DenyListPropertyValidator and
// LocalPropertyParser check them, before anything of the request runs.
bool CheckOverrides(const std::map<std::string, std::string>& properties, ApiError& error) {
  Status st = ValidatePropertyOverrides(properties);
  if (st.ok()) return true;
  error = ApiError::Generic(kBadRequest, st.message());
  return false;
}
}  // namespace

KsqlRequestOrError ParseKsqlRequest(std::string_view body) {
  KsqlRequestOrError result;
  std::optional<json> doc = ParseObject(body, result.error);
  if (!doc) return result;
  KsqlRequest req;
  std::optional<std::string> ksql;
  if (!ReadString(*doc, "ksql", ksql, result.error)) return result;
  req.ksql = ksql.value_or("");
  if (!ReadStringMap(*doc, "streamsProperties", req.properties, result.error)) return result;
  if (!CheckOverrides(req.properties, result.error)) return result;
  if (!ReadStringMap(*doc, "sessionVariables", req.variables, result.error)) return result;
  auto seq = doc->find("commandSequenceNumber");
  if (seq != doc->end() && seq->is_number_integer()) {
    req.command_sequence_number = seq->get<int64_t>();
  }
  result.request = std::move(req);
  return result;
}

QueryStreamRequestOrError ParseQueryStreamRequest(std::string_view body) {
  QueryStreamRequestOrError result;
  std::optional<json> doc = ParseObject(body, result.error);
  if (!doc) return result;
  QueryStreamRequest req;
  std::optional<std::string> sql;
  if (!ReadString(*doc, "sql", sql, result.error)) return result;
  if (!sql) {
    result.error = ApiError::Generic(
        kBadRequest, "Invalid JSON in request: Missing required creator property 'sql' (index 0)");
    return result;
  }
  req.sql = std::move(*sql);
  if (!ReadStringMap(*doc, "properties", req.properties, result.error)) return result;
  if (!CheckOverrides(req.properties, result.error)) return result;
  if (!ReadStringMap(*doc, "sessionVariables", req.variables, result.error)) return result;
  result.request = std::move(req);
  return result;
}

CloseQueryRequestOrError ParseCloseQueryRequest(std::string_view body) {
  CloseQueryRequestOrError result;
  std::optional<json> doc = ParseObject(body, result.error);
  if (!doc) return result;
  std::optional<std::string> id;
  if (!ReadString(*doc, "queryId", id, result.error)) return result;
  if (!id) {
    result.error = ApiError::Generic(
        kBadRequest,
        "Invalid JSON in request: Missing required creator property 'queryId' (index 0)");
    return result;
  }
  result.query_id = std::move(id);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Negotiation

std::optional<StreamFormat> NegotiateStreamFormat(std::string_view accept,
                                                  bool legacy_query_endpoint) {
  struct Choice {
    std::string type;
    double q;
    size_t order;
  };
  std::vector<Choice> choices;
  size_t order = 0;
  std::string_view rest = accept;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t semi = item.find(';');
    std::string type = AsciiLower(Trim(item.substr(0, semi)));
    if (type.empty()) continue;
    double q = 1.0;
    std::string_view params =
        semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    while (!params.empty()) {
      size_t next = params.find(';');
      std::string_view param = Trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        q = std::strtod(std::string(param.substr(2)).c_str(), nullptr);
      }
    }
    if (q <= 0) continue;
    choices.push_back({type, q, order++});
  }
  if (choices.empty()) {
    return legacy_query_endpoint ? StreamFormat::kV1 : StreamFormat::kDelimited;
  }
  std::stable_sort(choices.begin(), choices.end(),
                   [](const Choice& a, const Choice& b) { return a.q > b.q; });
  for (const Choice& c : choices) {
    if (c.type == kDelimitedMediaType || c.type == "*/*") return StreamFormat::kDelimited;
    if (c.type == kV1JsonMediaType) return StreamFormat::kV1;
    if (c.type == kJsonMediaType || c.type == "application/*") {
      return legacy_query_endpoint ? StreamFormat::kV1 : StreamFormat::kJsonArray;
    }
  }
  return std::nullopt;
}

std::string_view ContentType(StreamFormat format) {
  switch (format) {
    case StreamFormat::kDelimited:
      return kDelimitedMediaType;
    case StreamFormat::kJsonArray:
      return kJsonMediaType;
    case StreamFormat::kV1:
    case StreamFormat::kWebSocket:
      return kJsonMediaType;
  }
  return kJsonMediaType;
}

// ---------------------------------------------------------------------------------------------
// Values

void AppendRestValue(const Value& v, const TypePtr& type, std::string& out) {
  AppendJson(v, type, out, TemporalJson::kIsoText);
}

std::string RowArrayJson(const std::vector<Value>& columns, const std::vector<TypePtr>& types) {
  std::string out = "[";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ',';
    AppendRestValue(columns[i], i < types.size() ? types[i] : nullptr, out);
  }
  out += ']';
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stream encoder

std::string QueryStreamEncoder::Header(const StreamHeader& header) {
  if (format_ == StreamFormat::kWebSocket) {
    // ksqlDB's EntityUtil.buildSourceSchemaEntity: [{"name":..,"schema":{..}[,"type":"KEY"]}]
    nlohmann::json fields = nlohmann::json::array();
    for (size_t i = 0; i < header.column_names.size() && i < header.column_types.size(); ++i) {
      nlohmann::json f = {{"name", header.column_names[i]},
                          {"schema", SchemaJson(header.column_types[i])}};
      if (i < header.column_is_key.size() && header.column_is_key[i]) f["type"] = "KEY";
      fields.push_back(std::move(f));
    }
    return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (format_ == StreamFormat::kV1) {
    std::string out = "[{\"header\":{\"queryId\":" + Quote(header.query_id) +
                      ",\"schema\":" + Quote(header.schema) + "}}";
    if (final_follows_) out += ",\n";
    return out;
  }
  std::string out = format_ == StreamFormat::kJsonArray ? "[" : "";
  out += "{\"queryId\":" + Quote(header.query_id) + ",\"columnNames\":[";
  for (size_t i = 0; i < header.column_names.size(); ++i) {
    if (i) out += ',';
    out += Quote(header.column_names[i]);
  }
  out += "],\"columnTypes\":[";
  for (size_t i = 0; i < header.column_types.size(); ++i) {
    if (i) out += ',';
    out += Quote(TypeName(header.column_types[i]));
  }
  out += "]}";
  if (format_ == StreamFormat::kDelimited) out += '\n';
  return out;
}

std::string QueryStreamEncoder::Row(const std::vector<Value>& columns,
                                    const std::vector<TypePtr>& types, bool tombstone) {
  switch (format_) {
    case StreamFormat::kDelimited:
      if (tombstone) return "";
      return RowArrayJson(columns, types) + "\n";
    case StreamFormat::kJsonArray:
      if (tombstone) return "";
      return "," + RowArrayJson(columns, types);
    case StreamFormat::kV1: {
      std::string out = final_follows_ ? "" : ",\n";
      out += "{\"row\":{\"columns\":" + RowArrayJson(columns, types);
      if (tombstone) out += ",\"tombstone\":true";
      out += "}}";
      if (final_follows_) out += ",\n";
      return out;
    }
    case StreamFormat::kWebSocket: {
      std::string out = "{\"row\":{\"columns\":" + RowArrayJson(columns, types);
      if (tombstone) out += ",\"tombstone\":true";
      return out + "}}";
    }
  }
  return "";
}

std::string QueryStreamEncoder::Error(const ApiError& error) {
  switch (format_) {
    case StreamFormat::kDelimited:
      return error.ToJson() + "\n";
    case StreamFormat::kJsonArray:
      return "," + error.ToJson() + "]";
    case StreamFormat::kV1:
      return (final_follows_ ? "" : ",\n") + std::string("{\"errorMessage\":") + error.ToJson() +
             "}]\n";
    case StreamFormat::kWebSocket:
      return "{\"error\":" + Quote(error.message) + "}";
  }
  return "";
}

std::string QueryStreamEncoder::End(StreamEnd how) {
  switch (format_) {
    case StreamFormat::kDelimited:
      return "";
    case StreamFormat::kJsonArray:
      return "]";
    case StreamFormat::kV1:
      if (how == StreamEnd::kTablePull) return "]\n";
      return (final_follows_ ? "" : ",\n") + std::string("{\"finalMessage\":\"") +
             (how == StreamEnd::kLimitReached ? "Limit Reached" : "Query Completed") + "\"}]\n";

    case StreamFormat::kWebSocket:
      return "{\"error\":\"done\"}";
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Introspection

std::string ServerInfoJson(std::string_view version, std::string_view kafka_cluster_id,
                           std::string_view service_id, std::string_view server_status) {
  ordered_json info;
  info["version"] = std::string(version);
  info["kafkaClusterId"] = std::string(kafka_cluster_id);
  info["ksqlServiceId"] = std::string(service_id);
  info["serverStatus"] = std::string(server_status);
  ordered_json body;
  body["KsqlServerInfo"] = std::move(info);
  return Dump(body);
}

std::string HealthcheckJson(bool healthy) {
  ordered_json details;
  details["metastore"] = {{"isHealthy", healthy}};
  details["kafka"] = {{"isHealthy", healthy}};
  details["commandRunner"] = {{"isHealthy", healthy}};
  ordered_json body;
  body["isHealthy"] = healthy;
  body["details"] = std::move(details);
  body["serverState"] = healthy ? "READY" : "NOT_READY";
  return Dump(body);
}

}  // namespace brook::server
