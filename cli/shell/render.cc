#include "cli/shell/render.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

namespace brook::shell {

using nlohmann::json;

namespace {

// Display width of UTF-8 text (code points; wide characters count one).
int DisplayWidth(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Splits `text` into pieces of at most `width` code points (and at newlines).
std::vector<std::string> Wrap(std::string_view text, int width) {
  std::vector<std::string> out(1);
  int used = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out.emplace_back();
      used = 0;
      continue;
    }
    const bool starts = (c & 0xC0) != 0x80;
    if (starts && used >= width) {
      out.emplace_back();
      used = 0;
    }
    out.back() += static_cast<char>(c);
    if (starts) ++used;
  }
  return out;
}

std::string Pad(std::string_view s, int width) {
  std::string out(s);
  out.append(static_cast<size_t>(std::max(0, width - DisplayWidth(s))), ' ');
  return out;
}

std::string Str(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// ksqlDB CLI's borderless layout for SHOW results: " A | B " under a rule.
std::string RenderList(const TableRow& header, const std::vector<TableRow>& rows, int width) {
  std::vector<int> w(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    w[c] = DisplayWidth(header[c]);
    for (const TableRow& r : rows) w[c] = std::max(w[c], DisplayWidth(r[c]));
  }
  auto line = [&](const TableRow& cells) {
    std::string s;
    for (size_t c = 0; c < cells.size(); ++c) {
      s += ' ' + Pad(cells[c], w[c]) + ' ';
      if (c + 1 < cells.size()) s += '|';
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  int total = 0;
  for (int x : w) total += x + 3;
  const std::string rule(static_cast<size_t>(std::min(std::max(total - 1, 1), std::max(width, 1))),
                         '-');
  std::string out = line(header) + rule + "\n";
  for (const TableRow& r : rows) out += line(r);
  out += rule + "\n";
  return out;
}

std::string TypeText(const json& schema) {
  if (!schema.is_object()) return "";
  std::string type = Str(schema.value("type", json()));
  if (type == "ARRAY") return "ARRAY<" + TypeText(schema.value("memberSchema", json())) + ">";
  if (type == "MAP") {
    return "MAP<STRING, " + TypeText(schema.value("memberSchema", json())) + ">";
  }
  if (type == "STRUCT") {
    std::string s = "STRUCT<";
    const json fields = schema.value("fields", json::array());
    if (fields.is_array()) {
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) s += ", ";
        s += Str(fields[i].value("name", json())) + " " +
             TypeText(fields[i].value("schema", json()));
      }
    }
    return s + ">";
  }
  if (type == "STRING") return "VARCHAR(STRING)";
  return type;
}

std::string RenderSource(const json& d, int width) {
  std::ostringstream out;
  out << "\nName                 : " << Str(d.value("name", json())) << "\n";
  if (d.value("extended", false)) {
    out << "Type                 : " << Str(d.value("type", json())) << "\n";
    out << "Key format           : " << Str(d.value("keyFormat", json())) << "\n";
    out << "Value format         : " << Str(d.value("valueFormat", json())) << "\n";
    out << "Kafka topic          : " << Str(d.value("topic", json()))
        << " (partitions: " << Str(d.value("partitions", json()))
        << ", replication: " << Str(d.value("replication", json())) << ")\n";
    out << "Statement            : " << Str(d.value("statement", json())) << "\n";
  }
  std::vector<TableRow> rows;
  const json fields = d.value("fields", json::array());
  if (fields.is_array()) {
    for (const json& f : fields) {
      std::string type = TypeText(f.value("schema", json()));
      const std::string kind = Str(f.value("type", json()));
      if (kind == "KEY") type += "  (key)";
      if (kind == "HEADERS") type += "  (headers)";
      rows.push_back({Str(f.value("name", json())), type});
    }
  }
  out << RenderList({"Field", "Type"}, rows, width);
  if (!d.value("extended", false)) {
    out << "For runtime statistics and query details run: DESCRIBE <Stream,Table> EXTENDED;\n";
  } else {
    for (const char* key : {"readQueries", "writeQueries"}) {
      const json qs = d.value(key, json::array());
      if (!qs.is_array() || qs.empty()) continue;
      out << "\n"
          << (std::string_view(key) == "readQueries" ? "Queries that read from this source"
                                                     : "Queries that write from this source")
          << "\n";
      for (const json& q : qs) out << Str(q.value("id", json())) << "\n";
    }
  }
  return out.str();
}

std::string RenderEntity(const json& e, int width) {
  const std::string type = Str(e.value("@type", json()));
  std::string out;
  if (type == "currentStatus") {
    const json status = e.value("commandStatus", json::object());
    std::string message = Str(status.value("message", json()));
    out = RenderList({"Message"}, {{message}}, width);
  } else if (type == "streams" || type == "tables") {
    const bool tables = type == "tables";
    std::vector<TableRow> rows;
    for (const json& s : e.value(type, json::array())) {
      rows.push_back({Str(s.value("name", json())), Str(s.value("topic", json())),
                      Str(s.value("keyFormat", json())), Str(s.value("valueFormat", json())),
                      s.value("isWindowed", false) ? "true" : "false"});
    }
    out = RenderList({tables ? "Table Name" : "Stream Name", "Kafka Topic", "Key Format",
                      "Value Format", "Windowed"},
                     rows, width);
  } else if (type == "queries") {
    std::vector<TableRow> rows;
    for (const json& q : e.value("queries", json::array())) {
      std::string sinks, topics;
      for (const json& s : q.value("sinks", json::array()))
        sinks += (sinks.empty() ? "" : ",") + Str(s);
      for (const json& s : q.value("sinkKafkaTopics", json::array())) {
        topics += (topics.empty() ? "" : ",") + Str(s);
      }
      rows.push_back({Str(q.value("id", json())), Str(q.value("queryType", json())),
                      Str(q.value("state", json())), sinks, topics,
                      Str(q.value("queryString", json()))});
    }
    out = RenderList(
        {"Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String"}, rows,
        width);
    out += "For detailed information on a Query run: EXPLAIN <Query ID>;\n";
  } else if (type == "sourceDescription") {
    out = RenderSource(e.value("sourceDescription", json::object()), width);
  } else if (type == "source_descriptions") {
    for (const json& d : e.value("sourceDescriptions", json::array()))
      out += RenderSource(d, width);
  } else if (type == "properties") {
    std::vector<TableRow> rows;
    for (const json& p : e.value("properties", json::array())) {
      rows.push_back({Str(p.value("name", json())), Str(p.value("scope", json())),
                      Str(p.value("value", json()))});
    }
    out = RenderList({"Property", "Scope", "Effective Value"}, rows, width);
  } else if (type == "kafka_topics" || type == "kafka_topics_extended") {
    std::vector<TableRow> rows;
    for (const json& t : e.value("topics", json::array())) {
      std::string replicas;
      for (const json& r : t.value("replicaInfo", json::array())) {
        replicas += (replicas.empty() ? "" : " ") + Str(r);
      }
      rows.push_back({Str(t.value("name", json())),
                      std::to_string(t.value("replicaInfo", json::array()).size()), replicas});
    }
    out = RenderList({"Kafka Topic", "Partitions", "Partition Replicas"}, rows, width);
  } else if (type == "function_names") {
    std::vector<TableRow> rows;
    for (const json& f : e.value("functions", json::array())) {
      rows.push_back({Str(f.value("name", json())), Str(f.value("type", json()))});
    }
    out = RenderList({"Function Name", "Category"}, rows, width);
  } else if (type == "variables") {
    std::vector<TableRow> rows;
    for (const json& v : e.value("variables", json::array())) {
      rows.push_back({Str(v.value("name", json())), Str(v.value("value", json()))});
    }
    out = RenderList({"Variable Name", "Value"}, rows, width);
  } else if (type == "type_list") {
    std::vector<TableRow> rows;
    const json types = e.value("types", json::object());
    if (types.is_object()) {
      for (auto it = types.begin(); it != types.end(); ++it)
        rows.push_back({it.key(), TypeText(it.value())});
    }
    out = RenderList({"Type Name", "Schema"}, rows, width);
  } else if (type == "terminate_query") {
    out = RenderList({"Message"}, {{"Query terminated."}}, width);
  } else if (type == "queryDescription") {
    const json q = e.value("queryDescription", json::object());
    out = "\nID                   : " + Str(q.value("id", json())) + "\n" +
          "Query type           : " + Str(q.value("queryType", json())) + "\n" +
          "SQL                  : " + Str(q.value("statementText", json())) + "\n" +
          "State                : " + Str(q.value("state", json())) + "\n" +
          "Execution plan       :\n" + Str(q.value("executionPlan", json())) + "\n";
    const json errors = q.value("queryErrors", json::array());
    if (errors.is_array() && !errors.empty()) {
      out += "Query errors (newest last):\n";
      for (const json& err : errors) {
        const json ts = err.value("timestamp", json());
        std::string when = "?";
        if (ts.is_number_integer()) {
          std::time_t secs = static_cast<std::time_t>(ts.get<int64_t>() / 1000);
          std::tm tm{};
          char buf[32];
          if (gmtime_r(&secs, &tm) && std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
            when = buf;
          }
        }
        out += "  " + when + " " + Str(err.value("type", json())) + ": " +
               Str(err.value("errorMessage", json())) + "\n";
      }
    }
  } else if (type == "warning_entity") {
    out = Str(e.value("message", json())) + "\n";
  } else {
    out = e.dump(2) + "\n";  // an entity this shell has no layout for: as brookd sent it
  }
  for (const json& w : e.value("warnings", json::array())) {
    out += "WARNING: " + Str(w.value("message", json())) + "\n";
  }
  return out;
}

}  // namespace

std::string CellText(std::string_view json_value) {
  json v = json::parse(json_value, nullptr, false);
  if (v.is_discarded()) return std::string(json_value);
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::vector<int> StreamingWidths(const TableRow& header, int width) {
  const int n = std::max<int>(1, static_cast<int>(header.size()));
  const int share = std::max(4, (width - 1) / n - 1);
  std::vector<int> w;
  for (const std::string& h : header) w.push_back(std::max(share, std::min(DisplayWidth(h), 40)));
  return w;
}

std::string RuleLine(const std::vector<int>& widths) {
  std::string s = "+";
  for (int w : widths) s += std::string(static_cast<size_t>(w), '-') + "+";
  return s + "\n";
}

std::string RowLines(const TableRow& cells, const std::vector<int>& widths) {
  std::vector<std::vector<std::string>> wrapped;
  size_t lines = 1;
  for (size_t c = 0; c < widths.size(); ++c) {
    wrapped.push_back(Wrap(c < cells.size() ? cells[c] : "", std::max(1, widths[c])));
    lines = std::max(lines, wrapped.back().size());
  }
  std::string out;
  for (size_t l = 0; l < lines; ++l) {
    out += "|";
    for (size_t c = 0; c < widths.size(); ++c) {
      out += Pad(l < wrapped[c].size() ? wrapped[c][l] : "", widths[c]) + "|";
    }
    out += "\n";
  }
  return out;
}

std::string RenderTable(const TableRow& header, const std::vector<TableRow>& rows, int width) {
  std::vector<int> w(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    w[c] = DisplayWidth(header[c]);
    for (const TableRow& r : rows) {
      if (c < r.size()) {
        for (const std::string& piece : Wrap(r[c], 1 << 20))
          w[c] = std::max(w[c], DisplayWidth(piece));
      }
    }
  }
  // Shrink the widest column until the table fits (borders: one per column plus one).
  const int budget =
      std::max(width - static_cast<int>(header.size()) - 1, static_cast<int>(header.size()) * 4);
  auto total = [&] {
    int t = 0;
    for (int x : w) t += x;
    return t;
  };
  while (total() > budget) {
    auto widest = std::max_element(w.begin(), w.end());
    if (*widest <= 4) break;
    --*widest;
  }
  std::string out = RuleLine(w) + RowLines(header, w) + RuleLine(w);
  for (const TableRow& r : rows) out += RowLines(r, w);
  out += RuleLine(w);
  return out;
}

std::string RenderError(std::string_view message, std::string_view statement) {
  std::string out(message);
  if (out.empty() || out.back() != '\n') out += '\n';
  // "line L:C: ..." — the position in the statement that was sent.
  int line = 0, column = 0;
  // "line L:C: ..." (brook's parser) or "Line: L, Col: C: ..." (ksqlDB's analyzer wording).
  const std::string head(message.substr(0, 40));
  const bool positioned = std::sscanf(head.c_str(), "line %d:%d", &line, &column) == 2 ||
                          std::sscanf(head.c_str(), "Line: %d, Col: %d", &line, &column) == 2;
  if (positioned && line >= 1 && line <= 100000 && column >= 0 && column <= 100000) {
    size_t start = 0;
    for (int l = 1; l < line && start != std::string_view::npos; ++l) {
      start = statement.find('\n', start);
      if (start != std::string_view::npos) ++start;
    }
    if (start != std::string_view::npos && start <= statement.size()) {
      size_t end = statement.find('\n', start);
      std::string_view text =
          statement.substr(start, end == std::string_view::npos ? end : end - start);
      const std::string prefix = "LINE " + std::to_string(line) + ": ";
      out += prefix + std::string(text) + "\n";
      // Columns count from 1 in brook's messages; the caret sits under the character.
      const int col = std::max(column, 1);
      out += std::string(prefix.size() + static_cast<size_t>(col - 1), ' ') + "^\n";
    }
  }
  return out;
}

std::string RenderKsqlResponse(std::string_view body, std::string_view statement, int width,
                               bool json_output, bool& failed) {
  failed = false;
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    failed = true;
    return "The server answered with something that is not JSON:\n" + std::string(body) + "\n";
  }
  if (doc.is_object()) {  // an error
    failed = true;
    if (json_output) return doc.dump(2) + "\n";
    std::string message = Str(doc.value("message", json()));
    if (message.empty()) message = doc.dump();
    return RenderError(message, statement);
  }
  if (json_output) return doc.dump(2) + "\n";
  std::string out;
  if (doc.is_array()) {
    for (const json& e : doc) {
      // A server's entity in an unexpected shape is shown as it came, never a crash.
      try {
        out += e.is_object() ? RenderEntity(e, width) : e.dump(2) + "\n";
      } catch (const json::exception&) {
        out += e.dump(2) + "\n";
      }
    }
  }
  return out;
}

}  // namespace brook::shell
