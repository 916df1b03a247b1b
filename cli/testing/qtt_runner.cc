#include "cli/testing/qtt_runner.h"

#include <atomic>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "cli/testing/qtt_records.h"
#include "common/ascii.h"
#include "common/base64.h"
#include "common/diagnostic.h"
#include "common/java_format.h"
#include "common/value_cast.h"
#include "parser/parser.h"
#include "planner/analyzer/expression_binder.h"
#include "runtime/engine/engine.h"
#include "runtime/kafka/in_memory_broker.h"
#include "runtime/serde/serde.h"

namespace brook::testing {

namespace {

using Node = JsonNode;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  size_t p = 0;
  while ((p = s.find(from, p)) != std::string::npos) {
    s.replace(p, from.size(), to);
    p += to.size();
  }
  return s;
}

bool IsSupportedFormat(const std::string& f) {
  return f == "JSON" || f == "KAFKA" || f == "DELIMITED" || f == "NONE";
}

}  // namespace

CaseResult QttRunner::RunCase(const std::string& name, const Node& test,
                              const std::vector<std::string>& statements,
                              const std::vector<std::pair<std::string, std::string>>& properties) {
  CaseResult res;
  res.name = name;
  auto fail = [&](std::string why) {
    res.outcome = CaseResult::Outcome::kFailed;
    res.detail = std::move(why);
    return res;
  };
  kafka::InMemoryBroker broker(1);
  EngineOptions opts = HarnessEngineOptions(options_.batch_size, options_.plan_json);
  bool exact_numbers = true;
  for (const auto& [k, v] : properties) {
    if (k == "use.exact.numeric.comparison") {
      exact_numbers = v != "false";
      continue;
    }
    opts.config[k] = v;
  }
  CreateDeclaredTopics(test, broker);
  Engine engine(broker, functions_, opts);
  SessionState session;
  const Node* expected_exc = test.Get("expectedException");
  // ksqlDB's harness runs the statements as one script, one per line, so error positions
  // count lines across statements.
  std::string script;
  for (const std::string& sql : statements) script += (script.empty() ? "" : "\n") + sql;
  {
    const std::string& sql = script;
    auto r = engine.ExecuteScript(sql, session);
    if (!r.ok()) {
      if (expected_exc) {
        const Node* msg = expected_exc->Get("message");
        std::string text = PositionedMessage(r.status());
        if (msg && text.find(msg->text) == std::string::npos &&
            r.status().message().find(msg->text) == std::string::npos) {
          return fail("expected error containing \"" + msg->text + "\" but got: " + text);
        }
        if (auto why = ExceptionTypeMismatch(*expected_exc, r.status())) return fail(*why);
        return res;
      }
      return fail("statement failed: " + RenderDiagnostic(r.status(), sql));
    }
  }
  // Inputs, piped one by one.
  if (Status in = ProduceInputs(test, engine, broker, /*settle_each=*/true); !in.ok()) {
    return fail(in.code() == StatusCode::kInvalidArgument ? in.message()
                                                          : "query failed: " + in.ToString());
  }
  Status st = engine.RunUntilIdle();
  if (!st.ok()) return fail("query failed: " + st.ToString());
  if (expected_exc) {
    const Node* msg = expected_exc->Get("message");
    return fail("expected an error" + (msg ? " containing \"" + msg->text + "\"" : std::string()) +
                " but every statement succeeded");
  }
  if (auto why = CheckOutputs(test, engine, broker, exact_numbers)) return fail(*why);
  return res;
}

void QttRunner::RunFile(const std::string& path, std::vector<CaseResult>& results) {
  std::string stem = path.substr(path.find_last_of('/') + 1);
  if (stem.size() > 5 && stem.substr(stem.size() - 5) == ".json") stem.resize(stem.size() - 5);
  auto doc = ParseJsonText(ReadFile(path));
  if (!doc.ok()) {
    results.push_back({stem, CaseResult::Outcome::kFailed, "cannot parse file: " + doc.status().message()});
    return;
  }
  const Node* tests = doc->Get("tests");
  if (!tests) return;
  // Live REST cases wait on brookd processes more than they compute: they run options_.jobs at
  // a time, each with its own brookd and broker; results keep the file's order.
  std::vector<std::function<CaseResult()>> live;
  std::vector<size_t> live_slots;
  for (const Node& test : tests->items) {
    const Node* name_node = test.Get("name");
    std::string base = stem + " - " + (name_node ? name_node->text : "?");
    std::vector<std::string> formats;
    if (const Node* f = test.Get("format")) {
      for (const Node& x : f->items) formats.push_back(x.text);
    }
    std::vector<std::string> configs;
    std::string config_key;
    std::vector<std::pair<std::string, std::string>> props;
    if (const Node* p = test.Get("properties")) {
      for (const auto& [k, v] : p->fields) {
        std::string val = v.type == Node::Type::kString ? v.text : v.Dump();
        if (val == "{CONFIG}") config_key = k;
        props.emplace_back(k, val);
      }
    }
    if (const Node* c = test.Get("config")) {
      for (const Node& x : c->items) configs.push_back(x.type == Node::Type::kString ? x.text : x.Dump());
    }
    if (formats.empty()) formats.push_back("");
    if (configs.empty()) configs.push_back("");
    for (const std::string& format : formats) {
      for (const std::string& config : configs) {
        std::string name = base + (format.empty() ? "" : " - " + format) +
                           (config.empty() ? "" : " - " + config_key + "=" + config);
        if (options_.filter && !std::regex_search(name, *options_.filter)) continue;
        CaseResult skip{name, CaseResult::Outcome::kSkipped, ""};
        if (const Node* en = test.Get("enabled"); en && en->type == Node::Type::kBool && !en->boolean) {
          skip.detail = "disabled";
          results.push_back(skip);
          continue;
        }
        // With --rest every case is a REST case (as in ksqlDB's RestQueryTranslationTest: one
        // without responses still has its statements, inputs and output topics checked).
        const bool rest =
            !options_.brookd.empty() || test.Get("responses") || test.Get("expectedError");
        if (rest && test.Get("testPullWithProtoFormat")) {
          skip.detail = "protobuf-encoded REST responses";
          results.push_back(skip);
          continue;
        }
        if (const Node* ic = test.Get("inputConditions");
            rest && ic && ic->Get("waitForActivePushQuery") && options_.brookd.empty()) {
          skip.detail = "inputs produced while a push query runs (brook-test --rest runs these)";
          results.push_back(skip);
          continue;
        }
        if (!format.empty() && !IsSupportedFormat(format)) {
          skip.detail = "format " + format + " not supported";
          results.push_back(skip);
          continue;
        }
        std::vector<std::string> statements;
        bool unsupported_format = false;
        if (const Node* st = test.Get("statements")) {
          for (const Node& s : st->items) {
            std::string sql = format.empty() ? s.text : ReplaceAll(s.text, "{FORMAT}", format);
            std::string up = AsciiUpper(sql);
            for (const char* f : {"'AVRO'", "'PROTOBUF'", "'PROTOBUF_NOSR'", "'JSON_SR'"}) {
              if (up.find(f) != std::string::npos) unsupported_format = true;
            }
            statements.push_back(std::move(sql));
          }
        }
        if (unsupported_format) {
          skip.detail = "uses a schema-registry format";
          results.push_back(skip);
          continue;
        }
        auto p = props;
        for (auto& [k, v] : p) {
          if (v == "{CONFIG}") v = config;
        }
        if (rest && !options_.brookd.empty() && options_.jobs > 1) {
          live_slots.push_back(results.size());
          results.push_back({name, CaseResult::Outcome::kSkipped, ""});
          live.push_back([this, name, &test, statements, p] {
            return RunRestCase(name, test, statements, p);
          });
          continue;
        }
        results.push_back(rest ? RunRestCase(name, test, statements, p)
                               : RunCase(name, test, statements, p));
      }
    }
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (size_t w = 0; w < std::min(options_.jobs, live.size()); ++w) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < live.size(); i = next++) results[live_slots[i]] = live[i]();
    });
  }
  for (std::thread& t : workers) t.join();
}

}  // namespace brook::testing
