#include "cli/testing/qtt_records.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "common/ascii.h"
#include "common/base64.h"
#include "common/java_format.h"
#include "common/value_cast.h"
#include "parser/parser.h"
#include "planner/analyzer/expression_binder.h"
#include "runtime/serde/serde.h"

namespace brook::testing {

using Node = JsonNode;

namespace {

bool HasDecimalPoint(const std::string& t) { return t.find_first_of(".eE") != std::string::npos; }

}  // namespace

// ksqlDB's ExpectedRecordComparator, over JSON trees. The harness reads JSON output with Jackson's
// USE_BIG_DECIMAL_FOR_FLOATS, so an actual number is an Integer/Long when written without a point
// or exponent, a BigDecimal otherwise; an actual string is a String. There is no fallback between
// strings and numbers beyond ksqlDB's own: an expected string matches an actual BigDecimal of the
// same unscaled value and scale, nothing else.
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
      if (actual.type != T::kNumber) return false;  // a String is never a Number
      if (!exact_numbers) {
        return std::fabs(std::strtod(actual.text.c_str(), nullptr) -
                         std::strtod(expected.text.c_str(), nullptr)) < 1e-6;
      }
      auto a = ParseDecimal(actual.text), e = ParseDecimal(expected.text);
      if (!a || !e) return false;
      if (!HasDecimalPoint(actual.text)) {
        // Integer/Long actual: compared with the expected node's intValue()/longValue(), which
        // truncates a fraction (Java's BigDecimal.longValue). A BigInteger actual never matches.
        if (a->scale != 0 || a->unscaled > INT64_MAX || a->unscaled < INT64_MIN) return false;
        int128 truncated = e->unscaled;
        if (e->scale > 0) {
          if (e->scale > 38) return a->unscaled == 0;
          truncated /= Pow10(e->scale);
        } else if (e->scale < 0) {
          if (DecimalDigits(e->unscaled) - e->scale > 38) return false;
          truncated *= Pow10(-e->scale);
        }
        return truncated == a->unscaled;
      }
      // BigDecimal actual (compareDecimal): an integral expected literal matches only an actual
      // without decimal places; a decimal expected literal must equal it including its scale.
      if (!HasDecimalPoint(expected.text)) {
        if (a->scale > 0) return false;
        if (DecimalDigits(a->unscaled) - a->scale > 38) return false;
        return a->unscaled * Pow10(-a->scale) == e->unscaled;
      }
      return a->unscaled == e->unscaled && a->scale == e->scale;
    }
    case T::kString:
      if (actual.type == T::kString) return actual.text == expected.text;
      if (actual.type == T::kNumber && HasDecimalPoint(actual.text)) {
        auto a = ParseDecimal(actual.text), e = ParseDecimal(expected.text);
        return a && e && a->unscaled == e->unscaled && a->scale == e->scale;
      }
      return false;
    case T::kBool:
      return actual.type == T::kBool && actual.boolean == expected.boolean;
    default:
      return false;
  }
}

namespace {

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
    case TypeKind::kInt:
      c = CastValue(raw, SqlType::String(), SqlType::Int());
      break;
    case TypeKind::kBigint:
      c = CastValue(raw, SqlType::String(), SqlType::Bigint());
      break;
    case TypeKind::kDouble:
      c = CastValue(raw, SqlType::String(), SqlType::Double());
      break;
    default:
      c = Value::String(text);
      break;
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

EngineOptions HarnessEngineOptions(size_t batch_size, bool plan_json) {
  EngineOptions opts;
  opts.create_missing_source_topics = true;
  opts.max_batch = batch_size;
  opts.plan_roundtrip = plan_json;
  opts.service_id = "some.ksql.service.id";
  opts.config["ksql.streams.auto.offset.reset"] = "earliest";
  // ksqlDB's harness runs with the record cache off: every update is an output.
  opts.emit_cache_bytes = 0;
  // ksqlDB's REST harness serves push queries from "latest" on C*AS results as scalable push
  // queries.
  opts.config["ksql.query.push.v2.enabled"] = "true";
  return opts;
}

void CreateDeclaredTopics(const Node& test, kafka::InMemoryBroker& broker) {
  const Node* topics = test.Get("topics");
  if (!topics) return;
  for (const Node& t : topics->items) {
    const Node* n = t.Get("name");
    if (!n) continue;
    kafka::TopicSpec spec;
    spec.name = n->text;
    if (const Node* p = t.Get("partitions"))
      spec.partitions = std::max(1, std::atoi(p->text.c_str()));
    broker.CreateTopic(spec, kafka::Millis(0)).PermitUnchecked();  // declared twice: fine
  }
}

namespace {

// The source a test record of `topic` is written for: a source over the topic, preferring the
// one created by DDL over a CREATE ... AS SELECT sink.
DataSourcePtr SourceForTopic(const Catalog& catalog, const std::string& topic) {
  DataSourcePtr found;
  for (const auto& s : catalog.All()) {
    if (s->topic != topic) continue;
    if (!found || (found->is_cas && !s->is_cas)) found = s;
  }
  return found;
}

}  // namespace

Status ProduceInputs(const Node& test, Engine& engine, kafka::InMemoryBroker& broker,
                     bool settle_each) {
  return ProduceInputs(test, engine.catalog(), [&](kafka::OutRecord rec) -> Status {
    Status st = broker.Produce(std::move(rec));
    if (!st.ok()) return InvalidArgument("produce failed: " + st.message());
    if (settle_each) RETURN_IF_ERROR(engine.RunUntilIdle());
    return Status::Ok();
  });
}

Status ProduceInputs(const Node& test, const Catalog& catalog, const ProduceFn& produce) {
  if (const Node* inputs = test.Get("inputs")) {
    for (const Node& in : inputs->items) {
      const Node* topic = in.Get("topic");
      if (!topic) return InvalidArgument("input without topic");
      kafka::OutRecord rec;
      rec.topic = topic->text;
      if (const Node* ts = in.Get("timestamp")) rec.timestamp = std::atoll(ts->text.c_str());
      DataSourcePtr src = SourceForTopic(catalog, topic->text);
      Node null_node;
      const Node* key = in.Get("key");
      const Node* value = in.Get("value");
      if (!key) key = &null_node;
      if (!value) value = &null_node;
      if (src) {
        auto k = Serialize(*key, src->key_format, src->schema.key, true);
        if (!k.ok()) return InvalidArgument("cannot serialize input key: " + k.status().message());
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
        if (!v.ok())
          return InvalidArgument("cannot serialize input value: " + v.status().message());
        rec.value = *v;
      } else {
        if (!key->IsNull()) rec.key = key->type == Node::Type::kString ? key->text : key->Dump();
        if (!value->IsNull())
          rec.value = value->type == Node::Type::kString ? value->text : value->Dump();
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
      RETURN_IF_ERROR(produce(std::move(rec)));
    }
  }
  return Status::Ok();
}

namespace {

// The serde features ksqlDB records for a source's key: UNWRAP_SINGLES for a single key column
// in a format that could wrap it.
std::set<std::string> KeyFeatures(const DataSource& src) {
  const std::string& f = src.key_format.name;
  bool wrapping = f == "JSON" || f == "JSON_SR" || f == "AVRO" || f == "PROTOBUF";
  if (wrapping && src.schema.key.size() == 1) return {"UNWRAP_SINGLES"};
  return {};
}

std::set<std::string> FeatureSet(const Node* format) {
  std::set<std::string> out;
  if (const Node* f = format ? format->Get("features") : nullptr) {
    for (const Node& x : f->items) out.insert(AsciiUpper(x.text));
  }
  return out;
}

const char* WindowTypeName(WindowInfo::Type t) {
  switch (t) {
    case WindowInfo::Type::kTumbling:
      return "TUMBLING";
    case WindowInfo::Type::kHopping:
      return "HOPPING";
    case WindowInfo::Type::kSession:
      return "SESSION";
    case WindowInfo::Type::kSliding:
      return "SLIDING";
  }
  return "?";
}

// One entry of post.topics.topics (ksqlDB's PostTopicNode): the topic exists, a source over it
// has the key format (name, features, window) and value format (name, features) given, and the
// topic has the partition count given. Fields the entry leaves out are not checked, except
// features and windowInfo, whose absence means "none" as in ksqlDB's KeyFormat equality.
std::optional<std::string> CheckPostTopic(const Node& expected, const Catalog& catalog,
                                          const std::vector<kafka::TopicInfo>& topics) {
  const Node* name = expected.Get("name");
  if (!name || name->text.empty()) return std::string("topics entry without a name");
  // Internal topics (repartition and changelog topics of a query) are named after Kafka Streams'
  // processor nodes ("KSTREAM-JOINTHIS-0000000012-store-changelog") and hold brook's own row
  // encoding, not the formats ksqlDB writes there: where brook has a topic of that name its
  // partition count is checked, nothing else (see cli/README.md).
  bool internal = name->text.rfind("_confluent-ksql-", 0) == 0;
  auto t = std::find_if(topics.begin(), topics.end(),
                        [&](const kafka::TopicInfo& m) { return m.name == name->text; });
  if (t == topics.end() && internal) return std::nullopt;
  if (t == topics.end()) {
    std::string have;
    for (const auto& m : topics) have += (have.empty() ? "" : ", ") + m.name;
    return "topic " + name->text + " does not exist (topics: " + have + ")";
  }
  if (const Node* p = expected.Get("partitions")) {
    if (std::to_string(t->partitions) != p->text) {
      return "topic " + name->text + " expected " + p->text + " partitions but has " +
             std::to_string(t->partitions);
    }
  }
  if (internal) return std::nullopt;
  DataSourcePtr src = SourceForTopic(catalog, name->text);
  for (const auto& s : catalog.All()) {
    if (s->topic == name->text && s->is_cas) src = s;
  }
  if (!src) return "topic " + name->text + " is not the topic of any source";
  std::string where = "topic " + name->text + ": ";
  const Node* kf = expected.Get("keyFormat");
  if (const Node* f = kf ? kf->Get("format") : nullptr) {
    if (AsciiUpper(f->text) != src->key_format.name) {
      return where + "key format expected " + f->text + " but was " + src->key_format.name;
    }
  }
  if (kf && FeatureSet(kf) != KeyFeatures(*src)) {
    return where + "key features expected " + kf->Dump() + " but differ";
  }
  const Node* wi = kf ? kf->Get("windowInfo") : nullptr;
  if (kf && (wi != nullptr) != src->window.has_value()) {
    return where + (wi ? "expected a windowed key" : "expected an unwindowed key");
  }
  if (wi) {
    const Node* type = wi->Get("type");
    if (type && AsciiUpper(type->text) != WindowTypeName(src->window->type)) {
      return where + "window type expected " + type->text + " but was " +
             WindowTypeName(src->window->type);
    }
    // ksqlDB writes the size as a Duration in seconds ("5", "0.5").
    if (const Node* size = wi->Get("size")) {
      auto d = ParseDecimal(size->text);
      int64_t ms = src->window->size_ms;
      if (!d || d->scale > 3 || d->unscaled * Pow10(3 - d->scale) != ms) {
        return where + "window size expected " + size->text + " s but was " + std::to_string(ms) +
               " ms";
      }
    }
  }
  const Node* vf = expected.Get("valueFormat");
  if (const Node* f = vf ? vf->Get("format") : nullptr) {
    if (AsciiUpper(f->text) != src->value_format.name) {
      return where + "value format expected " + f->text + " but was " + src->value_format.name;
    }
  }
  // Value features: brook does not record whether WRAP_SINGLE_VALUE was given explicitly, so
  // only the features the entry lists are checked.
  for (const std::string& feature : FeatureSet(vf)) {
    bool single = ValueColumns(src->schema).size() == 1;
    bool has = feature == "UNWRAP_SINGLES" ? single && !src->value_format.wrap_single
               : feature == "WRAP_SINGLES" ? src->value_format.wrap_single
                                           : false;
    if (!has) return where + "value format has no feature " + feature;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ExceptionTypeMismatch(const Node& expected_exception,
                                                 const Status& error) {
  const Node* type = expected_exception.Get("type");
  if (!type) return std::nullopt;
  const std::string& t = type->text;
  if (t == "io.confluent.ksql.util.KsqlException" ||
      t == "io.confluent.ksql.util.KsqlStatementException") {
    return std::nullopt;  // every error of a statement is one of these
  }
  if (t == "io.confluent.ksql.parser.exception.ParseFailedException") {
    if (error.code() == StatusCode::kParseError || error.code() == StatusCode::kAstError) {
      return std::nullopt;
    }
    return "expected a syntax error (ParseFailedException) but got " +
           std::string(StatusCodeName(error.code())) + ": " + error.message();
  }
  return "expected exception type " + t + " is not one this runner knows";
}

std::optional<std::string> CheckOutputs(const Node& test, const Engine& engine,
                                        kafka::InMemoryBroker& broker, bool exact_numbers) {
  const Catalog& catalog = engine.catalog();
  // Outputs, per topic in order.
  if (const Node* outputs = test.Get("outputs")) {
    std::vector<std::string> topics;
    for (const Node& o : outputs->items) {
      const Node* t = o.Get("topic");
      if (t && std::find(topics.begin(), topics.end(), t->text) == topics.end())
        topics.push_back(t->text);
    }
    bool has_inputs = test.Get("inputs") && !test.Get("inputs")->items.empty();
    for (const std::string& topic : topics) {
      std::vector<const Node*> expected;
      for (const Node& o : outputs->items) {
        if (o.Get("topic") && o.Get("topic")->text == topic) expected.push_back(&o);
      }
      auto actual = broker.ReadAll(topic);
      DataSourcePtr sink = SourceForTopic(catalog, topic);
      for (const auto& s : catalog.All()) {
        if (s->topic == topic && s->is_cas) sink = s;
      }
      for (size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
        const Node& e = *expected[i];
        const kafka::StoredRecord& a = actual[i];
        std::string where = "topic " + topic + " record " + std::to_string(i) + ": ";
        std::optional<std::string> key_bytes = a.key;
        if (const Node* w = e.Get("window")) {
          if (!sink || !sink->window) return std::string(where + "expected a windowed key");
          bool session = sink->window->type == WindowInfo::Type::kSession;
          size_t suffix = session ? 16 : 8;
          if (!key_bytes || key_bytes->size() < suffix) {
            return std::string(where + "windowed key shorter than its window");
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
            return std::string(where + "window expected " + w->Dump() + " but was {start: " +
                               std::to_string(start) + ", end: " + std::to_string(end) +
                               (session ? ", session}" : ", time}"));
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
          if (!ak.ok()) return std::string(where + "undecodable key: " + ak.status().message());
          if (!Matches(*ek, *ak, exact_numbers)) {
            return std::string(where + "key expected " + ek->Dump() + " but was " + ak->Dump());
          }
        }
        const Node* ev = e.Get("value");
        if (!ev) ev = &null_node;
        auto av = Deserialize(a.value, vf, vcols, false);
        if (!av.ok()) return std::string(where + "undecodable value: " + av.status().message());
        if (!Matches(*ev, *av, exact_numbers)) {
          return std::string(where + "value expected " + ev->Dump() + " but was " + av->Dump());
        }
        if (const Node* ts = e.Get("timestamp")) {
          int64_t ets = std::atoll(ts->text.c_str());
          if (!(ets == 0 && !has_inputs) && ets != a.timestamp) {
            return std::string(where + "timestamp expected " + ts->text + " but was " +
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
        return std::string("topic " + topic + ": expected " + std::to_string(expected.size()) +
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
        if (!src) return std::string("post: source " + n->text + " does not exist");
        if (const Node* type = s.Get("type")) {
          if (AsciiUpper(type->text) != (src->is_table ? "TABLE" : "STREAM")) {
            return std::string("post: " + n->text + " expected type " + type->text);
          }
        }
        if (const Node* schema = s.Get("schema"); schema && schema->type == Node::Type::kString) {
          auto norm = NormalizeSchema(schema->text, catalog);
          if (norm.ok() && *norm != src->schema.ToString()) {
            return std::string("post: " + n->text + " schema expected " + *norm + " but was " +
                               src->schema.ToString());
          }
        }
        if (const Node* kf = s.Get("keyFormat")) {
          if (const Node* f = kf->Get("format"); f && AsciiUpper(f->text) != src->key_format.name) {
            return std::string("post: " + n->text + " key format expected " + f->text +
                               " but was " + src->key_format.name);
          }
        }
        if (const Node* vf = s.Get("valueFormat"); vf && vf->type == Node::Type::kString) {
          if (AsciiUpper(vf->text) != src->value_format.name) {
            return std::string("post: " + n->text + " value format expected " + vf->text +
                               " but was " + src->value_format.name);
          }
        }
      }
    }
    if (const Node* topics = post->Get("topics")) {
      auto all = broker.ListTopics(kafka::Millis(0));
      if (!all.ok()) return std::string("post: cannot list topics: " + all.status().message());
      if (const Node* bl = topics->Get("blacklist")) {
        // Java's Pattern.asPredicate(): the pattern may match anywhere in the name.
        std::regex re(bl->text);
        for (const auto& t : *all) {
          if (std::regex_search(t.name, re))
            return std::string("post: topic " + t.name + " is blacklisted");
        }
      }
      if (const Node* list = topics->Get("topics")) {
        for (const Node& expected : list->items) {
          if (auto why = CheckPostTopic(expected, catalog, *all)) return "post: " + *why;
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace brook::testing
