// Unit tests of the REST wire format: request parsing, error bodies, value and row JSON,
// content negotiation and the three push-query stream formats.
#include "server/rest_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/print_topic.h"

namespace brook::server {
namespace {

using json = nlohmann::json;

TEST(RestApiErrorTest, GenericBody) {
  ApiError e = ApiError::Generic(kBadRequest, "No query with id WrongId");
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_EQ(e.ToJson(),
            R"({"@type":"generic_error","error_code":40000,"message":"No query with id WrongId"})");
}

TEST(RestApiErrorTest, StatementErrorBodyKeepsFieldOrder) {
  ApiError e;
  e.error_code = kBadStatement;
  e.statement_error = true;
  e.message = "line 1:15: Syntax error";
  e.statement_text = "SELECT * FROM;";
  e.entities = {R"({"@type":"currentStatus"})"};
  e.diagnostic = "line 1:15: Syntax error\nLINE 1: SELECT * FROM;\n                     ^";
  EXPECT_EQ(
      e.ToJson(),
      R"({"@type":"statement_error","error_code":40001,"message":"line 1:15: Syntax error",)"
      R"("statementText":"SELECT * FROM;","entities":[{"@type":"currentStatus"}],)"
      R"("diagnostic":"line 1:15: Syntax error\nLINE 1: SELECT * FROM;\n                     ^"})");
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_EQ(ApiError::Generic(kServerShuttingDown, "x").http_status(), 503);
}

TEST(RestApiErrorTest, InvalidUtf8NeverThrows) {
  ApiError e = ApiError::Generic(kBadRequest, std::string("bad \xff byte"));
  std::string body = e.ToJson();
  EXPECT_TRUE(json::accept(body)) << body;
}

// Overrides are checked as ksqlDB checks them, before anything of the request runs.
TEST(RestRequestTest, ProhibitedAndUnknownPropertyOverridesAreRefused) {
  auto prohibited =
      ParseKsqlRequest(R"({"ksql":"SHOW STREAMS;","streamsProperties":{"ksql.service.id":"x",)"
                       R"("bootstrap.servers":"evil:9092"}})");
  ASSERT_FALSE(prohibited.request.has_value());
  EXPECT_NE(prohibited.error.ToJson().find(
                "One or more properties overrides set locally are prohibited by the KSQL server "
                "(use UNSET to reset their default value): [bootstrap.servers, ksql.service.id]"),
            std::string::npos)
      << prohibited.error.ToJson();
  auto unknown = ParseQueryStreamRequest(R"({"sql":"SELECT 1;","properties":{"no.such":"1"}})");
  ASSERT_FALSE(unknown.request.has_value());
  EXPECT_NE(unknown.error.ToJson().find(
                "Not recognizable as ksql, streams, consumer, or producer property: 'no.such'"),
            std::string::npos);
  auto bad_value = ParseKsqlRequest(
      R"({"ksql":"SHOW STREAMS;","streamsProperties":{"auto.offset.reset":"sometimes"}})");
  ASSERT_FALSE(bad_value.request.has_value());
  auto fine = ParseKsqlRequest(
      R"({"ksql":"SHOW STREAMS;","streamsProperties":{"auto.offset.reset":"earliest",)"
      R"("consumer.max.poll.records":"10","ksql.streams.num.stream.threads":"2"}})");
  EXPECT_TRUE(fine.request.has_value()) << fine.error.ToJson();
}

TEST(RestRequestTest, KsqlRequestIgnoresUnknownFieldsAndStringifiesProperties) {
  auto r = ParseKsqlRequest(
      R"({"ksql":"SHOW STREAMS;","streamsProperties":{"ksql.streams.auto.offset.reset":"earliest",)"
      R"("ksql.sink.partitions":2,"ksql.some.flag":true},"sessionVariables":{"name":"v"},)"
      R"("commandSequenceNumber":10,"requestProperties":{},"somethingNew":[1,2]})");
  ASSERT_TRUE(r.request.has_value()) << r.error.ToJson();
  EXPECT_EQ(r.request->ksql, "SHOW STREAMS;");
  EXPECT_EQ(r.request->properties.at("ksql.streams.auto.offset.reset"), "earliest");
  EXPECT_EQ(r.request->properties.at("ksql.sink.partitions"), "2");
  EXPECT_EQ(r.request->properties.at("ksql.some.flag"), "true");
  EXPECT_EQ(r.request->variables.at("name"), "v");
  EXPECT_EQ(r.request->command_sequence_number, 10);
}

TEST(RestRequestTest, KsqlRequestMissingKsqlIsEmpty) {
  auto r = ParseKsqlRequest(R"({"streamsProperties":null})");
  ASSERT_TRUE(r.request.has_value());
  EXPECT_EQ(r.request->ksql, "");
}

TEST(RestRequestTest, MalformedBodies) {
  auto r = ParseKsqlRequest("{not json");
  ASSERT_FALSE(r.request.has_value());
  EXPECT_EQ(r.error.error_code, kBadRequest);
  EXPECT_EQ(r.error.message.rfind("Invalid JSON in request", 0), 0u);
  EXPECT_FALSE(ParseKsqlRequest("[1]").request.has_value());
  EXPECT_FALSE(ParseKsqlRequest(R"({"ksql":5})").request.has_value());
  EXPECT_FALSE(ParseKsqlRequest(R"({"ksql":"x","streamsProperties":"no"})").request.has_value());
}

TEST(RestRequestTest, QueryStreamRequest) {
  auto r = ParseQueryStreamRequest(
      R"({"sql":"SELECT * FROM s EMIT CHANGES;","properties":{"auto.offset.reset":"earliest"},)"
      R"("streamsProperties":{"ignored":"yes"}})");
  ASSERT_TRUE(r.request.has_value());
  EXPECT_EQ(r.request->sql, "SELECT * FROM s EMIT CHANGES;");
  EXPECT_EQ(r.request->properties.size(), 1u);
  EXPECT_EQ(r.request->properties.at("auto.offset.reset"), "earliest");

  auto missing = ParseQueryStreamRequest(R"({"properties":{}})");
  ASSERT_FALSE(missing.request.has_value());
  EXPECT_EQ(missing.error.ToJson(),
            R"({"@type":"generic_error","error_code":40000,"message":"Invalid JSON in request: )"
            R"x(Missing required creator property 'sql' (index 0)"})x");
}

TEST(RestRequestTest, CloseQueryRequest) {
  auto r = ParseCloseQueryRequest(R"({"queryId":"transient_S_1"})");
  ASSERT_TRUE(r.query_id.has_value());
  EXPECT_EQ(*r.query_id, "transient_S_1");
  EXPECT_FALSE(ParseCloseQueryRequest("{}").query_id.has_value());
}

TEST(RestNegotiationTest, Defaults) {
  EXPECT_EQ(NegotiateStreamFormat("", false), StreamFormat::kDelimited);
  EXPECT_EQ(NegotiateStreamFormat("", true), StreamFormat::kV1);
  EXPECT_EQ(NegotiateStreamFormat("*/*", false), StreamFormat::kDelimited);
  EXPECT_EQ(NegotiateStreamFormat("*/*", true), StreamFormat::kDelimited);
}

TEST(RestNegotiationTest, ExplicitTypes) {
  EXPECT_EQ(NegotiateStreamFormat("application/json", false), StreamFormat::kJsonArray);
  EXPECT_EQ(NegotiateStreamFormat("application/json", true), StreamFormat::kV1);
  EXPECT_EQ(NegotiateStreamFormat("application/vnd.ksql.v1+json", false), StreamFormat::kV1);
  EXPECT_EQ(NegotiateStreamFormat("application/vnd.ksqlapi.delimited.v1", true),
            StreamFormat::kDelimited);
  EXPECT_EQ(NegotiateStreamFormat("blahblah", false), std::nullopt);
  EXPECT_EQ(NegotiateStreamFormat("application/vnd.ksql.v1+protobuf", false), std::nullopt);
}

TEST(RestNegotiationTest, WeightedLists) {
  EXPECT_EQ(
      NegotiateStreamFormat("application/vnd.ksql.v1+json; q=0.9, application/json; q=0.5", false),
      StreamFormat::kV1);
  EXPECT_EQ(NegotiateStreamFormat("application/vnd.ksql.v1+json;q=0.1, application/json", false),
            StreamFormat::kJsonArray);
  EXPECT_EQ(NegotiateStreamFormat("text/html, application/json", false), StreamFormat::kJsonArray);
  EXPECT_EQ(ContentType(StreamFormat::kDelimited), kDelimitedMediaType);
  EXPECT_EQ(ContentType(StreamFormat::kJsonArray), kJsonMediaType);
  EXPECT_EQ(ContentType(StreamFormat::kV1), kJsonMediaType);
}

std::string Rest(const Value& v, const TypePtr& t) {
  std::string out;
  AppendRestValue(v, t, out);
  return out;
}

TEST(RestValueJsonTest, Scalars) {
  EXPECT_EQ(Rest(Value::Null(), SqlType::String()), "null");
  EXPECT_EQ(Rest(Value::Int(7), SqlType::Int()), "7");
  EXPECT_EQ(Rest(Value::Bigint(-9), SqlType::Bigint()), "-9");
  EXPECT_EQ(Rest(Value::Bool(true), SqlType::Boolean()), "true");
  EXPECT_EQ(Rest(Value::Double(1.0), SqlType::Double()), "1.0");
  EXPECT_EQ(Rest(Value::Decimal(111, 2), SqlType::Decimal(4, 2)), "1.11");
  EXPECT_EQ(Rest(Value::String("a\"b"), SqlType::String()), R"("a\"b")");
  EXPECT_EQ(Rest(Value::Bytes(std::string("\x01", 1)), SqlType::Bytes()), R"("AQ==")");
}

TEST(RestValueJsonTest, TemporalTypesAsText) {
  EXPECT_EQ(Rest(Value::Timestamp(1), SqlType::Timestamp()), R"("1970-01-01T00:00:00.001")");
  EXPECT_EQ(Rest(Value::Date(1), SqlType::Date()), R"("1970-01-02")");
  EXPECT_EQ(Rest(Value::Time(45296000), SqlType::Time()), R"("12:34:56")");
}

TEST(RestValueJsonTest, NestedTemporalValues) {
  TypePtr st = SqlType::Struct({{"D", SqlType::Date()}, {"TS", SqlType::Timestamp()}});
  TypePtr arr = SqlType::Array(st);
  Value s = Value::Struct({Value::Date(0), Value::Timestamp(0)});
  EXPECT_EQ(Rest(Value::Array({s, Value::Null()}), arr),
            R"([{"D":"1970-01-01","TS":"1970-01-01T00:00:00.000"},null])");
  TypePtr map = SqlType::Map(SqlType::String(), SqlType::Array(SqlType::Date()));
  EXPECT_EQ(Rest(Value::Map({Value::String("k"), Value::Array({Value::Date(2)})}), map),
            R"({"k":["1970-01-03"]})");
}

TEST(RestRowJsonTest, Array) {
  EXPECT_EQ(RowArrayJson({Value::String("x"), Value::Null(), Value::Bigint(3)},
                         {SqlType::String(), SqlType::Int(), SqlType::Bigint()}),
            R"(["x",null,3])");
}

StreamHeader TestHeader() {
  StreamHeader h;
  h.query_id = "transient_S_1";
  h.column_names = {"ID", "NAME"};
  h.column_types = {SqlType::Int(), SqlType::Array(SqlType::String())};
  h.schema = "`ID` INTEGER, `NAME` ARRAY<STRING>";
  return h;
}

TEST(RestStreamEncoderTest, Delimited) {
  QueryStreamEncoder enc(StreamFormat::kDelimited);
  StreamHeader h = TestHeader();
  EXPECT_EQ(enc.Header(h), R"({"queryId":"transient_S_1","columnNames":["ID","NAME"],)"
                           R"("columnTypes":["INTEGER","ARRAY<STRING>"]})"
                           "\n");
  EXPECT_EQ(enc.Row({Value::Int(1), Value::Array({Value::String("a")})}, h.column_types, false),
            "[1,[\"a\"]]\n");
  EXPECT_EQ(enc.Row({Value::Int(1), Value::Null()}, h.column_types, true), "");
  EXPECT_EQ(enc.End(StreamEnd::kLimitReached), "");
  EXPECT_EQ(enc.Error(ApiError::Generic(kServerError, "boom")),
            R"({"@type":"generic_error","error_code":50000,"message":"boom"})"
            "\n");
}

TEST(RestStreamEncoderTest, JsonArrayIsOneDocument) {
  QueryStreamEncoder enc(StreamFormat::kJsonArray);
  StreamHeader h = TestHeader();
  std::string body = enc.Header(h);
  body += enc.Row({Value::Int(1), Value::Null()}, h.column_types, false);
  body += enc.Row({Value::Int(2), Value::Null()}, h.column_types, true);  // dropped
  body += enc.Row({Value::Int(3), Value::Null()}, h.column_types, false);
  body += enc.End(StreamEnd::kLimitReached);
  EXPECT_EQ(body, R"([{"queryId":"transient_S_1","columnNames":["ID","NAME"],)"
                  R"("columnTypes":["INTEGER","ARRAY<STRING>"]},[1,null],[3,null]])");
  EXPECT_TRUE(json::accept(body));
}

TEST(RestStreamEncoderTest, V1Framing) {
  QueryStreamEncoder enc(StreamFormat::kV1);
  StreamHeader h = TestHeader();
  std::string body = enc.Header(h);
  body += enc.Row({Value::Int(1), Value::Null()}, h.column_types, false);
  body += enc.Row({Value::Int(2), Value::Null()}, h.column_types, true);
  body += enc.End(StreamEnd::kLimitReached);
  EXPECT_EQ(body,
            "[{\"header\":{\"queryId\":\"transient_S_1\",\"schema\":\"`ID` INTEGER, `NAME` "
            "ARRAY<STRING>\"}},\n"
            "{\"row\":{\"columns\":[1,null]}},\n"
            "{\"row\":{\"columns\":[2,null],\"tombstone\":true}},\n"
            "{\"finalMessage\":\"Limit Reached\"}]\n");
  EXPECT_TRUE(json::accept(body));
  EXPECT_EQ(enc.End(StreamEnd::kCompleted), ",\n{\"finalMessage\":\"Query Completed\"}]\n");
  EXPECT_EQ(enc.End(StreamEnd::kTablePull), "]\n");
  std::string err = enc.Header(h) + enc.Error(ApiError::Generic(kServerError, "boom"));
  EXPECT_TRUE(json::accept(err)) << err;
  EXPECT_NE(err.find(R"({"errorMessage":{"@type":"generic_error")"), std::string::npos);
}

// Push queries (a final element always follows): each element's line ends with its separator
// when it is written, so a client reading lines sees a row as soon as it is sent.
TEST(RestStreamEncoderTest, V1LinesEndAsSoonAsARowIsWrittenWhenAFinalElementFollows) {
  QueryStreamEncoder enc(StreamFormat::kV1, /*final_follows=*/true);
  StreamHeader h = TestHeader();
  std::string header = enc.Header(h);
  std::string row = enc.Row({Value::Int(1), Value::Null()}, h.column_types, false);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(row, "{\"row\":{\"columns\":[1,null]}},\n");
  std::string body = header + row + enc.End(StreamEnd::kLimitReached);
  EXPECT_EQ(body.substr(body.size() - 2), "]\n");
  EXPECT_TRUE(json::accept(body)) << body;
  std::string failed = enc.Header(h) + row + enc.Error(ApiError::Generic(kServerError, "boom"));
  EXPECT_TRUE(json::accept(failed)) << failed;
  // Without rows.
  EXPECT_TRUE(json::accept(enc.Header(h) + enc.End(StreamEnd::kCompleted)));
}

TEST(RestIntrospectionTest, InfoAndHealth) {
  EXPECT_EQ(ServerInfoJson("0.29.0", "cid", "default_", "RUNNING"),
            R"({"KsqlServerInfo":{"version":"0.29.0","kafkaClusterId":"cid",)"
            R"("ksqlServiceId":"default_","serverStatus":"RUNNING"}})");
  EXPECT_EQ(HealthcheckJson(true),
            R"({"isHealthy":true,"details":{"metastore":{"isHealthy":true},)"
            R"("kafka":{"isHealthy":true},"commandRunner":{"isHealthy":true}},)"
            R"("serverState":"READY"})");
}

TEST(RestRebaseTest, MovesRangeOntoScript) {
  const std::string script = "SHOW STREAMS;\nSELECT * FROM;";
  SourceRange r;
  r.line = 1;
  r.column = 13;  // ';' within "SELECT * FROM;"
  r.begin = 13;
  r.end = 14;
  SourceRange moved = RebaseRange(r, script, 14);  // the 2nd statement starts after '\n'
  EXPECT_EQ(moved.line, 2);
  EXPECT_EQ(moved.column, 13);
  EXPECT_EQ(moved.begin, 27u);
  EXPECT_EQ(script[moved.begin], ';');

  SourceRange same_line = RebaseRange(r, "SHOW STREAMS; SELECT * FROM;", 14);
  EXPECT_EQ(same_line.line, 1);
  EXPECT_EQ(same_line.column, 27);
  EXPECT_FALSE(RebaseRange(SourceRange{}, script, 5).valid());
}

TEST(RestPrintTest, RecordLine) {
  kafka::RecordView r;
  r.partition = 3;
  r.timestamp = 1669915322556;  // 2022-12-01T17:22:02.556Z
  r.key = std::string_view("18");
  r.value = std::string_view(R"({"a":1})");
  EXPECT_EQ(FormatPrintRecord(r),
            R"(rowtime: 2022/12/01 17:22:02.556 Z, key: 18, value: {"a":1}, partition: 3)");
  r.timestamp = -1;
  r.key.reset();
  r.value = std::string_view("\x01\x02", 2);
  EXPECT_EQ(FormatPrintRecord(r), "rowtime: N/A, key: <null>, value: AQI=, partition: 3");
}

TEST(RestPrintTest, FormatDetection) {
  EXPECT_EQ(DetectPrintFormat(R"({"a":1})"), "JSON or KAFKA_STRING");
  EXPECT_EQ(DetectPrintFormat("[1,2]"), "JSON or KAFKA_STRING");
  EXPECT_EQ(DetectPrintFormat("{not json"), "KAFKA_STRING");
  EXPECT_EQ(DetectPrintFormat("18"), "KAFKA_STRING");
  EXPECT_EQ(DetectPrintFormat(std::string_view("\xff\x00", 2)), "BYTES");
  EXPECT_EQ(DetectPrintFormat(std::string_view("\0\0\0\x01", 4)), "KAFKA_INT");
  EXPECT_EQ(DetectPrintFormat(std::string_view("\0\0\0\0\0\0\0\x01", 8)),
            "KAFKA_BIGINT or KAFKA_DOUBLE");
}

}  // namespace
}  // namespace brook::server
