// POST /inserts-stream: the first line is {"target": "<stream>", "properties": {...}}, every
// further line one JSON row. Rows are inserted in order and acknowledged with
// {"status":"ok","seq":N}; the first bad row is answered with an error ack and ends the
// stream, as in ksqlDB. The body is read whole before inserting (it is bounded by
// brook.http.max.body.bytes); ksqlDB also accepts it over HTTP/1.1 here, which ksqlDB itself
// refuses (40004): curl users can insert without HTTP/2.
#include <nlohmann/json.hpp>

#include "server/rest_service.h"

namespace brook::server {
namespace {

using json = nlohmann::ordered_json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

void RestService::HandleInsertsStream(const HttpRequest& request, ResponseWriter& out) {
  std::string_view body = request.body;
  size_t nl = body.find('\n');
  std::string_view first = body.substr(0, nl);
  json args = json::parse(first, nullptr, false);
  if (args.is_discarded() || !args.is_object()) {
    SendError(out, ApiError::Generic(kBadRequest, "Invalid JSON in request: malformed JSON body"));
    return;
  }
  auto target = args.find("target");
  if (target == args.end() || !target->is_string()) {
    SendError(out, ApiError::Generic(kBadRequest,
                                     "Invalid JSON in request: Missing required creator property "
                                     "'target'"));
    return;
  }
  // delimited (the default) or a JSON array.
  const bool json_array = request.accept.find("application/json") != std::string::npos;
  std::vector<std::string_view> rows;
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) rows.push_back(line);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  std::vector<std::string> acks;
  Status st =
      engine_.InsertJsonRows(target->get<std::string>(), rows, [&](size_t seq, const Status& row) {
        if (row.ok()) {
          acks.push_back(Dump(json{{"status", "ok"}, {"seq", seq}}));
          return;
        }
        const bool server = row.code() == StatusCode::kIOError ||
                            row.code() == StatusCode::kTimeout ||
                            row.code() == StatusCode::kInternal;
        json e = {{"@type", "InsertError"},
                  {"error_code", server ? kServerError : kBadRequest},
                  {"message", server ? "Error in processing inserts. Check server logs for details."
                                     : row.message()},
                  {"status", "error"},
                  {"seq", seq}};
        acks.push_back(Dump(e));
      });
  if (!st.ok() && acks.empty()) {
    // The target itself was refused (unknown, a table, read-only): nothing was inserted.
    SendError(out, ApiError::Generic(kBadRequest, st.message()));
    return;
  }
  std::string response;
  if (json_array) {
    response = "[";
    for (size_t i = 0; i < acks.size(); ++i) response += (i ? "," : "") + acks[i];
    response += "]";
  } else {
    for (const std::string& a : acks) response += a + "\n";
  }
  out.Send(200, json_array ? kJsonMediaType : "application/vnd.ksqlapi.delimited.v1",
           std::move(response));
}

}  // namespace brook::server
