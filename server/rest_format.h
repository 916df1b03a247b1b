// The ksqlDB REST wire format, as pure functions: request bodies in, response bytes out.
// No I/O and no HTTP library here, so every byte brookd sends can be unit-tested.
// The formats are specified in the shared reference ksqldb-rest-api.md (next to DESIGN.md) (sections 0-5, 7).
//
// Thread-safety: everything here is stateless or a value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sql_type.h"
#include "common/status.h"
#include "common/value.h"
#include "parser/statement_script.h"

namespace brook::server {

// ---------------------------------------------------------------------------------------------
// Media types and error codes

inline constexpr std::string_view kJsonMediaType = "application/json";
inline constexpr std::string_view kV1JsonMediaType = "application/vnd.ksql.v1+json";
inline constexpr std::string_view kDelimitedMediaType = "application/vnd.ksqlapi.delimited.v1";

// ksqlDB's error codes (Errors.java); the HTTP status is code / 100.
inline constexpr int kBadRequest = 40000;
inline constexpr int kBadStatement = 40001;
inline constexpr int kQueryEndpoint = 40002;
inline constexpr int kMaxPushQueriesExceeded = 40003;
inline constexpr int kNotFoundError = 40400;
inline constexpr int kUnauthorized = 40100;
inline constexpr int kForbidden = 40300;
inline constexpr int kTooManyRequests = 42900;
inline constexpr int kCommandQueueCatchupTimeout = 50301;
inline constexpr int kServerError = 50000;
inline constexpr int kServerShuttingDown = 50303;

// The error body of every failing endpoint:
//   {"@type":"generic_error","error_code":40000,"message":"..."}
//   {"@type":"statement_error","error_code":40001,"message":"...","statementText":"...",
//    "entities":[...],"diagnostic":"..."}
// `diagnostic` is brook's addition: the message with the SQL line and a caret under the
// offending text (RenderDiagnostic); present only for statement errors that have a position.
struct ApiError {
  int error_code = kBadRequest;
  std::string message;
  bool statement_error = false;
  std::string statement_text;         // statement errors only
  std::vector<std::string> entities;  // serialized KsqlEntity JSON of statements that ran before
  std::string diagnostic;             // optional rendered form

  int http_status() const { return error_code / 100; }
  // The JSON body, fields in ksqlDB's order.
  std::string ToJson() const;

  static ApiError Generic(int code, std::string message);
};

// The message of 40002 (SELECT or PRINT sent to /ksql).
std::string QueryEndpointMessage();

// ---------------------------------------------------------------------------------------------
// Requests. Unknown fields are ignored; a missing required field or malformed JSON is a 40000
// ApiError with ksqlDB's message ("Invalid JSON in request: ...").

// POST /ksql and POST /query (KsqlRequest).
struct KsqlRequest {
  std::string ksql;                               // "" when missing
  std::map<std::string, std::string> properties;  // streamsProperties (values as text)
  std::map<std::string, std::string> variables;   // sessionVariables
  std::optional<int64_t> command_sequence_number;
};

// POST /query-stream (QueryStreamArgs).
struct QueryStreamRequest {
  std::string sql;                                // required
  std::map<std::string, std::string> properties;  // properties (values as text)
  std::map<std::string, std::string> variables;   // sessionVariables
};

// Each returns the parsed request or the ApiError to send.
struct KsqlRequestOrError {
  std::optional<KsqlRequest> request;
  ApiError error;
};
struct QueryStreamRequestOrError {
  std::optional<QueryStreamRequest> request;
  ApiError error;
};
struct CloseQueryRequestOrError {
  std::optional<std::string> query_id;
  ApiError error;
};
KsqlRequestOrError ParseKsqlRequest(std::string_view body);
QueryStreamRequestOrError ParseQueryStreamRequest(std::string_view body);
CloseQueryRequestOrError ParseCloseQueryRequest(std::string_view body);

// ---------------------------------------------------------------------------------------------
// Content negotiation for the streaming endpoints.

enum class StreamFormat {
  kDelimited,  // application/vnd.ksqlapi.delimited.v1: metadata line, then one array per row
  kJsonArray,  // application/json on /query-stream: one JSON array
  kV1,         // application/vnd.ksql.v1+json (and application/json on /query):
               // [{"header":...},\n{"row":...},\n...{"finalMessage":...}]
  kWebSocket,  // /ws/query: one text message each — the fields, {"row":...} per row, and
               // {"error":"done"} (or {"error":"<message>"}) last
};

// Picks the response format from an Accept header value (weighted lists allowed: the highest
// q wins, ties in header order). Absent/empty Accept: kDelimited on /query-stream, kV1 on
// /query. `*/*` gives kDelimited on both (as ksqlDB's RestApiTest asserts). nullopt when no
// listed type is served (the caller answers 404, as ksqlDB does).
std::optional<StreamFormat> NegotiateStreamFormat(std::string_view accept,
                                                  bool legacy_query_endpoint);
std::string_view ContentType(StreamFormat format);

// ---------------------------------------------------------------------------------------------
// Values and rows

// Appends the REST JSON of `v`: numbers, strings and BYTES as the JSON serde writes them
// (Java double text, plain DECIMAL, base64 BYTES); TIMESTAMP as "yyyy-MM-ddTHH:mm:ss.SSS",
// DATE as "yyyy-MM-dd", TIME as LocalTime text, also inside ARRAY, MAP and STRUCT.
void AppendRestValue(const Value& v, const TypePtr& type, std::string& out);

// "[1,\"a\",null]"
std::string RowArrayJson(const std::vector<Value>& columns, const std::vector<TypePtr>& types);

// Header of a push query, for every format.
struct StreamHeader {
  std::string query_id;
  std::vector<std::string> column_names;
  std::vector<TypePtr> column_types;
  std::string schema;  // "`A` STRING, `B` INTEGER" (v1 header)
  // Which columns to mark as KEY in the WebSocket schema message (empty: none).
  std::vector<bool> column_is_key;
};

// How a push query's stream ended.
enum class StreamEnd {
  kLimitReached,  // LIMIT hit
  kCompleted,     // closed by /close-query, TERMINATE or server shutdown; a stream pull ended
  kTablePull,     // a table pull query's rows were all sent: no final message
};

// Produces the response bytes of one push query, one call per chunk. The caller writes each
// returned string as one HTTP chunk (empty strings are to be skipped). Single-owner.
class QueryStreamEncoder {
 public:
  // `final_follows` (v1 only): a final element (finalMessage or errorMessage) is certain to
  // end the stream — push queries and stream pull queries — so each element's line ends with
  // its `,` separator as soon as it is written, and a line-reading client sees every row at once.
  // Otherwise (a table pull, whose rows are all known) the separator precedes each element.
  explicit QueryStreamEncoder(StreamFormat format, bool final_follows = false)
      : format_(format), final_follows_(final_follows && format == StreamFormat::kV1) {}

  std::string Header(const StreamHeader& header);
  // A row; `tombstone` rows are dropped in the delimited and JSON-array formats.
  std::string Row(const std::vector<Value>& columns, const std::vector<TypePtr>& types,
                  bool tombstone);
  // A failure after the header was sent; the stream must end after it (no End()).
  std::string Error(const ApiError& error);
  std::string End(StreamEnd how);

 private:
  StreamFormat format_;
  bool final_follows_;
};

// ---------------------------------------------------------------------------------------------
// Introspection bodies

// {"KsqlServerInfo":{"version":...,"kafkaClusterId":...,"ksqlServiceId":...,"serverStatus":...}}
std::string ServerInfoJson(std::string_view version, std::string_view kafka_cluster_id,
                           std::string_view service_id, std::string_view server_status);
// {"isHealthy":true,"details":{...},"serverState":"READY"}
std::string HealthcheckJson(bool healthy);

// ---------------------------------------------------------------------------------------------
// SQL positions

// Moving a range from a statement onto the whole request is StatementScript's job
// (parser/statement_script.h); RebaseRange is re-exported here for the server's callers.
using ::brook::RebaseRange;

}  // namespace brook::server
