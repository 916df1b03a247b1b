// Unit tests of the REST handlers: a real Engine over the deterministic in-memory broker, a
// fake ResponseWriter, no sockets.
#include "server/rest_service.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"

namespace brook::server {
namespace {

using json = nlohmann::json;

// Records everything a handler writes.
class FakeWriter : public ResponseWriter {
 public:
  bool Send(int status, std::string_view content_type, std::string body,
            const Headers& extra_headers) override {
    this->status = status;
    this->content_type = content_type;
    this->body = std::move(body);
    headers = extra_headers;
    complete = true;
    return true;
  }
  bool BeginChunked(int status, std::string_view content_type) override {
    this->status = status;
    this->content_type = content_type;
    chunked = true;
    return true;
  }
  bool WriteChunk(std::string_view data) override {
    chunks.emplace_back(data);
    body += data;
    if (on_chunk) on_chunk(chunks.size());
    return !closed;
  }
  bool EndChunked() override {
    complete = true;
    return true;
  }
  bool PeerClosed() override { return closed; }

  int status = 0;
  std::string content_type;
  std::string body;
  Headers headers;
  std::vector<std::string> chunks;
  bool chunked = false;
  bool complete = false;
  bool closed = false;
  std::function<void(size_t)> on_chunk;
};

class RestServiceTest : public ::testing::Test {
 protected:
  RestServiceTest() : engine_(broker_, functions_, Options()) {
    RestServiceOptions o;
    o.kafka_cluster_id = "test-cluster";
    o.push_poll = std::chrono::milliseconds(1);
    o.max_push_queries = 2;
    service_ = std::make_unique<RestService>(engine_, o);
  }

  static EngineOptions Options() {
    EngineOptions o;
    o.threaded = false;
    return o;
  }
  static FunctionRegistry& Functions() {
    static FunctionRegistry* registry = [] {
      auto* r = new FunctionRegistry();
      RegisterBuiltinFunctions(*r);
      return r;
    }();
    return *registry;
  }

  FakeWriter Call(const std::string& method, const std::string& path, const std::string& body,
                  const std::string& accept = "") {
    FakeWriter w;
    HttpRequest req{method, path, accept, body};
    service_->Handle(req, w);
    return w;
  }
  FakeWriter Ksql(const std::string& sql) {
    return Call("POST", "/ksql", json({{"ksql", sql}}).dump());
  }
  void CreatePageviews() {
    FakeWriter w = Ksql(
        "CREATE STREAM pageviews (user_id STRING KEY, page STRING, duration INT) WITH "
        "(kafka_topic='pageviews', value_format='JSON', partitions=1);"
        "INSERT INTO pageviews (user_id, page, duration) VALUES ('u1', 'home', 5);"
        "INSERT INTO pageviews (user_id, page, duration) VALUES ('u2', 'cart', 20);"
        "INSERT INTO pageviews (user_id, page, duration) VALUES ('u3', 'about', 30);");
    ASSERT_EQ(w.status, 200) << w.body;
  }

  kafka::InMemoryBroker broker_;
  FunctionRegistry& functions_ = Functions();
  Engine engine_;
  std::unique_ptr<RestService> service_;
};

TEST_F(RestServiceTest, KsqlReturnsEntitiesOfStatementsThatHaveOne) {
  FakeWriter w = Ksql(
      "CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='t', value_format='JSON', "
      "partitions=1); INSERT INTO s (id, v) VALUES (1, 'a'); SET 'auto.offset.reset'='earliest';"
      " SHOW STREAMS;");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.content_type, "application/json");
  json body = json::parse(w.body);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 2u) << w.body;  // INSERT VALUES and SET add nothing
  EXPECT_EQ(body[0]["@type"], "currentStatus");
  EXPECT_EQ(body[0]["commandStatus"]["message"], "Stream created");
  EXPECT_EQ(body[1]["@type"], "streams");
  EXPECT_EQ(body[1]["streams"][0]["name"], "S");
}

TEST_F(RestServiceTest, KsqlEmptyRequestIsEmptyArray) {
  FakeWriter w = Ksql("");
  EXPECT_EQ(w.status, 200);
  EXPECT_EQ(w.body, "[]");
}

TEST_F(RestServiceTest, KsqlSyntaxErrorIsPositionedStatementError) {
  FakeWriter w = Ksql("SHOW STREAMS;\nCREATE STREAM FROM;");
  ASSERT_EQ(w.status, 400) << w.body;
  json body = json::parse(w.body);
  EXPECT_EQ(body["@type"], "statement_error");
  EXPECT_EQ(body["error_code"], 40001);
  EXPECT_EQ(body["statementText"], "CREATE STREAM FROM;");
  EXPECT_EQ(body["message"].get<std::string>().rfind("line 2:", 0), 0u) << body["message"];
  ASSERT_EQ(body["entities"].size(), 1u);
  EXPECT_EQ(body["entities"][0]["@type"], "streams");
  std::string diagnostic = body["diagnostic"];
  EXPECT_NE(diagnostic.find("LINE 2: CREATE STREAM FROM;"), std::string::npos) << diagnostic;
  EXPECT_NE(diagnostic.find('^'), std::string::npos);
}

TEST_F(RestServiceTest, KsqlSemanticErrorKeepsEarlierEntities) {
  FakeWriter w = Ksql(
      "CREATE STREAM a (id INT KEY, v STRING) WITH (kafka_topic='a', value_format='JSON', "
      "partitions=1);\nDESCRIBE missing;");
  ASSERT_EQ(w.status, 400) << w.body;
  json body = json::parse(w.body);
  EXPECT_EQ(body["error_code"], 40001);
  EXPECT_EQ(body["statementText"], "DESCRIBE missing;");
  ASSERT_EQ(body["entities"].size(), 1u);
  EXPECT_EQ(body["entities"][0]["commandStatus"]["message"], "Stream created");
}

TEST_F(RestServiceTest, KsqlRejectsQueriesBeforeRunningAnything) {
  FakeWriter w = Ksql(
      "CREATE STREAM a (id INT KEY) WITH (kafka_topic='a', value_format='JSON', partitions=1);"
      "SELECT * FROM a EMIT CHANGES;");
  ASSERT_EQ(w.status, 400);
  json body = json::parse(w.body);
  EXPECT_EQ(body["error_code"], 40002);
  EXPECT_EQ(body["message"], QueryEndpointMessage());
  EXPECT_EQ(body["statementText"], "SELECT * FROM a EMIT CHANGES;");
  // Nothing ran: the stream does not exist.
  FakeWriter list = Ksql("SHOW STREAMS;");
  EXPECT_EQ(json::parse(list.body)[0]["streams"].size(), 0u) << list.body;
  EXPECT_EQ(json::parse(Ksql("PRINT 'a';").body)["error_code"], 40002);
}

TEST_F(RestServiceTest, KsqlBadJson) {
  FakeWriter w = Call("POST", "/ksql", "{nope");
  EXPECT_EQ(w.status, 400);
  EXPECT_EQ(json::parse(w.body)["error_code"], 40000);
}

TEST_F(RestServiceTest, SessionVariablesAreSubstituted) {
  FakeWriter w =
      Call("POST", "/ksql",
           json({{"ksql",
                  "CREATE STREAM ${name} (id INT KEY) WITH (kafka_topic='v', value_format='JSON', "
                  "partitions=1);"},
                 {"sessionVariables", {{"name", "from_var"}}}})
               .dump());
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(json::parse(w.body)[0]["commandId"], "stream/FROM_VAR/create");

  // A SELECT hidden behind a variable is still recognised (40002 on /ksql) ...
  FakeWriter select = Call("POST", "/ksql",
                           json({{"ksql", "SELECT * FROM ${name} EMIT CHANGES;"},
                                 {"sessionVariables", {{"name", "from_var"}}}})
                               .dump());
  EXPECT_EQ(select.status, 400);
  EXPECT_EQ(json::parse(select.body)["error_code"], 40002);
  // ... and a PRINT behind one runs on /query-stream.
  ASSERT_EQ(Ksql("INSERT INTO from_var (id) VALUES (1);").status, 200);
  FakeWriter print = Call(
      "POST", "/query-stream",
      json({{"sql", "PRINT '${t}' FROM BEGINNING LIMIT 1;"}, {"sessionVariables", {{"t", "v"}}}})
          .dump());
  EXPECT_EQ(print.status, 200) << print.body;
  EXPECT_NE(print.body.find("Key format: KAFKA_INT\n"), std::string::npos) << print.body;
  EXPECT_NE(print.body.find(", key: 1, value: {}, partition: 0"), std::string::npos) << print.body;
}

TEST_F(RestServiceTest, QueryStreamDelimitedWithLimit) {
  CreatePageviews();
  FakeWriter w = Call("POST", "/query-stream",
                      R"({"sql":"SELECT user_id, duration FROM pageviews WHERE duration > 10 )"
                      R"(EMIT CHANGES LIMIT 2;","properties":{"auto.offset.reset":"earliest"}})");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_TRUE(w.chunked);
  EXPECT_TRUE(w.complete);
  EXPECT_EQ(w.content_type, "application/vnd.ksqlapi.delimited.v1");
  ASSERT_EQ(w.chunks.size(), 3u) << w.body;  // one chunk per line
  json header = json::parse(w.chunks[0]);
  EXPECT_EQ(header["queryId"].get<std::string>().rfind("transient_PAGEVIEWS_", 0), 0u);
  EXPECT_EQ(header["columnNames"], json({"USER_ID", "DURATION"}));
  EXPECT_EQ(header["columnTypes"], json({"STRING", "INTEGER"}));
  EXPECT_EQ(w.chunks[1], "[\"u2\",20]\n");
  EXPECT_EQ(w.chunks[2], "[\"u3\",30]\n");
  EXPECT_TRUE(service_->ActivePushQueries().empty());
}

TEST_F(RestServiceTest, QueryStreamJsonArrayAndV1) {
  CreatePageviews();
  const std::string req = R"({"sql":"SELECT page FROM pageviews EMIT CHANGES LIMIT 1;",)"
                          R"("properties":{"auto.offset.reset":"earliest"}})";
  FakeWriter a = Call("POST", "/query-stream", req, "application/json");
  ASSERT_EQ(a.status, 200);
  json arr = json::parse(a.body);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[1], json({"home"}));

  FakeWriter v1 = Call("POST", "/query-stream", req, "application/vnd.ksql.v1+json");
  ASSERT_EQ(v1.status, 200);
  json doc = json::parse(v1.body);
  ASSERT_EQ(doc.size(), 3u) << v1.body;
  EXPECT_EQ(doc[0]["header"]["schema"], "`PAGE` STRING");
  EXPECT_EQ(doc[1]["row"]["columns"], json({"home"}));
  EXPECT_EQ(doc[2]["finalMessage"], "Limit Reached");
}

TEST_F(RestServiceTest, LegacyQueryEndpoint) {
  CreatePageviews();
  FakeWriter w = Call("POST", "/query",
                      R"({"ksql":"SELECT page FROM pageviews EMIT CHANGES LIMIT 2;",)"
                      R"("streamsProperties":{"ksql.streams.auto.offset.reset":"earliest"}})",
                      "application/json");
  ASSERT_EQ(w.status, 200) << w.body;
  json doc = json::parse(w.body);
  ASSERT_EQ(doc.size(), 4u) << w.body;
  EXPECT_EQ(doc[3]["finalMessage"], "Limit Reached");

  FakeWriter empty = Call("POST", "/query", R"({"ksql":""})");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(json::parse(empty.body)["message"], "\"ksql\" field must be populated");

  FakeWriter not_query = Call("POST", "/query", R"({"ksql":"SHOW STREAMS;"})");
  EXPECT_EQ(not_query.status, 400);
  EXPECT_EQ(json::parse(not_query.body)["error_code"], 40000);
}

TEST_F(RestServiceTest, QueryStreamErrorsBeforeStreaming) {
  FakeWriter missing = Call("POST", "/query-stream", R"({"properties":{}})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(json::parse(missing.body)["error_code"], 40000);

  FakeWriter unknown =
      Call("POST", "/query-stream", R"({"sql":"SELECT * FROM nope EMIT CHANGES;"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_FALSE(unknown.chunked);
  json body = json::parse(unknown.body);
  EXPECT_EQ(body["@type"], "statement_error");
  EXPECT_EQ(body["error_code"], 40001);
  EXPECT_EQ(body["statementText"], "SELECT * FROM nope EMIT CHANGES;");

  FakeWriter accept = Call("POST", "/query-stream", R"({"sql":"SELECT 1;"})", "blahblah");
  EXPECT_EQ(accept.status, 404);
}

TEST_F(RestServiceTest, CloseQueryEndsStream) {
  CreatePageviews();
  FakeWriter w;
  std::string closed_status;
  w.on_chunk = [&](size_t n) {
    if (n != 1) return;  // after the header: close it from "another client"
    json header = json::parse(w.chunks[0]);
    FakeWriter c = Call("POST", "/close-query", json({{"queryId", header["queryId"]}}).dump());
    closed_status = std::to_string(c.status) + " " + c.body;
  };
  HttpRequest req{"POST", "/query-stream", "",
                  R"({"sql":"SELECT page FROM pageviews EMIT CHANGES;"})"};
  service_->Handle(req, w);
  EXPECT_EQ(closed_status, "200 ");
  EXPECT_TRUE(w.complete);
  EXPECT_TRUE(service_->ActivePushQueries().empty());

  FakeWriter unknown = Call("POST", "/close-query", R"({"queryId":"WrongId"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body,
            R"({"@type":"generic_error","error_code":40000,"message":"No query with id WrongId"})");
}

TEST_F(RestServiceTest, ClientDisconnectEndsStream) {
  CreatePageviews();
  FakeWriter w;
  w.on_chunk = [&](size_t n) {
    if (n == 2) w.closed = true;
  };
  HttpRequest req{"POST", "/query-stream", "",
                  R"({"sql":"SELECT page FROM pageviews EMIT CHANGES;",)"
                  R"("properties":{"auto.offset.reset":"earliest"}})"};
  service_->Handle(req, w);
  EXPECT_FALSE(w.complete);
  EXPECT_EQ(w.chunks.size(), 2u);
  EXPECT_TRUE(service_->ActivePushQueries().empty());
}

TEST_F(RestServiceTest, ShutdownEndsStreamsAndRejectsRequests) {
  CreatePageviews();
  FakeWriter w;
  w.on_chunk = [&](size_t n) {
    if (n == 1) service_->Shutdown();
  };
  HttpRequest req{"POST", "/query-stream", "application/json",
                  R"({"sql":"SELECT page FROM pageviews EMIT CHANGES;"})"};
  service_->Handle(req, w);
  EXPECT_TRUE(w.complete);
  EXPECT_TRUE(json::accept(w.body)) << w.body;
  EXPECT_TRUE(service_->WaitForStreams(std::chrono::milliseconds(10)));
  FakeWriter after = Ksql("SHOW STREAMS;");
  EXPECT_EQ(after.status, 503);
  EXPECT_EQ(json::parse(after.body)["error_code"], 50303);
  EXPECT_EQ(Call("GET", "/healthcheck", "").status, 503);
}

TEST_F(RestServiceTest, TerminateTransientEndsStream) {
  CreatePageviews();
  FakeWriter w;
  std::string terminate_body;
  w.on_chunk = [&](size_t n) {
    if (n != 1) {
      w.closed = true;  // never hang if TERMINATE did not end the stream
      return;
    }
    json header = json::parse(w.chunks[0]);
    // Back-quoted: the engine matches query ids case-sensitively (ksqlDB does not).
    terminate_body = Ksql("TERMINATE `" + header["queryId"].get<std::string>() + "`;").body;
  };
  HttpRequest req{"POST", "/query-stream", "",
                  R"({"sql":"SELECT page FROM pageviews EMIT CHANGES;"})"};
  service_->Handle(req, w);
  EXPECT_NE(terminate_body.find("terminate_query"), std::string::npos) << terminate_body;
  EXPECT_TRUE(w.complete);
}

TEST_F(RestServiceTest, MaxPushQueries) {
  CreatePageviews();
  // Two streams held open (the limit), the third is refused with 40003.
  FakeWriter third;
  int depth = 0;
  std::function<void(FakeWriter&)> open_nested = [&](FakeWriter& outer) {
    outer.on_chunk = [&, o = &outer](size_t n) {
      if (n != 1) return;
      ++depth;
      if (depth < 2) {
        FakeWriter inner;
        open_nested(inner);
        inner.on_chunk = [&, i = &inner](size_t m) {
          if (m != 1) return;
          HttpRequest req{"POST", "/query-stream", "",
                          R"({"sql":"SELECT page FROM pageviews EMIT CHANGES;"})"};
          service_->Handle(req, third);
          i->closed = true;
        };
        HttpRequest req{"POST", "/query-stream", "",
                        R"({"sql":"SELECT page FROM pageviews EMIT CHANGES;"})"};
        service_->Handle(req, inner);
      }
      o->closed = true;
    };
  };
  FakeWriter first;
  open_nested(first);
  HttpRequest req{"POST", "/query-stream", "",
                  R"({"sql":"SELECT page FROM pageviews EMIT CHANGES;"})"};
  service_->Handle(req, first);
  EXPECT_EQ(third.status, 400) << third.body;
  EXPECT_EQ(json::parse(third.body)["error_code"], 40003);
  EXPECT_TRUE(service_->ActivePushQueries().empty());
}

TEST_F(RestServiceTest, PrintTopic) {
  CreatePageviews();
  FakeWriter w =
      Call("POST", "/query-stream", R"({"sql":"PRINT 'pageviews' FROM BEGINNING LIMIT 2;"})");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_TRUE(w.complete);
  EXPECT_NE(w.body.find("Key format: KAFKA_STRING\nValue format: JSON or KAFKA_STRING\n"),
            std::string::npos)
      << w.body;
  EXPECT_NE(w.body.find(", key: u1, value: {\"PAGE\":\"home\",\"DURATION\":5}, partition: 0\n"),
            std::string::npos)
      << w.body;
  EXPECT_EQ(w.body.find("u3"), std::string::npos);

  FakeWriter json_accept =
      Call("POST", "/query-stream", R"({"sql":"PRINT 'pageviews' LIMIT 1;"})", "application/json");
  EXPECT_EQ(json_accept.status, 406);
  FakeWriter missing = Call("POST", "/query-stream", R"({"sql":"PRINT nope;"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("Could not find topic"), std::string::npos) << missing.body;
}

TEST_F(RestServiceTest, IntrospectionAndRouting) {
  FakeWriter info = Call("GET", "/info", "");
  EXPECT_EQ(info.status, 200);
  json i = json::parse(info.body)["KsqlServerInfo"];
  EXPECT_EQ(i["version"], "0.29.0");
  EXPECT_EQ(i["kafkaClusterId"], "test-cluster");
  EXPECT_EQ(i["serverStatus"], "RUNNING");
  EXPECT_EQ(json::parse(Call("GET", "/healthcheck", "").body)["isHealthy"], true);
  EXPECT_EQ(Call("GET", "/chc/live", "").body, "{}");
  EXPECT_EQ(Call("GET", "/chc/ready", "").body, "{}");
  FakeWriter root = Call("GET", "/", "");
  EXPECT_EQ(root.status, 307);
  ASSERT_EQ(root.headers.size(), 1u);
  EXPECT_EQ(root.headers[0].second, "/info");
  FakeWriter nf = Call("GET", "/nope", "");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.body, "Not Found");
  EXPECT_EQ(Call("GET", "/ksql", "").status, 405);
  EXPECT_EQ(Call("GET", "/is_valid_property/auto.offset.reset", "").body, "true");
}

}  // namespace
// ksqlDB's property rules: SET of a prohibited key, unknown keys, and /is_valid_property.
TEST_F(RestServiceTest, ProhibitedAndUnknownPropertiesAreRefusedEverywhere) {
  FakeWriter set = Ksql("SET 'ksql.service.id'='x';");
  EXPECT_EQ(set.status, 400);
  EXPECT_NE(set.body.find("Cannot override property 'ksql.service.id'"), std::string::npos)
      << set.body;
  FakeWriter unknown = Ksql("SET 'no.such.setting'='1';");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("Not recognizable as ksql, streams, consumer, or producer "
                              "property: 'no.such.setting'"),
            std::string::npos)
      << unknown.body;
  EXPECT_EQ(Ksql("SET 'auto.offset.reset'='earliest';").status, 200);
  FakeWriter in_request =
      Call("POST", "/query-stream", R"({"sql":"SELECT 1;","properties":{"ksql.service.id":"x"}})");
  EXPECT_EQ(in_request.status, 400);
  EXPECT_NE(in_request.body.find("prohibited by the KSQL server"), std::string::npos);
  FakeWriter valid = Call("GET", "/is_valid_property/no.such.setting", "");
  EXPECT_EQ(valid.status, 400);
  EXPECT_NE(valid.body.find("Not recognizable"), std::string::npos) << valid.body;
  EXPECT_EQ(Call("GET", "/is_valid_property/ksql.service.id", "").status, 400);
}

// One request cannot make the server build an unbounded answer: statements per request are
// bounded, and so is the answer.
TEST_F(RestServiceTest, StatementsPerRequestAndAnswerSizeAreBounded) {
  std::string many;
  for (int i = 0; i < 1001; ++i) many += "SHOW STREAMS;";
  FakeWriter w = Ksql(many);
  EXPECT_EQ(w.status, 400);
  EXPECT_NE(w.body.find("at most 1000 statements"), std::string::npos) << w.body.substr(0, 300);
  // 1000 statements are fine while the answer stays small.
  many.clear();
  for (int i = 0; i < 1000; ++i) many += "SHOW STREAMS;";
  EXPECT_EQ(Ksql(many).status, 200);
}

// A client may lower brook.query.pull.max.rows, never raise it past the server's value.
TEST(RestServicePullLimitTest, ARequestCannotRaiseThePullRowBound) {
  kafka::InMemoryBroker broker(1);
  FunctionRegistry functions;
  RegisterBuiltinFunctions(functions);
  EngineOptions o;
  o.threaded = false;
  o.config["brook.query.pull.max.rows"] = "2";
  Engine engine(broker, functions, o);
  RestServiceOptions ro;
  ro.push_poll = std::chrono::milliseconds(1);
  RestService service(engine, ro);
  auto call = [&](const std::string& path, const std::string& body) {
    FakeWriter w;
    HttpRequest req{"POST", path, "", body};
    service.Handle(req, w);
    return w;
  };
  FakeWriter made =
      call("/ksql",
           json({{"ksql",
                  "CREATE TABLE t (id INT PRIMARY KEY, v STRING) WITH (kafka_topic='t', "
                  "value_format='JSON', partitions=1);"
                  "CREATE TABLE q AS SELECT * FROM t;"
                  "INSERT INTO t (id, v) VALUES (1, 'a'); INSERT INTO t (id, v) VALUES (2, 'b');"
                  "INSERT INTO t (id, v) VALUES (3, 'c');"}})
               .dump());
  ASSERT_EQ(made.status, 200) << made.body;
  ASSERT_TRUE(engine.RunUntilIdle().ok());
  FakeWriter raised = call("/query-stream", R"({"sql":"SELECT * FROM q;","properties":)"
                                            R"({"brook.query.pull.max.rows":"1000000000"}})");
  const std::string& all = raised.body;  // chunks are appended to body too
  EXPECT_NE(all.find("brook.query.pull.max.rows"), std::string::npos) << all;
}

TEST_F(RestServiceTest, ShowPropertiesListsEffectiveValuesAndHidesSecrets) {
  FakeWriter w = Call("POST", "/ksql",
                      R"({"ksql":"SHOW PROPERTIES;","streamsProperties":)"
                      R"({"ksql.streams.commit.interval.ms":"500","ksql.my.password":"x"}})");
  ASSERT_EQ(w.status, 200) << w.body;
  json e = json::parse(w.body)[0];
  EXPECT_EQ(e["@type"], "properties");
  std::map<std::string, json> by_name;
  for (const json& p : e["properties"]) by_name[p["name"].get<std::string>()] = p;
  // A documented default, set by nobody.
  ASSERT_TRUE(by_name.count("ksql.streams.cache.max.bytes.buffering")) << w.body;
  EXPECT_EQ(by_name["ksql.streams.cache.max.bytes.buffering"]["value"], "10000000");
  EXPECT_EQ(by_name["ksql.streams.cache.max.bytes.buffering"]["level"], "SERVER");
  EXPECT_EQ(by_name["ksql.streams.cache.max.bytes.buffering"]["scope"], "STREAMS");
  // The session's override.
  EXPECT_EQ(by_name["ksql.streams.commit.interval.ms"]["value"], "500");
  EXPECT_EQ(by_name["ksql.streams.commit.interval.ms"]["level"], "SESSION");
  EXPECT_EQ(e["overwrittenProperties"], json({"ksql.streams.commit.interval.ms"}));
  // Immutable: not editable.
  EXPECT_EQ(by_name["ksql.service.id"]["editable"], false);
  EXPECT_EQ(by_name["ksql.query.pull.table.scan.enabled"]["editable"], true);
  // Secrets never appear.
  EXPECT_FALSE(by_name.count("ksql.my.password"));
  EXPECT_EQ(w.body.find("my.password"), std::string::npos);
  // Defaults are named as such; an overridden key is not among them.
  std::set<std::string> defaults;
  for (const json& d : e["defaultProperties"]) defaults.insert(d.get<std::string>());
  EXPECT_TRUE(defaults.count("ksql.streams.cache.max.bytes.buffering"));
  EXPECT_FALSE(defaults.count("ksql.streams.commit.interval.ms"));
}

TEST_F(RestServiceTest, ShowTopicsExtendedCountsQueryConsumers) {
  CreatePageviews();
  ASSERT_EQ(Ksql("CREATE STREAM long_views AS SELECT * FROM pageviews WHERE duration > 10;").status,
            200);
  FakeWriter w = Ksql("SHOW TOPICS EXTENDED;");
  ASSERT_EQ(w.status, 200) << w.body;
  json e = json::parse(w.body)[0];
  EXPECT_EQ(e["@type"], "kafka_topics_extended");
  std::map<std::string, json> by_name;
  for (const json& t : e["topics"]) by_name[t["name"].get<std::string>()] = t;
  ASSERT_TRUE(by_name.count("pageviews")) << w.body;
  EXPECT_EQ(by_name["pageviews"]["consumerGroupCount"], 1);
  EXPECT_EQ(by_name["pageviews"]["consumerCount"], 1);
  EXPECT_EQ(by_name["LONG_VIEWS"]["consumerGroupCount"], 0);
  // Without EXTENDED: the plain entity, no counts.
  json plain = json::parse(Ksql("SHOW TOPICS;").body)[0];
  EXPECT_EQ(plain["@type"], "kafka_topics");
  EXPECT_FALSE(plain["topics"][0].contains("consumerCount"));
}

TEST_F(RestServiceTest, DescribeFunctionListsOverloads) {
  FakeWriter w = Ksql("DESCRIBE FUNCTION substring;");
  ASSERT_EQ(w.status, 200) << w.body;
  json e = json::parse(w.body)[0];
  EXPECT_EQ(e["@type"], "describe_function");
  EXPECT_EQ(e["type"], "SCALAR");
  std::set<std::string> variants;
  for (const json& f : e["functions"]) {
    std::string sig;
    for (const json& t : f["argumentTypes"]) sig += t.get<std::string>() + ",";
    variants.insert(sig + "->" + f["returnType"].get<std::string>());
    EXPECT_EQ(f["arguments"].size(), f["argumentTypes"].size());
  }
  EXPECT_TRUE(variants.count("VARCHAR,INT,->VARCHAR")) << w.body;
  EXPECT_TRUE(variants.count("VARCHAR,INT,INT,->VARCHAR")) << w.body;
  EXPECT_TRUE(variants.count("BYTES,INT,->BYTES")) << w.body;
  json count = json::parse(Ksql("DESCRIBE FUNCTION COUNT;").body)[0];
  EXPECT_EQ(count["type"], "AGGREGATE");
  json explode = json::parse(Ksql("DESCRIBE FUNCTION EXPLODE;").body)[0];
  EXPECT_EQ(explode["type"], "TABLE");
  FakeWriter missing = Ksql("DESCRIBE FUNCTION NO_SUCH_FN;");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("Can't find any functions with the name 'NO_SUCH_FN'"),
            std::string::npos);
}

TEST_F(RestServiceTest, LimitZeroSendsNoRows) {
  CreatePageviews();
  FakeWriter w = Call("POST", "/query-stream",
                      R"({"sql":"SELECT * FROM pageviews EMIT CHANGES LIMIT 0;",)"
                      R"("properties":{"auto.offset.reset":"earliest"}})");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_TRUE(w.complete);
  ASSERT_EQ(w.chunks.size(), 1u) << w.body;  // the header only
  EXPECT_NE(w.chunks[0].find("queryId"), std::string::npos);
  FakeWriter v1 = Call("POST", "/query",
                       R"({"ksql":"SELECT * FROM pageviews EMIT CHANGES LIMIT 0;",)"
                       R"("streamsProperties":{"auto.offset.reset":"earliest"}})");
  ASSERT_EQ(v1.status, 200) << v1.body;
  json body = json::parse(v1.body);
  ASSERT_EQ(body.size(), 2u) << v1.body;
  EXPECT_TRUE(body[0].contains("header"));
  EXPECT_EQ(body[1]["finalMessage"], "Limit Reached");
}

// The concurrent-pull limit is ksqlDB's rate-limit answer, 429 / 42900, which clients may
// retry; other limits stay statement errors (400).
TEST(RestStatementErrorTest, PullLimitIsTooManyRequests) {
  ApiError pull =
      StatementError(Status(StatusCode::kResourceExhausted,
                            "Host is at maximum concurrent pull queries limit (16, "
                            "ksql.query.pull.max.concurrent.requests). Try again shortly."),
                     "SELECT * FROM t;", "SELECT * FROM t;", {});
  EXPECT_EQ(pull.http_status(), 429);
  EXPECT_EQ(pull.error_code, kTooManyRequests);
  ApiError other =
      StatementError(Status(StatusCode::kResourceExhausted, "too many statements"), "x", "x", {});
  EXPECT_EQ(other.http_status(), 400);
}

}  // namespace brook::server
