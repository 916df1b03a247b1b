// Unit tests of the KsqlEntity rendering of the engine's typed results: the bytes /ksql sends
// for each result kind (keys in sorted order, as brookd has always sent them).
#include "server/ksql_entity.h"

#include <gtest/gtest.h>

namespace brook::server {
namespace {

TEST(KsqlEntityTest, CommandStatusWithoutQuery) {
  CommandStatus s;
  s.statement_text = "CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='s');";
  s.command_id = "stream/S/create";
  s.message = "Stream created";
  s.command_seq = 1;
  EXPECT_EQ(KsqlEntityJson(s),
            R"({"@type":"currentStatus","commandId":"stream/S/create",)"
            R"("commandSequenceNumber":1,"commandStatus":{"message":"Stream created",)"
            R"("queryId":null,"status":"SUCCESS"},)"
            R"("statementText":"CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='s');","warnings":[]})");
}

TEST(KsqlEntityTest, CommandStatusWithQuery) {
  CommandStatus s;
  s.statement_text = "CREATE STREAM O AS SELECT * FROM S;";
  s.command_id = "stream/O/create";
  s.message = "Created query with ID CSAS_O_0";
  s.query_id = "CSAS_O_0";
  s.command_seq = 7;
  nlohmann::json e = ToKsqlEntity(s);
  EXPECT_EQ(e["commandStatus"]["queryId"], "CSAS_O_0");
  EXPECT_EQ(e["commandSequenceNumber"], 7);
}

TEST(KsqlEntityTest, WarningAndTerminate) {
  EXPECT_EQ(KsqlEntityJson(WarningResult{"CREATE STREAM IF NOT EXISTS S (A INT);", "exists"}),
            R"({"@type":"warning_entity","message":"exists",)"
            R"("statementText":"CREATE STREAM IF NOT EXISTS S (A INT);","warnings":[]})");
  EXPECT_EQ(KsqlEntityJson(TerminateResult{"TERMINATE transient_S_1;", "transient_S_1"}),
            R"({"@type":"terminate_query","queryId":"transient_S_1",)"
            R"("statementText":"TERMINATE transient_S_1;","warnings":[],"wasTerminated":true})");
}

TEST(KsqlEntityTest, SourceList) {
  SourceList tables{"SHOW TABLES;", true, {{"T", "t", "KAFKA", "JSON", true}}};
  EXPECT_EQ(KsqlEntityJson(tables),
            R"({"@type":"tables","statementText":"SHOW TABLES;","tables":[{"isWindowed":true,)"
            R"("keyFormat":"KAFKA","name":"T","topic":"t","type":"TABLE","valueFormat":"JSON"}],)"
            R"("warnings":[]})");
  SourceList none{"SHOW STREAMS;", false, {}};
  EXPECT_EQ(KsqlEntityJson(none),
            R"({"@type":"streams","statementText":"SHOW STREAMS;","streams":[],"warnings":[]})");
}

TEST(KsqlEntityTest, SchemaJson) {
  EXPECT_EQ(SchemaJson(SqlType::Decimal(4, 2)).dump(),
            R"({"fields":null,"memberSchema":null,"parameters":{"precision":4,"scale":2},)"
            R"("type":"DECIMAL"})");
  EXPECT_EQ(SchemaJson(SqlType::Array(SqlType::Int())).dump(),
            R"({"fields":null,"memberSchema":{"fields":null,"memberSchema":null,)"
            R"("type":"INTEGER"},"type":"ARRAY"})");
  EXPECT_EQ(SchemaJson(SqlType::Struct({{"A", SqlType::String()}})).dump(),
            R"({"fields":[{"name":"A","schema":{"fields":null,"memberSchema":null,)"
            R"("type":"STRING"}}],"memberSchema":null,"type":"STRUCT"})");
}

TEST(KsqlEntityTest, SourceDescriptionFields) {
  SourceDescription d;
  d.statement_text = "DESCRIBE S;";
  d.source.name = "S";
  d.source.fields = {{"K", SqlType::String(), FieldInfo::Kind::kKey, {}},
                     {"V", SqlType::Int(), FieldInfo::Kind::kValue, {}},
                     {"H", SqlType::Bytes(), FieldInfo::Kind::kHeader, "h"}};
  d.source.window_type = SourceDetails::WindowType::kHopping;
  nlohmann::json e = ToKsqlEntity(d);
  EXPECT_EQ(e["@type"], "sourceDescription");
  const nlohmann::json& s = e["sourceDescription"];
  EXPECT_EQ(s["windowType"], "HOPPING");
  EXPECT_EQ(s["type"], "STREAM");
  EXPECT_EQ(s["fields"][0]["type"], "KEY");
  EXPECT_FALSE(s["fields"][1].contains("type"));
  EXPECT_EQ(s["fields"][2]["type"], "HEADER");
  EXPECT_EQ(s["fields"][2]["headerKey"], "h");
  EXPECT_EQ(s["queryOffsetSummaries"], nlohmann::json::array());
}

TEST(KsqlEntityTest, QueryListMarksPushQueries) {
  RunningQuery push;
  push.id = "transient_S_1";
  push.query_string = "SELECT * FROM S EMIT CHANGES;";
  push.state = "RUNNING";
  push.type = RunningQuery::Type::kPush;
  EXPECT_EQ(KsqlEntityJson(QueryList{"SHOW QUERIES;", {push}}),
            R"({"@type":"queries","queries":[{"id":"transient_S_1",)"
            R"("queryString":"SELECT * FROM S EMIT CHANGES;","queryType":"PUSH",)"
            R"("sinkKafkaTopics":[],"sinks":[],"state":"RUNNING","statusCount":{"RUNNING":1}}],)"
            R"("statementText":"SHOW QUERIES;","warnings":[]})");
}

}  // namespace
}  // namespace brook::server
