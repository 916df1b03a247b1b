#include "cli/shell/shell.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/shell/render.h"

namespace brook::shell {

using nlohmann::json;

namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Whether a SELECT is a push query: EMIT CHANGES / EMIT FINAL outside quotes.
bool IsPush(const std::string& statement) {
  std::string bare;
  char quote = 0;
  for (char c : statement) {
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      continue;
    }
    bare += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  std::istringstream words(bare);
  std::string prev, w;
  while (words >> w) {
    if (prev == "EMIT" && (w.rfind("CHANGES", 0) == 0 || w.rfind("FINAL", 0) == 0)) return true;
    prev = w;
  }
  return false;
}

const char* kHelp = R"(Statements end with ';' and may span lines. Examples:

  CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON', partitions=1);
  INSERT INTO s (id, v) VALUES (1, 'a');
  SELECT * FROM s EMIT CHANGES;          -- a push query: rows as they come, Ctrl-C ends it
  SELECT * FROM t WHERE id = 1;          -- a pull query on a table
  SHOW STREAMS;  SHOW TABLES;  SHOW QUERIES;  DESCRIBE s;  DESCRIBE s EXTENDED;

Kept by the shell and sent with every later request:
  SET 'auto.offset.reset' = 'earliest';   UNSET 'auto.offset.reset';
  DEFINE name = 'value';   UNDEFINE name;   (use as ${name} in statements)

Shell commands (no ';' needed):
  RUN SCRIPT 'file.sql'     run the statements of a file
  OUTPUT [JSON|TABULAR]     show or switch how results are printed
  HISTORY                   the statements typed before (kept across sessions)
  CLEAR                     clear the screen
  HELP                      this text
  EXIT                      leave (also Ctrl-D)
)";

}  // namespace

Shell::Shell(RestClient& client, std::ostream& out, std::ostream& err, std::atomic<bool>& cancel)
    : client_(client), out_(out), err_(err), cancel_(cancel) {}

int Shell::Width() const {
  if (width_ > 0) return width_;
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    const int n = std::atoi(c);
    if (n > 10 && n < 10000) return n;
  }
  return 120;
}

bool Shell::Reached(const Result<HttpResponse>& response) {
  if (!response.ok()) {
    if (response.status().message() == "cancelled") return false;
    err_ << "Could not reach the brook server at " << client_.options().server.url() << ": "
         << response.status().message() << "\n"
         << "Is brookd running? The shell tries again with the next statement.\n";
    reachable_ = false;
    return false;
  }
  if (!reachable_) {
    out_ << "Reconnected to " << client_.options().server.url() << ".\n";
    reachable_ = true;
  }
  if (response->status == 401) {
    err_ << "The server refused the credentials (401): start the shell with --user and the "
            "right password.\n";
    return false;
  }
  if (response->status == 403) {
    err_ << "The server does not allow this user to do that (403).\n";
    return false;
  }
  return true;
}

bool Shell::Connect() {
  auto info = client_.Get("/info");
  if (!Reached(info)) return false;
  json doc = json::parse(info->body, nullptr, false);
  if (info->status != 200 || doc.is_discarded()) {
    err_ << "The server at " << client_.options().server.url() << " answered /info with status "
         << info->status << ": is it brookd or ksqlDB?\n";
    return false;
  }
  auto field = [&](const char* name) {
    const json* server =
        doc.is_object() && doc.contains("KsqlServerInfo") ? &doc["KsqlServerInfo"] : nullptr;
    if (server && server->is_object() && server->contains(name) && (*server)[name].is_string()) {
      return (*server)[name].get<std::string>();
    }
    return std::string("?");
  };
  out_ << "Connected to " << client_.options().server.url() << " (ksqlDB API " << field("version")
       << ", service '" << field("ksqlServiceId") << "', " << field("serverStatus") << ").\n"
       << "Type HELP for help, EXIT to leave.\n";
  return true;
}

std::string Shell::Body(const std::string& statement, bool query) const {
  json body;
  body[query ? "sql" : "ksql"] = statement;
  json props = json::object();
  for (const auto& [k, v] : properties_) props[k] = v;
  body[query ? "properties" : "streamsProperties"] = props;
  json vars = json::object();
  for (const auto& [k, v] : variables_) vars[k] = v;
  body["sessionVariables"] = vars;
  return body.dump();
}

const std::vector<std::string>& Shell::Names() {
  if (!names_stale_) return names_;
  auto response = client_.Post("/ksql", Body("SHOW STREAMS; SHOW TABLES;", false));
  if (!response.ok() || response->status != 200) return names_;
  json doc = json::parse(response->body, nullptr, false);
  if (!doc.is_array()) return names_;
  names_.clear();
  for (const json& e : doc) {
    for (const char* kind : {"streams", "tables"}) {
      if (!e.contains(kind) || !e[kind].is_array()) continue;
      for (const json& s : e[kind]) {
        if (s.contains("name") && s["name"].is_string()) names_.push_back(s["name"]);
      }
    }
  }
  names_stale_ = false;
  return names_;
}

bool Shell::RunText(const std::string& text, int depth) {
  std::string buffer;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    // A shell command stands on a line of its own, outside a statement.
    if (IsBlank(buffer)) {
      if (auto command = ParseLocalCommand(line)) {
        buffer.clear();
        if (!RunCommand(*command, depth)) return false;
        if (exit_requested_) return true;
        continue;
      }
    }
    buffer += line;
    buffer += '\n';
    for (const std::string& statement : TakeStatements(buffer)) {
      if (!RunStatement(statement, depth)) return false;
      if (exit_requested_) return true;
    }
  }
  if (!IsBlank(buffer)) {
    err_ << "Unfinished statement (no closing ';'):\n" << buffer;
    return false;
  }
  return true;
}

bool Shell::RunCommand(const LocalCommand& command, int depth) {
  switch (command.kind) {
    case LocalCommand::Kind::kHelp:
      out_ << kHelp;
      return true;
    case LocalCommand::Kind::kExit:
      exit_requested_ = true;
      return true;
    case LocalCommand::Kind::kClear:
      out_ << "\033[2J\033[H";
      return true;
    case LocalCommand::Kind::kHistory:
      if (history_) {
        int n = 1;
        for (const std::string& h : history_()) out_ << n++ << "  " << h << "\n";
      }
      return true;
    case LocalCommand::Kind::kOutput:
      if (!command.argument.empty()) json_output_ = command.argument == "JSON";
      out_ << "Output format: " << (json_output_ ? "JSON" : "TABULAR") << "\n";
      return true;
    case LocalCommand::Kind::kRunScript: {
      if (depth >= kMaxScriptDepth) {
        err_ << "RUN SCRIPT is nested more than " << kMaxScriptDepth << " deep (a script that "
             << "runs itself?)\n";
        return false;
      }
      std::ifstream in(command.argument, std::ios::binary);
      if (!in) {
        err_ << "Cannot read the script '" << command.argument << "'\n";
        return false;
      }
      std::string text;
      text.resize(kMaxScriptBytes + 1);
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
      text.resize(static_cast<size_t>(in.gcount()));
      if (text.size() > kMaxScriptBytes) {
        err_ << "The script '" << command.argument << "' is larger than " << kMaxScriptBytes
             << " bytes\n";
        return false;
      }
      return RunText(text, depth + 1);
    }
  }
  return false;
}

bool Shell::RunStatement(const std::string& statement, int depth) {
  std::string error;
  if (auto client = ParseClientStatement(statement, error)) {
    if (!error.empty()) {
      err_ << error << "\n";
      return false;
    }
    switch (client->kind) {
      case ClientStatement::Kind::kSet: {
        // As ksqlDB's CLI: the server says whether the property may be overridden.
        std::string path = "/is_valid_property/";
        static const char* kHex = "0123456789ABCDEF";
        for (unsigned char c : client->name) {
          if (std::isalnum(c) || c == '.' || c == '_' || c == '-') {
            path += static_cast<char>(c);
          } else {
            path += '%';
            path += kHex[c >> 4];
            path += kHex[c & 15];
          }
        }
        auto valid = client_.Get(path);
        if (!Reached(valid)) return false;
        if (valid->status != 200) {
          json doc = json::parse(valid->body, nullptr, false);
          err_ << (doc.is_object() && doc.contains("message") && doc["message"].is_string()
                       ? doc["message"].get<std::string>()
                       : valid->body)
               << "\n";
          return false;
        }
        properties_[client->name] = client->value;
        out_ << "Successfully changed local property '" << client->name << "' to '" << client->value
             << "'. Use the UNSET command to revert your change.\n";
        return true;
      }
      case ClientStatement::Kind::kUnset: {
        auto it = properties_.find(client->name);
        if (it == properties_.end()) {
          out_ << "Property '" << client->name << "' was not set.\n";
          return true;
        }
        out_ << "Successfully unset local property '" << client->name << "' (value was '"
             << it->second << "').\n";
        properties_.erase(it);
        return true;
      }
      case ClientStatement::Kind::kDefine:
        if (variables_.size() >= 1000 && !variables_.count(client->name)) {
          err_ << "At most 1000 variables may be defined.\n";
          return false;
        }
        variables_[client->name] = client->value;
        return true;
      case ClientStatement::Kind::kUndefine:
        if (variables_.erase(client->name) == 0) {
          out_ << "Variable '" << client->name << "' was not defined.\n";
        }
        return true;
    }
  }
  (void)depth;
  const std::string first = FirstWord(statement);
  if (first == "SELECT") return RunQuery(statement, IsPush(statement));
  if (first == "PRINT") return RunQuery(statement, true);
  return RunKsql(statement);
}

bool Shell::RunKsql(const std::string& statement) {
  auto response = client_.Post("/ksql", Body(statement, false));
  if (!Reached(response)) return false;
  bool failed = false;
  const std::string shown =
      RenderKsqlResponse(response->body, statement, Width(), json_output_, failed);
  (failed ? err_ : out_) << shown;
  const std::string first = FirstWord(statement);
  if (first == "CREATE" || first == "DROP") names_stale_ = true;
  return !failed && response->status == 200;
}

bool Shell::RunQuery(const std::string& statement, bool streaming) {
  cancel_ = false;
  TableRow header;
  std::vector<int> widths;
  std::vector<TableRow> rows;
  std::string error;
  bool is_print = FirstWord(statement) == "PRINT";
  bool first_line = true;
  size_t row_count = 0;
  auto on_line = [&](std::string_view line) {
    if (line.empty()) return true;
    if (is_print) {  // PRINT's lines are for people already
      out_ << line << "\n" << std::flush;
      return true;
    }
    json doc = json::parse(line, nullptr, false);
    if (doc.is_discarded()) {
      out_ << line << "\n";
      return true;
    }
    if (first_line && doc.is_object() && doc.contains("columnNames")) {
      first_line = false;
      for (const json& c : doc["columnNames"])
        header.push_back(c.is_string() ? c.get<std::string>() : c.dump());
      if (json_output_) {
        out_ << doc.dump() << "\n" << std::flush;
      } else if (streaming) {
        widths = StreamingWidths(header, Width());
        out_ << RuleLine(widths) << RowLines(header, widths) << RuleLine(widths) << std::flush;
      }
      return true;
    }
    first_line = false;
    if (doc.is_object()) {  // an error in the stream
      error = doc.contains("message") && doc["message"].is_string()
                  ? doc["message"].get<std::string>()
                  : doc.dump();
      return false;
    }
    ++row_count;
    if (json_output_) {
      out_ << doc.dump() << "\n" << std::flush;
      return true;
    }
    TableRow cells;
    if (doc.is_array()) {
      for (const json& v : doc) cells.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
    if (streaming) {
      out_ << RowLines(cells, widths) << std::flush;
    } else {
      rows.push_back(std::move(cells));
      if (rows.size() > 1000000) {
        error = "more than 1 000 000 rows: add a LIMIT";
        return false;
      }
    }
    return true;
  };
  auto response = client_.StreamLines("/query-stream", Body(statement, true), on_line, cancel_);
  const bool cancelled = cancel_.exchange(false);
  if (!Reached(response)) {
    if (cancelled) {
      out_ << "Query terminated\n";
      return true;
    }
    return false;
  }
  if (response->status != 200) {
    bool failed = false;
    err_ << RenderKsqlResponse(response->body, statement, Width(), json_output_, failed);
    return false;
  }
  if (!error.empty()) {
    if (streaming && !json_output_ && !widths.empty()) out_ << RuleLine(widths);
    err_ << RenderError(error, statement);
    return false;
  }
  if (!json_output_ && !is_print) {
    if (streaming) {
      if (cancelled) out_ << "\n";  // past the terminal's "^C"
      if (!widths.empty()) out_ << RuleLine(widths);
    } else if (!header.empty()) {
      out_ << RenderTable(header, rows, Width());
    }
  }
  if (streaming) {
    out_ << "Query terminated\n";
  } else if (!is_print) {
    out_ << row_count << (row_count == 1 ? " row" : " rows") << "\n";
  }
  return true;
}

}  // namespace brook::shell
