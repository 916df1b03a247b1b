// QttRunner::RunRestCase: ksqlDB's REST conformance cases (rest-query-validation-tests), run the
// way ksqlDB's RestTestExecutor runs them, against a RestTarget (rest_target.h): brook's REST
// service in process, or a live brookd over HTTP (`brook-test --rest`):
//   1. the statements before the first SELECT go to POST /ksql as one request;
//   2. the inputs are produced and the persistent queries run until idle;
//   3. each SELECT goes to POST /query (the JSON-array stream format);
//   4. responses are compared as RestTestExecutor compares them: one per statement, only the
//      fields the expectation names, rows of a query as a multiset unless
//      outputConditions.verifyOrder, numbers exactly (10 is not 10.0);
//   5. an expectedError is matched against the first failing request (message substring,
//      status, and statement_error for KsqlStatementErrorMessage); expected output topics too.
#include <future>
#include <map>
#include <string>
#include <vector>

#include "cli/testing/qtt_records.h"
#include "cli/testing/qtt_runner.h"
#include "cli/testing/rest_target.h"
#include "common/ascii.h"
#include "common/java_format.h"
#include "runtime/engine/engine.h"
#include "runtime/kafka/in_memory_broker.h"
#include "server/rest_service.h"

namespace brook::testing {

namespace {

using Node = JsonNode;

// Collects a response. A stream that has sent nothing for kIdlePolls polls counts as closed by
// the client: a push query without LIMIT would otherwise run forever.
class CaptureWriter : public server::ResponseWriter {
 public:
  static constexpr int kIdlePolls = 20;
  bool Send(int status, std::string_view, std::string body, const Headers&) override {
    status_ = status;
    body_ = std::move(body);
    return true;
  }
  bool BeginChunked(int status, std::string_view) override {
    status_ = status;
    return true;
  }
  bool WriteChunk(std::string_view data) override {
    body_.append(data);
    idle_ = 0;
    return true;
  }
  bool EndChunked() override {
    ended_ = true;
    return true;
  }
  bool PeerClosed() override { return ++idle_ > kIdlePolls; }

  int status() const { return status_; }
  // The body; a stream cut off by the idle rule gets its JSON array closed.
  std::string body() const {
    if (ended_ || body_.empty() || body_.front() != '[' || body_.back() == ']') return body_;
    // The v1 format ends each element's line with ",\n" while a final element is due.
    std::string closed = body_;
    while (!closed.empty() && (closed.back() == '\n' || closed.back() == ',')) closed.pop_back();
    return closed + "]";
  }

 private:
  int status_ = 0;
  std::string body_;
  bool ended_ = false;
  int idle_ = 0;
};

// The REST service in process, on the in-memory broker.
class InProcessTarget final : public RestTarget {
 public:
  InProcessTarget(const FunctionRegistry& functions, const TargetOptions& options, const Node& test)
      : broker_(1), opts_(HarnessEngineOptions(options.batch_size, options.plan_json)) {
    CreateDeclaredTopics(test, broker_);
    engine_ = std::make_unique<Engine>(broker_, functions, opts_);
    server::RestServiceOptions rest_options;
    rest_options.service_id = opts_.service_id;
    rest_options.push_poll = std::chrono::milliseconds(5);
    rest_ = std::make_unique<server::RestService>(*engine_, rest_options);
  }

  Result<Response> Post(const std::string& path, const std::string& body,
                        std::chrono::milliseconds) override {
    server::HttpRequest request;
    request.method = "POST";
    request.path = path;
    request.accept = "application/json";
    request.body = body;
    CaptureWriter out;
    rest_->Handle(request, out);
    return Response{out.status(), out.body()};
  }

  Status ProduceInputsAndSettle(const Node& test) override {
    RETURN_IF_ERROR(ProduceInputs(test, *engine_, broker_, /*settle_each=*/false));
    return engine_->RunUntilIdle();
  }

  Result<int> OpenPushQueries() override {
    return static_cast<int>(rest_->ActivePushQueries().size());
  }

  std::optional<std::string> CheckOutputs(const Node& test) override {
    return testing::CheckOutputs(test, *engine_, broker_, /*exact_numbers=*/true);
  }

 private:
  kafka::InMemoryBroker broker_;
  EngineOptions opts_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<server::RestService> rest_;
};

std::string JsonQuote(const std::string& s) {
  std::string out;
  AppendJsonString(s, out);
  return out;
}

std::string RequestBody(const std::string& sql,
                        const std::vector<std::pair<std::string, std::string>>& properties) {
  std::string body = "{\"ksql\":" + JsonQuote(sql) + ",\"streamsProperties\":{";
  for (size_t i = 0; i < properties.size(); ++i) {
    if (i) body += ',';
    body += JsonQuote(properties[i].first) + ":" + JsonQuote(properties[i].second);
  }
  return body + "}}";
}

bool IsQuery(const std::string& sql) {
  size_t i = sql.find_first_not_of(" \t\r\n");
  return i != std::string::npos && AsciiUpper(sql.substr(i, 7)) == "SELECT ";
}

bool IsIntegral(const std::string& text) { return text.find_first_of(".eE") == std::string::npos; }

// Java equality of the numbers Jackson reads (Integer/Long by value, BigDecimal with scale).
bool SameNumber(const std::string& expected, const std::string& actual) {
  if (IsIntegral(expected) != IsIntegral(actual)) return false;
  auto e = ParseDecimal(expected), a = ParseDecimal(actual);
  return e && a && e->unscaled == a->unscaled && e->scale == a->scale;
}

// RestTestExecutor's field matching: every field the expectation names must be there and match;
// fields only the actual response has are ignored; "name|starts_with" matches a prefix.
bool FieldsMatch(const Node& expected, const Node& actual) {
  using T = Node::Type;
  switch (expected.type) {
    case T::kObject: {
      if (actual.type != T::kObject) return false;
      for (const auto& [key, value] : expected.fields) {
        std::string name = key;
        bool prefix = false;
        if (size_t bar = key.find('|'); bar != std::string::npos) {
          name = key.substr(0, bar);
          prefix = key.substr(bar + 1) == "starts_with";
        }
        const Node* a = actual.Get(name);
        if (!a) return false;
        if (prefix) {
          if (a->type != T::kString || value.type != T::kString ||
              a->text.rfind(value.text, 0) != 0) {
            return false;
          }
        } else if (!FieldsMatch(value, *a)) {
          return false;
        }
      }
      return true;
    }
    case T::kArray:
      if (actual.type != T::kArray || actual.items.size() != expected.items.size()) return false;
      for (size_t i = 0; i < expected.items.size(); ++i) {
        if (!FieldsMatch(expected.items[i], actual.items[i])) return false;
      }
      return true;
    case T::kNumber:
      return actual.type == T::kNumber && SameNumber(expected.text, actual.text);
    case T::kString:
      return actual.type == T::kString && actual.text == expected.text;
    case T::kBool:
      return actual.type == T::kBool && actual.boolean == expected.boolean;
    case T::kNull:
      return actual.type == T::kNull;
  }
  return false;
}

// The `columns` of a query response element that is a row, or null.
const Node* RowColumns(const Node& element) {
  const Node* row = element.Get("row");
  return row ? row->Get("columns") : nullptr;
}

// Compares one query response (array of header / row / finalMessage objects).
std::optional<std::string> CompareQuery(const Node& expected, const Node& actual, bool ordered,
                                        const std::string& where) {
  if (actual.type != Node::Type::kArray) return where + "the response is not a JSON array";
  if (expected.items.size() != actual.items.size()) {
    return where + "expected " + std::to_string(expected.items.size()) + " elements but got " +
           std::to_string(actual.items.size()) + ": " + actual.Dump();
  }
  // Rows compare as a multiset unless the order is checked; everything else by position.
  std::vector<const Node*> unmatched;
  for (size_t i = 0; i < expected.items.size(); ++i) {
    const Node& e = expected.items[i];
    const Node& a = actual.items[i];
    if (!ordered && RowColumns(e)) {
      unmatched.push_back(RowColumns(e));
      if (!RowColumns(a)) return where + "element " + std::to_string(i) + " is not a row";
      continue;
    }
    if (!FieldsMatch(e, a)) {
      return where + "element " + std::to_string(i) + " expected " + e.Dump() + " but was " +
             a.Dump();
    }
  }
  if (!ordered) {
    for (const Node& a : actual.items) {
      const Node* columns = RowColumns(a);
      if (!columns) continue;
      auto it = std::find_if(unmatched.begin(), unmatched.end(),
                             [&](const Node* e) { return FieldsMatch(*e, *columns); });
      if (it == unmatched.end()) {
        return where + "unexpected row " + columns->Dump() + " in " + actual.Dump();
      }
      unmatched.erase(it);
    }
  }
  return std::nullopt;
}

// Matches a failed request against the case's expectedError.
std::optional<std::string> CompareError(const Node& expected, int status, const Node& body) {
  if (const Node* s = expected.Get("status")) {
    if (std::atoi(s->text.c_str()) != status) {
      return "error status expected " + s->text + " but was " + std::to_string(status) + ": " +
             body.Dump();
    }
  }
  const Node* message = body.Get("message");
  if (const Node* m = expected.Get("message")) {
    if (!message || message->text.find(m->text) == std::string::npos) {
      return "error expected to contain \"" + m->text + "\" but was: " + body.Dump();
    }
  }
  if (const Node* t = expected.Get("type")) {
    const Node* type = body.Get("@type");
    bool statement = t->text.find("KsqlStatementErrorMessage") != std::string::npos;
    if (statement && (!type || type->text != "statement_error")) {
      return "expected a statement error but got: " + body.Dump();
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<RestTarget>> NewInProcessTarget(const FunctionRegistry& functions,
                                                       const TargetOptions& options,
                                                       const Node& test) {
  return std::unique_ptr<RestTarget>(new InProcessTarget(functions, options, test));
}

CaseResult QttRunner::RunRestCase(
    const std::string& name, const Node& test, const std::vector<std::string>& statements,
    const std::vector<std::pair<std::string, std::string>>& properties) {
  CaseResult res;
  res.name = name;
  auto fail = [&](std::string why) {
    res.outcome = CaseResult::Outcome::kFailed;
    res.detail = std::move(why);
    return res;
  };
  const Node* expected_error = test.Get("expectedError");
  const Node* responses = test.Get("responses");
  size_t first_query = 0;
  while (first_query < statements.size() && !IsQuery(statements[first_query])) ++first_query;
  for (size_t i = first_query; i < statements.size(); ++i) {
    if (!IsQuery(statements[i])) return fail("a statement follows the queries");
  }
  std::string script;
  for (size_t i = 0; i < first_query; ++i) script += (i ? "\n" : "") + statements[i];
  TargetOptions target_options;
  target_options.batch_size = options_.batch_size;
  target_options.plan_json = options_.plan_json;
  target_options.brookd = options_.brookd;
  Result<std::unique_ptr<RestTarget>> made =
      options_.brookd.empty() ? NewInProcessTarget(functions_, target_options, test)
                              : NewLiveTarget(functions_, target_options, test, script, properties);
  if (!made.ok()) return fail("cannot start the server: " + made.status().ToString());
  RestTarget& target = **made;
  auto post = [&](const std::string& path, const std::string& sql, int& status) -> Result<Node> {
    ASSIGN_OR_RETURN(RestTarget::Response r, target.Post(path, RequestBody(sql, properties)));
    status = r.status;
    return ParseJsonText(r.body);
  };
  // 1. The statements before the first query, as one request.
  std::vector<Node> actual;  // one per statement: the entity, or the query response
  if (first_query > 0) {
    int status = 0;
    auto body = post("/ksql", script, status);
    if (!body.ok()) return fail("/ksql answered with invalid JSON: " + body.status().message());
    if (status != 200) {
      if (!expected_error) return fail("statements failed: " + body->Dump());
      if (auto why = CompareError(*expected_error, status, *body)) return fail(*why);
      return res;
    }
    for (const Node& entity : body->items) {
      Node wrapped;
      wrapped.type = Node::Type::kObject;
      wrapped.fields.emplace_back("admin", entity);
      actual.push_back(std::move(wrapped));
    }
  }
  // 2. Inputs, then every persistent query catches up. With waitForActivePushQuery the first
  // query is started first (on its own thread, as a client would) and the inputs are produced
  // once the server has it running (a push query from "latest" sees only later records).
  const Node* conditions = test.Get("inputConditions");
  const Node* wait_for_push = conditions ? conditions->Get("waitForActivePushQuery") : nullptr;
  const bool push_first = wait_for_push && wait_for_push->type == Node::Type::kBool &&
                          wait_for_push->boolean && first_query < statements.size();
  std::future<Result<RestTarget::Response>> first_response;
  if (push_first) {
    first_response = std::async(std::launch::async, [&] {
      // Its rows come only after the inputs, which wait for the persistent queries to start.
      return target.Post("/query", RequestBody(statements[first_query], properties),
                         std::chrono::seconds(20));
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline &&
           first_response.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
      Result<int> open = target.OpenPushQueries();
      if (open.ok() && *open > 0) break;
    }
  }
  if (Status in = target.ProduceInputsAndSettle(test); !in.ok()) {
    if (push_first) first_response.wait();
    return fail("inputs: " + in.ToString());
  }
  // 3. The queries.
  for (size_t i = first_query; i < statements.size(); ++i) {
    int status = 0;
    Result<Node> body = Internal("unset");
    if (push_first && i == first_query) {
      Result<RestTarget::Response> r = first_response.get();
      if (!r.ok()) return fail("/query failed: " + r.status().ToString());
      status = r->status;
      body = ParseJsonText(r->body);
    } else {
      body = post("/query", statements[i], status);
    }
    if (!body.ok()) return fail("/query answered with invalid JSON: " + body.status().message());
    if (status != 200) {
      if (!expected_error) return fail("query failed: " + body->Dump());
      if (auto why = CompareError(*expected_error, status, *body)) return fail(*why);
      return res;
    }
    Node wrapped;
    wrapped.type = Node::Type::kObject;
    wrapped.fields.emplace_back("query", std::move(body).value());
    actual.push_back(std::move(wrapped));
  }
  if (expected_error) {
    return fail("expected an error containing \"" +
                (expected_error->Get("message") ? expected_error->Get("message")->text : "") +
                "\" but every statement succeeded");
  }
  // 4. Responses.
  bool ordered = false;
  if (const Node* oc = test.Get("outputConditions")) {
    if (const Node* v = oc->Get("verifyOrder"))
      ordered = v->type == Node::Type::kBool && v->boolean;
  }
  if (responses) {
    if (responses->items.size() > actual.size()) {
      return fail("expected " + std::to_string(responses->items.size()) + " responses but got " +
                  std::to_string(actual.size()));
    }
    for (size_t i = 0; i < responses->items.size(); ++i) {
      const Node& e = responses->items[i];
      std::string where = "response " + std::to_string(i) + ": ";
      if (const Node* q = e.Get("query")) {
        const Node* a = actual[i].Get("query");
        if (!a) return fail(where + "expected a query response but got " + actual[i].Dump());
        if (auto why = CompareQuery(*q, *a, ordered, where)) return fail(*why);
      } else if (const Node* admin = e.Get("admin")) {
        const Node* a = actual[i].Get("admin");
        if (!a || !FieldsMatch(*admin, *a)) {
          return fail(where + "expected " + e.Dump() + " but got " + actual[i].Dump());
        }
      }
    }
  }
  if (auto why = target.CheckOutputs(test)) return fail(*why);
  return res;
}

}  // namespace brook::testing
