#include "cli/testing/qtt_runner.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "common/diagnostic.h"
#include "common/java_format.h"
#include "parser/parser.h"
#include "planner/analyzer/expression_binder.h"
#include "runtime/engine/engine.h"
#include "runtime/kafka/in_memory_broker.h"
#include "common/value_cast.h"
#include "runtime/serde/serde.h"
#include "common/base64.h"
#include "common/ascii.h"

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

bool HasDecimalPoint(const std::string& t) {
  return t.find_first_of(".eE") != std::string::npos;
}

// ksqlDB's ExpectedRecordComparator, over JSON trees.
bool Matches(const Node& expected, const Node& actual, bool exact_numbers) {
  using T = Node::Type;
  if (expected.type == T::kNull || actual.type == T::kNull) return expected.type == actual.type;
  switch (expected.type) {
    case T::kObject: {
      if (actual.type != T::kObject || actual.fields.size() != expected.fields.size()) return false;
      for (const auto& [k, v] : expected.fields) {
        const Node* a = actual.Get(k);
        if (!a) a = actual.Get(AsciiUpper(k));
        if (!a || !Matches(v, *a, exact_numbers)) return false;
      }
      return true;
    }
    case T::kArray: {
      if (actual.type != T::kArray || actual.items.size() != expected.items.size()) return false;
      for (size_t i = 0; i < expected.items.size(); ++i) {
        if (!Matches(expected.items[i], actual.items[i], exact_numbers)) return false;
      }
      return true;
    }
    case T::kNumber: {
      if (actual.type == T::kString) {
        auto a = ParseDecimal(actual.text), e = ParseDecimal(expected.text);
        return a && e && a->unscaled == e->unscaled && a->scale == e->scale;
      }
      if (actual.type != T::kNumber) return false;
      if (!exact_numbers) {
        return std::fabs(std::strtod(actual.text.c_str(), nullptr) -
                         std::strtod(expected.text.c_str(), nullptr)) < 1e-6;
      }
      if (!HasDecimalPoint(actual.text)) {
        // Integral actual: compare by value.
        auto a = ParseDecimal(actual.text), e = ParseDecimal(expected.text);
        if (!a || !e) return false;
        int s = std::max(a->scale, e->scale);
        if (s - a->scale > 30 || s - e->scale > 30) return false;
        return a->unscaled * Pow10(s - a->scale) == e->unscaled * Pow10(s - e->scale);
      }
      auto a = ParseDecimal(actual.text), e = ParseDecimal(expected.text);
      return a && e && a->unscaled == e->unscaled && a->scale == e->scale;
    }
    case T::kString:
      if (actual.type == T::kString) return actual.text == expected.text;
      if (actual.type == T::kNumber) {
        auto a = ParseDecimal(actual.text), e = ParseDecimal(expected.text);
        return a && e && a->unscaled == e->unscaled && a->scale == e->scale;
      }
      return false;
    case T::kBool: return actual.type == T::kBool && actual.boolean == expected.boolean;
    default: return false;
  }
}

// Serializes a test record's key or value for a topic side described by (format, columns).
Result<std::optional<std::string>> Serialize(const Node& node, const FormatInfo& format,
                                             const std::vector<Column>& columns, bool is_key) {
  if (node.IsNull()) return std::optional<std::string>();
  if (format.name == "NONE") return std::optional<std::string>();
  if (format.name == "DELIMITED") {
    return std::optional<std::string>(node.type == Node::Type::kString ? node.text : node.Dump());
  }
  if (format.name == "JSON") return std::optional<std::string>(node.Dump());
  // KAFKA: typed binary of the single column.
  if (columns.empty()) return std::optional<std::string>(node.Dump());
  const TypePtr& t = columns[0].type;
  Value v;
  std::string text = node.type == Node::Type::kString ? node.text : node.Dump();
  Value raw = Value::String(text);
  Result<Value> c = Value();
  switch (t->kind()) {
    case TypeKind::kInt: c = CastValue(raw, SqlType::String(), SqlType::Int()); break;
    case TypeKind::kBigint: c = CastValue(raw, SqlType::String(), SqlType::Bigint()); break;
    case TypeKind::kDouble: c = CastValue(raw, SqlType::String(), SqlType::Double()); break;
    default: c = Value::String(text); break;
  }
  if (!c.ok()) return c.status();
  v = *c;
  ASSIGN_OR_RETURN(auto serde, MakeSerde(format, columns, is_key));
  return serde->Encode(&v);
}

// Turns actual bytes into a JSON tree for comparison.
Result<Node> Deserialize(const std::optional<std::string>& bytes, const FormatInfo& format,
                         const std::vector<Column>& columns, bool is_key) {
  if (!bytes) return Node();
  if (format.name == "JSON") return ParseJsonText(*bytes);
  if (format.name == "DELIMITED") {
    Node n;
    n.type = Node::Type::kString;
    n.text = *bytes;
    return n;
  }
  if (format.name == "NONE" || columns.empty()) return Node();
  ASSIGN_OR_RETURN(auto serde, MakeSerde(format, columns, is_key));
  std::vector<Value> vals(columns.size());
  RETURN_IF_ERROR(serde->Decode(*bytes, vals.data()));
  std::string text;
  AppendJson(vals[0], columns[0].type, text);
  return ParseJsonText(text);
}

std::vector<Column> ValueColumns(const LogicalSchema& s) {
  std::vector<Column> out;
  for (const Column& c : s.value) {
    if (c.ns != ColumnNamespace::kHeader) out.push_back(c);
  }
  return out;
}

// Normalizes a schema string ("ID INT KEY, NAME STRING") by parsing it as table elements.
Result<std::string> NormalizeSchema(const std::string& schema, const Catalog& catalog) {
  auto parsed = Parser::Parse("CREATE STREAM X (" + schema + ");");
  if (!parsed.ok()) return parsed.status();
  const auto* cs = dynamic_cast<const ast::CreateSource*>((*parsed)[0].get());
  std::string out;
  for (const auto& el : cs->elements) {
    ASSIGN_OR_RETURN(TypePtr t, ResolveType(*el.type, catalog));
    if (!out.empty()) out += ", ";
    out += "`" + el.name + "` " + TypeName(t);
    using C = ast::TableElement::Constraint;
    if (el.constraint == C::kKey || el.constraint == C::kPrimaryKey) out += " KEY";
    if (el.constraint == C::kHeaders) out += " HEADERS";
    if (el.constraint == C::kHeader) out += " HEADER('" + el.header_key + "')";
  }
  return out;
}

void AppendBigEndian(int64_t v, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(static_cast<uint64_t>(v) >> shift));
  }
}

int64_t ReadBigEndian(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int64_t>(v);
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
  EngineOptions opts;
  opts.create_missing_source_topics = true;
  opts.max_batch = options_.batch_size;
  opts.plan_roundtrip = options_.plan_json;
  opts.service_id = "some.ksql.service.id";
  opts.config["ksql.streams.auto.offset.reset"] = "earliest";
  bool exact_numbers = true;
  for (const auto& [k, v] : properties) {
    if (k == "use.exact.numeric.comparison") {
      exact_numbers = v != "false";
      continue;
    }
    opts.config[k] = v;
  }
  // Declared topics (partition counts).
  if (const Node* topics = test.Get("topics")) {
    for (const Node& t : topics->items) {
      const Node* n = t.Get("name");
      if (!n) continue;
      int parts = 1;
      if (const Node* p = t.Get("partitions")) parts = std::atoi(p->text.c_str());
      kafka::TopicSpec spec;
      spec.name = n->text;
      spec.partitions = std::max(parts, 1);
      broker.CreateTopic(spec, kafka::Millis(0)).PermitUnchecked();
    }
  }
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
        if (!msg || text.find(msg->text) != std::string::npos ||
            r.status().message().find(msg->text) != std::string::npos) {
          return res;
        }
        return fail("expected error containing \"" + msg->text + "\" but got: " + text);
      }
      return fail("statement failed: " + RenderDiagnostic(r.status(), sql));
    }
  }
  // Inputs, piped one by one.
  const Catalog& catalog = engine.catalog();
  auto source_for_topic = [&](const std::string& topic) -> DataSourcePtr {
    DataSourcePtr found;
    for (const auto& s : catalog.All()) {
      if (s->topic != topic) continue;
      if (!found || (found->is_cas && !s->is_cas)) found = s;
    }
    return found;
  };
  if (const Node* inputs = test.Get("inputs")) {
    for (const Node& in : inputs->items) {
      const Node* topic = in.Get("topic");
      if (!topic) return fail("input without topic");
      kafka::OutRecord rec;
      rec.topic = topic->text;
      if (const Node* ts = in.Get("timestamp")) rec.timestamp = std::atoll(ts->text.c_str());
      DataSourcePtr src = source_for_topic(topic->text);
      Node null_node;
      const Node* key = in.Get("key");
      const Node* value = in.Get("value");
      if (!key) key = &null_node;
      if (!value) value = &null_node;
      if (src) {
        auto k = Serialize(*key, src->key_format, src->schema.key, true);
        if (!k.ok()) return fail("cannot serialize input key: " + k.status().message());
        rec.key = *k;
        if (const Node* w = in.Get("window"); w && rec.key) {
          // Kafka Streams' windowed keys: time windows key || start, sessions key || end || start.
          const Node* start = w->Get("start");
          const Node* end = w->Get("end");
          const Node* type = w->Get("type");
          bool session = type && AsciiUpper(type->text) == "SESSION";
          if (session) AppendBigEndian(end ? std::atoll(end->text.c_str()) : 0, *rec.key);
          AppendBigEndian(start ? std::atoll(start->text.c_str()) : 0, *rec.key);
        }
        auto v = Serialize(*value, src->value_format, ValueColumns(src->schema), false);
        if (!v.ok()) return fail("cannot serialize input value: " + v.status().message());
        rec.value = *v;
      } else {
        if (!key->IsNull()) rec.key = key->type == Node::Type::kString ? key->text : key->Dump();
        if (!value->IsNull()) rec.value = value->type == Node::Type::kString ? value->text : value->Dump();
      }
      if (const Node* headers = in.Get("headers")) {
        for (const Node& h : headers->items) {
          kafka::Header hd;
          if (const Node* k = h.Get("KEY")) hd.key = k->text;
          if (const Node* v = h.Get("VALUE"); v && !v->IsNull()) {
            auto b = Base64Decode(v->text);
            hd.value = b ? *b : v->text;
          }
          rec.headers.push_back(std::move(hd));
        }
      }
      Status st = broker.Produce(std::move(rec));
      if (!st.ok()) return fail("produce failed: " + st.message());
      st = engine.RunUntilIdle();
      if (!st.ok()) return fail("query failed: " + st.ToString());
    }
  }
  Status st = engine.RunUntilIdle();
  if (!st.ok()) return fail("query failed: " + st.ToString());
  if (expected_exc) {
    const Node* msg = expected_exc->Get("message");
    return fail("expected an error" + (msg ? " containing \"" + msg->text + "\"" : std::string()) +
                " but every statement succeeded");
  }
  // Outputs, per topic in order.
  if (const Node* outputs = test.Get("outputs")) {
    std::vector<std::string> topics;
    for (const Node& o : outputs->items) {
      const Node* t = o.Get("topic");
      if (t && std::find(topics.begin(), topics.end(), t->text) == topics.end()) topics.push_back(t->text);
    }
    bool has_inputs = test.Get("inputs") && !test.Get("inputs")->items.empty();
    for (const std::string& topic : topics) {
      std::vector<const Node*> expected;
      for (const Node& o : outputs->items) {
        if (o.Get("topic") && o.Get("topic")->text == topic) expected.push_back(&o);
      }
      auto actual = broker.ReadAll(topic);
      DataSourcePtr sink = source_for_topic(topic);
      for (const auto& s : catalog.All()) {
        if (s->topic == topic && s->is_cas) sink = s;
      }
      for (size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
        const Node& e = *expected[i];
        const kafka::StoredRecord& a = actual[i];
        std::string where = "topic " + topic + " record " + std::to_string(i) + ": ";
        std::optional<std::string> key_bytes = a.key;
        if (const Node* w = e.Get("window")) {
          if (!sink || !sink->window) return fail(where + "expected a windowed key");
          bool session = sink->window->type == WindowInfo::Type::kSession;
          size_t suffix = session ? 16 : 8;
          if (!key_bytes || key_bytes->size() < suffix) {
            return fail(where + "windowed key shorter than its window");
          }
          const char* tail = key_bytes->data() + key_bytes->size() - suffix;
          int64_t start = ReadBigEndian(session ? tail + 8 : tail);
          int64_t end = session ? ReadBigEndian(tail) : start + sink->window->size_ms;
          key_bytes->resize(key_bytes->size() - suffix);
          const Node* es = w->Get("start");
          const Node* ee = w->Get("end");
          const Node* et = w->Get("type");
          if ((es && std::atoll(es->text.c_str()) != start) ||
              (ee && std::atoll(ee->text.c_str()) != end) ||
              (et && (AsciiUpper(et->text) == "SESSION") != session)) {
            return fail(where + "window expected " + w->Dump() +
                        " but was {start: " + std::to_string(start) +
                        ", end: " + std::to_string(end) + (session ? ", session}" : ", time}"));
          }
        }
        FormatInfo kf = sink ? sink->key_format : FormatInfo{"KAFKA"};
        FormatInfo vf = sink ? sink->value_format : FormatInfo{"JSON"};
        std::vector<Column> kcols = sink ? sink->schema.key : std::vector<Column>{};
        std::vector<Column> vcols = sink ? ValueColumns(sink->schema) : std::vector<Column>{};
        Node null_node;
        const Node* ek = e.Get("key");
        if (!ek) ek = &null_node;
        auto ak = Deserialize(key_bytes, kf, kcols, true);
        if (kf.name != "NONE") {
          if (!ak.ok()) return fail(where + "undecodable key: " + ak.status().message());
          if (!Matches(*ek, *ak, exact_numbers)) {
            return fail(where + "key expected " + ek->Dump() + " but was " + ak->Dump());
          }
        }
        const Node* ev = e.Get("value");
        if (!ev) ev = &null_node;
        auto av = Deserialize(a.value, vf, vcols, false);
        if (!av.ok()) return fail(where + "undecodable value: " + av.status().message());
        if (!Matches(*ev, *av, exact_numbers)) {
          return fail(where + "value expected " + ev->Dump() + " but was " + av->Dump());
        }
        if (const Node* ts = e.Get("timestamp")) {
          int64_t ets = std::atoll(ts->text.c_str());
          if (!(ets == 0 && !has_inputs) && ets != a.timestamp) {
            return fail(where + "timestamp expected " + ts->text + " but was " +
                        std::to_string(a.timestamp));
          }
        }
      }
      if (expected.size() != actual.size()) {
        std::string extra;
        if (actual.size() > expected.size()) {
          const auto& a = actual[expected.size()];
          extra = " (first extra: key=" + (a.key ? *a.key : std::string("null")) +
                  " value=" + (a.value ? *a.value : std::string("null")) + ")";
        }
        return fail("topic " + topic + ": expected " + std::to_string(expected.size()) +
                    " records but got " + std::to_string(actual.size()) + extra);
      }
    }
  }
  // Post-conditions.
  if (const Node* post = test.Get("post")) {
    if (const Node* sources = post->Get("sources")) {
      for (const Node& s : sources->items) {
        const Node* n = s.Get("name");
        if (!n) continue;
        DataSourcePtr src = catalog.Find(n->text);
        if (!src) return fail("post: source " + n->text + " does not exist");
        if (const Node* type = s.Get("type")) {
          if (AsciiUpper(type->text) != (src->is_table ? "TABLE" : "STREAM")) {
            return fail("post: " + n->text + " expected type " + type->text);
          }
        }
        if (const Node* schema = s.Get("schema"); schema && schema->type == Node::Type::kString) {
          auto norm = NormalizeSchema(schema->text, catalog);
          if (norm.ok() && *norm != src->schema.ToString()) {
            return fail("post: " + n->text + " schema expected " + *norm + " but was " +
                        src->schema.ToString());
          }
        }
        if (const Node* kf = s.Get("keyFormat")) {
          if (const Node* f = kf->Get("format"); f && AsciiUpper(f->text) != src->key_format.name) {
            return fail("post: " + n->text + " key format expected " + f->text + " but was " +
                        src->key_format.name);
          }
        }
        if (const Node* vf = s.Get("valueFormat"); vf && vf->type == Node::Type::kString) {
          if (AsciiUpper(vf->text) != src->value_format.name) {
            return fail("post: " + n->text + " value format expected " + vf->text + " but was " +
                        src->value_format.name);
          }
        }
      }
    }
    if (const Node* topics = post->Get("topics")) {
      if (const Node* bl = topics->Get("blacklist")) {
        std::regex re(bl->text);
        auto all = broker.ListTopics(kafka::Millis(0));
        for (const auto& t : *all) {
          if (std::regex_match(t.name, re)) return fail("post: topic " + t.name + " is blacklisted");
        }
      }
    }
  }
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
        if (test.Get("responses") || test.Get("expectedError")) {
          skip.detail = "REST QTT case";
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
        results.push_back(RunCase(name, test, statements, p));
      }
    }
  }
}

}  // namespace brook::testing
