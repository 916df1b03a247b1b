#include "cli/shell/migrations.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/shell/render.h"
#include "cli/shell/rest_client.h"
#include "cli/shell/shell.h"
#include "cli/shell/statements.h"

namespace brook::shell {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kPropertiesFile = "ksql-migrations.properties";
constexpr size_t kMaxFileBytes = 16u << 20;

const char* kUsage =
    "usage: brook migrations [--config-file FILE] COMMAND [ARGS]\n"
    "\n"
    "  new-project PATH URL      a project folder: ksql-migrations.properties and migrations/\n"
    "  initialize-metadata       create the MIGRATION_EVENTS stream and the\n"
    "                            MIGRATION_SCHEMA_VERSIONS table on the server\n"
    "  create [-v N] DESCRIPTION a new migration file migrations/V00000N__DESCRIPTION.sql\n"
    "  apply (--all | --next | --until N | --version N) [--define NAME=VALUE ...] [--dry-run]\n"
    "                            run the migrations not applied yet, in version order\n"
    "  info                      the current version and every migration's state\n"
    "  validate                  check that applied files are unchanged (checksums)\n"
    "  destroy-metadata          drop the metadata stream and table (and their topics)\n"
    "\n"
    "--config-file defaults to ./ksql-migrations.properties. See docs/migrations.md.\n";

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::optional<std::string> ReadFile(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    error = path + " is larger than " + std::to_string(kMaxFileBytes) + " bytes";
    return std::nullopt;
  }
  return text;
}

// ksql-migrations shows recorded times (epoch milliseconds) as "yyyy-MM-dd HH:mm:ss.SSS z".
std::string ShowTime(const std::string& millis) {
  if (millis.empty() || millis.size() > 18 ||
      millis.find_first_not_of("0123456789") != std::string::npos) {
    return millis;
  }
  const long long ms = std::atoll(millis.c_str());
  const time_t secs = static_cast<time_t>(ms / 1000);
  tm local{};
  localtime_r(&secs, &local);
  char date[64];
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &local);
  char zone[16];
  std::strftime(zone, sizeof(zone), "%Z", &local);
  char out[96];
  std::snprintf(out, sizeof(out), "%s.%03lld %s", date, ms % 1000, zone);
  return out;
}

std::string NowMillis() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

// One row of MIGRATION_SCHEMA_VERSIONS.
struct VersionRow {
  std::string version, name, state, checksum, started_on, completed_on, previous, error_reason;
};

class Migrations {
 public:
  Migrations(std::map<std::string, std::string> config, fs::path project)
      : config_(std::move(config)), project_(std::move(project)) {}

  bool Init(std::string& error) {
    auto server = ParseServerUrl(Get("ksql.server.url", "http://localhost:8088"));
    if (!server.ok()) {
      error = server.status().message();
      return false;
    }
    RestClient::Options options;
    options.server = *server;
    options.user = Get("ksql.auth.basic.username", "");
    options.password = Get("ksql.auth.basic.password", "");
    client_ = std::make_unique<RestClient>(options);
    return true;
  }

  std::string Get(const std::string& key, const std::string& fallback) const {
    auto it = config_.find(key);
    return it == config_.end() || it->second.empty() ? fallback : it->second;
  }
  std::string Stream() const { return Get("ksql.migrations.stream.name", "MIGRATION_EVENTS"); }
  std::string Table() const {
    return Get("ksql.migrations.table.name", "MIGRATION_SCHEMA_VERSIONS");
  }
  fs::path Dir() const {
    const std::string o = Get("ksql.migrations.dir.override", "");
    return o.empty() ? project_ / "migrations" : fs::path(o);
  }

  // Runs statements against the server; the shell's messages go to `out` / `err`.
  bool Run(const std::string& sql, std::ostream& out, std::ostream& err,
           const std::map<std::string, std::string>& defines = {}) {
    Shell shell(*client_, out, err, cancel_);
    shell.set_width(200);
    for (const auto& [k, v] : defines) shell.Define(k, v);
    return shell.RunText(sql);
  }

  // The table's rows by VERSION_KEY (a pull query); nullopt (and `error`) when it cannot be read.
  std::optional<std::map<std::string, VersionRow>> Versions(std::string& error) {
    json body = {{"sql", "SELECT * FROM " + Table() + ";"}, {"properties", json::object()}};
    std::vector<std::string> columns;
    std::map<std::string, VersionRow> rows;
    std::string stream_error;
    // Values are read only where they have the expected type: a server's answer in another shape
    // is an error message, never a crash.
    auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); };
    auto on_line = [&](std::string_view line) {
      if (line.empty()) return true;
      json doc = json::parse(line, nullptr, false);
      if (doc.is_object() && doc.contains("columnNames") && doc["columnNames"].is_array()) {
        for (const json& c : doc["columnNames"]) columns.push_back(text(c));
        return true;
      }
      if (doc.is_object()) {
        stream_error = doc.contains("message") ? text(doc["message"]) : doc.dump();
        if (stream_error.empty()) stream_error = doc.dump();
        return false;
      }
      if (!doc.is_array()) return true;
      std::map<std::string, std::string> r;
      for (size_t i = 0; i < doc.size() && i < columns.size(); ++i) r[columns[i]] = text(doc[i]);
      rows[r["VERSION_KEY"]] =
          VersionRow{r["VERSION"],    r["NAME"],         r["STATE"],    r["CHECKSUM"],
                     r["STARTED_ON"], r["COMPLETED_ON"], r["PREVIOUS"], r["ERROR_REASON"]};
      return true;
    };
    auto response = client_->StreamLines("/query-stream", body.dump(), on_line, cancel_);
    if (!response.ok()) {
      error = "cannot reach the server at " + client_->options().server.url() + ": " +
              response.status().message();
      return std::nullopt;
    }
    if (response->status != 200) {
      json doc = json::parse(response->body, nullptr, false);
      error = doc.is_object() && doc.contains("message") && doc["message"].is_string()
                  ? doc["message"].get<std::string>()
                  : response->body;
      if (error.find("does not exist") != std::string::npos ||
          error.find("not exist") != std::string::npos) {
        error = "the migrations metadata is missing (" + Table() +
                "): run `brook migrations initialize-metadata` first";
      }
      return std::nullopt;
    }
    if (!stream_error.empty()) {
      error = stream_error;
      return std::nullopt;
    }
    return rows;
  }

  // The migration files of the project, by version; duplicates and bad names are errors.
  std::optional<std::map<int, MigrationFile>> Files(std::string& error) {
    std::map<int, MigrationFile> files;
    std::error_code ec;
    if (!fs::is_directory(Dir(), ec)) {
      error = "no migrations folder at " + Dir().string();
      return std::nullopt;
    }
    for (const auto& entry : fs::directory_iterator(Dir(), ec)) {
      if (!entry.is_regular_file()) continue;
      const std::string name = entry.path().filename().string();
      if (name.size() < 4 || name.substr(name.size() - 4) != ".sql") continue;
      auto f = ParseMigrationFileName(name);
      if (!f) {
        std::cerr << "Skipping " << entry.path().string()
                  << ": not a migration file name (V<6 digits>__<Name>.sql)\n";
        continue;
      }
      f->path = entry.path().string();
      if (files.count(f->version)) {
        error = "two migration files have version " + std::to_string(f->version) + ": " +
                files[f->version].path + " and " + f->path;
        return std::nullopt;
      }
      files[f->version] = *f;
    }
    return files;
  }

  // Inserts one event for `row` under its version and under CURRENT, and waits until the table
  // shows it (bounded), so the next reader sees it.
  bool Record(const VersionRow& row, std::string& error) {
    std::string sql;
    for (const std::string& key : {row.version, std::string("CURRENT")}) {
      sql += "INSERT INTO " + Stream() +
             " (VERSION_KEY, VERSION, NAME, STATE, CHECKSUM, STARTED_ON, COMPLETED_ON, PREVIOUS, "
             "ERROR_REASON) VALUES (" +
             Quote(key) + ", " + Quote(row.version) + ", " + Quote(row.name) + ", " +
             Quote(row.state) + ", " + Quote(row.checksum) + ", " + Quote(row.started_on) + ", " +
             Quote(row.completed_on) + ", " + Quote(row.previous) + ", " + Quote(row.error_reason) +
             ");\n";
    }
    std::ostringstream out, err;
    if (!Run(sql, out, err)) {
      error = "cannot record the migration's state: " + err.str();
      return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string read_error;
      auto rows = Versions(read_error);
      if (rows) {
        auto it = rows->find("CURRENT");
        if (it != rows->end() && it->second.version == row.version &&
            it->second.state == row.state) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    error = "the server did not show the recorded state of version " + row.version + " within 30 s";
    return false;
  }

  std::string ServiceId() {
    auto info = client_->Get("/info");
    if (!info.ok() || info->status != 200) return "default_";
    json doc = json::parse(info->body, nullptr, false);
    if (doc.is_object() && doc.contains("KsqlServerInfo") && doc["KsqlServerInfo"].is_object() &&
        doc["KsqlServerInfo"].contains("ksqlServiceId") &&
        doc["KsqlServerInfo"]["ksqlServiceId"].is_string()) {
      return doc["KsqlServerInfo"]["ksqlServiceId"].get<std::string>();
    }
    return "default_";
  }

  int InitializeMetadata() {
    const std::string replicas = Get("ksql.migrations.topic.replicas", "1");
    // ksql-migrations' default topics: the server's service id, "ksql_", the name.
    const std::string service = ServiceId();
    const std::string stream_topic =
        Get("ksql.migrations.stream.topic.name", service + "ksql_" + Stream());
    const std::string table_topic =
        Get("ksql.migrations.table.topic.name", service + "ksql_" + Table());
    const std::string sql =
        "CREATE STREAM " + Stream() +
        " (VERSION_KEY STRING KEY, VERSION STRING, NAME STRING, STATE STRING, CHECKSUM STRING, "
        "STARTED_ON STRING, COMPLETED_ON STRING, PREVIOUS STRING, ERROR_REASON STRING) WITH "
        "(KAFKA_TOPIC=" +
        Quote(stream_topic) + ", VALUE_FORMAT='JSON', PARTITIONS=1, REPLICAS=" + replicas +
        ");\n"
        "CREATE TABLE " +
        Table() + " WITH (KAFKA_TOPIC=" + Quote(table_topic) +
        ") AS SELECT VERSION_KEY, LATEST_BY_OFFSET(VERSION) AS VERSION, LATEST_BY_OFFSET(NAME) AS "
        "NAME, LATEST_BY_OFFSET(STATE) AS STATE, LATEST_BY_OFFSET(CHECKSUM) AS CHECKSUM, "
        "LATEST_BY_OFFSET(STARTED_ON) AS STARTED_ON, LATEST_BY_OFFSET(COMPLETED_ON) AS "
        "COMPLETED_ON, LATEST_BY_OFFSET(PREVIOUS) AS PREVIOUS, LATEST_BY_OFFSET(ERROR_REASON) AS "
        "ERROR_REASON FROM " +
        Stream() + " GROUP BY VERSION_KEY;\n";
    std::ostringstream out;
    if (!Run(sql, out, std::cerr)) {
      std::cerr << "Failed to initialize the migrations metadata.\n";
      return 1;
    }
    std::cout << "Created the migrations metadata: stream " << Stream() << " (topic "
              << stream_topic << ") and table " << Table() << " (topic " << table_topic << ").\n";
    return 0;
  }

  int DestroyMetadata() {
    std::ostringstream out, err;
    // The query that writes the table goes first.
    auto described = client_->Post("/ksql", json{{"ksql", "DESCRIBE " + Table() + ";"}}.dump());
    if (described.ok() && described->status == 200) {
      json doc = json::parse(described->body, nullptr, false);
      const json* queries = nullptr;
      if (doc.is_array() && !doc.empty() && doc[0].is_object() &&
          doc[0].contains("sourceDescription") && doc[0]["sourceDescription"].is_object() &&
          doc[0]["sourceDescription"].contains("writeQueries") &&
          doc[0]["sourceDescription"]["writeQueries"].is_array()) {
        queries = &doc[0]["sourceDescription"]["writeQueries"];
      }
      if (queries) {
        for (const json& q : *queries) {
          const std::string id = q.is_object() && q.contains("id") && q["id"].is_string()
                                     ? q["id"].get<std::string>()
                                     : "";
          if (!id.empty() && !Run("TERMINATE " + id + ";", out, err)) {
            std::cerr << "Failed to terminate " << id << ":\n" << err.str();
            return 1;
          }
        }
      }
    }
    // Topics go too, as ksql-migrations does; a broker that cannot delete topics (the embedded
    // one) keeps them, and the user is told.
    auto drop = [&](const std::string& kind, const std::string& name) {
      std::ostringstream first_err;
      if (Run("DROP " + kind + " IF EXISTS " + name + " DELETE TOPIC;", out, first_err))
        return true;
      if (first_err.str().find("cannot delete topics") == std::string::npos) {
        err << first_err.str();
        return false;
      }
      std::cout << "The broker cannot delete topics: the topic of " << name << " stays.\n";
      return Run("DROP " + kind + " IF EXISTS " + name + ";", out, err);
    };
    const bool table = drop("TABLE", Table());
    const bool stream = drop("STREAM", Stream());
    if (!table || !stream) {
      std::cerr << "Failed to drop the migrations metadata:\n" << err.str();
      return 1;
    }
    std::cout << "Dropped " << Table() << " and " << Stream() << " and their topics.\n";
    return 0;
  }

  // Checks every applied version against its file. Prints problems; false if any.
  bool Check(const std::map<std::string, VersionRow>& rows,
             const std::map<int, MigrationFile>& files) {
    bool ok = true;
    for (const auto& [key, row] : rows) {
      if (key == "CURRENT" || row.state != "MIGRATED") continue;
      const int version = std::atoi(row.version.c_str());
      auto f = files.find(version);
      if (f == files.end()) {
        std::cerr << "Version " << row.version << " was applied but its file is missing from "
                  << Dir().string() << "\n";
        ok = false;
        continue;
      }
      std::string error;
      auto text = ReadFile(f->second.path, error);
      if (!text) {
        std::cerr << error << "\n";
        ok = false;
        continue;
      }
      if (MigrationChecksum(*text) != row.checksum) {
        std::cerr << "Version " << row.version << " (" << f->second.path
                  << ") has changed since it was applied: checksum " << MigrationChecksum(*text)
                  << ", applied " << row.checksum << "\n";
        ok = false;
      }
    }
    return ok;
  }

  // The server's version rows and the project's files; nullopt after printing why not.
  struct Project {
    std::map<std::string, VersionRow> rows;
    std::map<int, MigrationFile> files;
  };
  std::optional<Project> Load() {
    std::string error;
    auto rows = Versions(error);
    if (!rows) {
      Fail(error);
      return std::nullopt;
    }
    auto files = Files(error);
    if (!files) {
      Fail(error);
      return std::nullopt;
    }
    return Project{std::move(*rows), std::move(*files)};
  }

  int Validate() {
    auto project = Load();
    if (!project) return 1;
    if (!Check(project->rows, project->files)) {
      std::cerr << "Validation failed.\n";
      return 1;
    }
    std::cout << "Validation passed: every applied migration matches its file.\n";
    return 0;
  }

  int Info() {
    auto project = Load();
    if (!project) return 1;
    const auto* rows = &project->rows;
    const auto* files = &project->files;
    auto current = rows->find("CURRENT");
    std::cout << "Current migration version: "
              << (current == rows->end() ? std::string("<none>") : current->second.version) << "\n";
    std::vector<TableRow> table;
    std::map<int, bool> shown;
    for (const auto& [version, file] : *files) {
      auto it = rows->find(std::to_string(version));
      if (it == rows->end()) {
        table.push_back(
            {std::to_string(version), file.name, "PENDING", "N/A", "N/A", "N/A", "N/A"});
      } else {
        const VersionRow& r = it->second;
        table.push_back({r.version, r.name, r.state, r.previous, ShowTime(r.started_on),
                         ShowTime(r.completed_on), r.error_reason});
      }
      shown[version] = true;
    }
    for (const auto& [key, r] : *rows) {  // applied versions whose file is gone
      if (key == "CURRENT" || shown.count(std::atoi(key.c_str()))) continue;
      table.push_back({r.version, r.name, r.state + " (file missing)", r.previous,
                       ShowTime(r.started_on), ShowTime(r.completed_on), r.error_reason});
    }
    std::cout << RenderTable({"Version", "Name", "State", "Previous Version", "Started On",
                              "Completed On", "Error Reason"},
                             table, 160);
    return 0;
  }

  int Apply(const std::string& mode, int target, bool dry_run,
            const std::map<std::string, std::string>& defines) {
    std::string error;
    auto project = Load();
    if (!project) return 1;
    const auto* rows = &project->rows;
    const auto* files = &project->files;
    if (!Check(*rows, *files)) {
      std::cerr << "Not applying: fix the files above (or the metadata) first.\n";
      return 1;
    }
    int current = 0;
    std::string current_text;
    if (auto c = rows->find("CURRENT"); c != rows->end()) {
      // A version in ERROR (or left RUNNING by an apply that stopped) is tried again, as
      // ksql-migrations does: the current version is the latest one MIGRATED.
      std::string v = c->second.version;
      for (int hops = 0; hops < 100000 && !v.empty() && v != "<none>"; ++hops) {
        auto it = rows->find(v);
        if (it == rows->end()) break;
        if (it->second.state == "MIGRATED") {
          current = std::atoi(v.c_str());
          current_text = v;
          break;
        }
        if (v == c->second.version) {
          std::cout << "Version " << v << " is " << it->second.state
                    << (it->second.state == "ERROR" ? " (" + it->second.error_reason + ")" : "")
                    << "; trying it again.\n";
        }
        v = it->second.previous;
      }
    }
    std::vector<MigrationFile> todo;
    for (const auto& [version, file] : *files) {
      if (version <= current) continue;
      if (mode == "next" && !todo.empty()) break;
      if (mode == "until" && version > target) break;
      if (mode == "version" && version != target) continue;
      todo.push_back(file);
    }
    if (mode == "version" && !files->count(target)) {
      return Fail("No migration file with version " + std::to_string(target) + " exists.");
    }
    if (mode == "version" && target <= current) {
      return Fail(
          "Version must be newer than the last version migrated. Last version migrated "
          "was " +
          current_text);
    }
    if (todo.empty()) {
      std::cout << "Nothing to apply: the current version is "
                << (current_text.empty() ? "<none>" : current_text) << ".\n";
      return 0;
    }
    std::string previous = current_text.empty() ? "<none>" : current_text;
    for (const MigrationFile& f : todo) {
      auto text = ReadFile(f.path, error);
      if (!text) return Fail(error);
      const std::string version = std::to_string(f.version);
      if (dry_run) {
        std::cout << "Would apply version " << version << " (" << f.name << ") from " << f.path
                  << ":\n"
                  << *text << (text->empty() || text->back() == '\n' ? "" : "\n");
        continue;
      }
      for (std::string rest = *text; const std::string& s : TakeStatements(rest)) {
        const std::string first = FirstWord(s);
        if (first == "SELECT" || first == "PRINT") {
          return Fail("version " + version + ": " + first +
                      " statements are not allowed in migrations");
        }
      }
      std::cout << "Applying version " << version << " (" << f.name << ")...\n";
      VersionRow row{version,     f.name, "RUNNING", MigrationChecksum(*text),
                     NowMillis(), "",     previous,  ""};
      if (!Record(row, error)) return Fail(error);
      std::ostringstream out, err;
      const bool ok = Run(*text, out, err, defines);
      std::cout << out.str();
      row.completed_on = NowMillis();
      if (!ok) {
        std::cerr << err.str();
        row.state = "ERROR";
        std::string reason = err.str();
        if (const size_t nl = reason.find('\n'); nl != std::string::npos) reason.resize(nl);
        row.error_reason = "Failed to execute sql: " + reason.substr(0, 500);
        std::string record_error;
        if (!Record(row, record_error)) std::cerr << record_error << "\n";
        std::cerr << "Version " << version << " failed and is recorded as ERROR; nothing after it "
                  << "was applied.\n";
        return 1;
      }
      row.state = "MIGRATED";
      if (!Record(row, error)) return Fail(error);
      std::cout << "Applied version " << version << ".\n";
      previous = version;
    }
    return 0;
  }

  static int Fail(const std::string& error) {
    std::cerr << "brook migrations: " << error << "\n";
    return 1;
  }

 private:
  std::map<std::string, std::string> config_;
  fs::path project_;
  std::unique_ptr<RestClient> client_;
  std::atomic<bool> cancel_{false};
};

int NewProject(const std::string& path, const std::string& url) {
  std::error_code ec;
  if (fs::exists(fs::path(path) / kPropertiesFile, ec)) {
    std::cerr << "brook migrations: " << path << " already has a " << kPropertiesFile << "\n";
    return 1;
  }
  auto server = ParseServerUrl(url);
  if (!server.ok()) {
    std::cerr << "brook migrations: " << server.status().message() << "\n";
    return 1;
  }
  fs::create_directories(fs::path(path) / "migrations", ec);
  if (ec) {
    std::cerr << "brook migrations: cannot create " << path << ": " << ec.message() << "\n";
    return 1;
  }
  std::ofstream props(fs::path(path) / kPropertiesFile);
  // ksql-migrations' template: the server, then every other key commented out with its default.
  props << "ksql.server.url=" << url << "\n\n"
        << "# Migrations metadata configs:\n"
        << "# ksql.migrations.stream.name=MIGRATION_EVENTS\n"
        << "# ksql.migrations.table.name=MIGRATION_SCHEMA_VERSIONS\n"
        << "# ksql.migrations.stream.topic.name=ksql-service-idksql_MIGRATION_EVENTS\n"
        << "# ksql.migrations.table.topic.name=ksql-service-idksql_MIGRATION_SCHEMA_VERSIONS\n"
        << "# ksql.migrations.topic.replicas=1\n\n"
        << "# TLS configs (brook migrations speaks plain HTTP and refuses https:// URLs):\n"
        << "# ssl.truststore.location=\n# ssl.truststore.password=\n"
        << "# ssl.keystore.location=\n# ssl.keystore.password=\n"
        << "# ssl.key.password=\n# ssl.key.alias=\n# ssl.alpn=false\n# ssl.verify.host=true\n\n"
        << "# ksqlDB server authentication configs:\n"
        << "# ksql.auth.basic.username=\n# ksql.auth.basic.password=\n\n"
        << "# Migrations directory configs:\n"
        << "# ksql.migrations.dir.override=\n";
  if (!props) {
    std::cerr << "brook migrations: cannot write " << kPropertiesFile << "\n";
    return 1;
  }
  std::cout << "Created the migrations project " << path << " (" << kPropertiesFile
            << ", migrations/).\n";
  return 0;
}

}  // namespace

std::optional<MigrationFile> ParseMigrationFileName(const std::string& file_name) {
  // ksql-migrations' pattern: V([0-9]{6})__(.+)\.sql
  if (file_name.size() < 13 || file_name[0] != 'V' || file_name.compare(7, 2, "__") != 0) {
    return std::nullopt;
  }
  if (file_name.substr(file_name.size() - 4) != ".sql") return std::nullopt;
  const std::string digits = file_name.substr(1, 6);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  MigrationFile f;
  f.version = std::atoi(digits.c_str());
  if (f.version <= 0) return std::nullopt;
  f.name = file_name.substr(9, file_name.size() - 4 - 9);
  if (f.name.empty() || f.name.size() > 255) return std::nullopt;
  std::replace(f.name.begin(), f.name.end(), '_', ' ');
  return f;
}

std::string MigrationFileName(int version, const std::string& description) {
  char v[16];
  std::snprintf(v, sizeof(v), "V%06d__", version);
  // ksql-migrations replaces blanks and characters file systems refuse with '_'.
  std::string name;
  for (char c : description) {
    const bool bad = std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '\\' ||
                     c == ':' || c == '*' || c == '?' || c == '"' || c == '<' || c == '>' ||
                     c == '|';
    name += bad ? '_' : c;
  }
  return v + name + ".sql";
}

std::string MigrationChecksum(const std::string& contents) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(contents.data(), contents.size(), digest, &n, EVP_md5(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::map<std::string, std::string> ReadProperties(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  auto trim = [](std::string s) {
    const size_t b = s.find_first_not_of(" \t\r");
    const size_t e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    const size_t eq = line.find_first_of("=:");
    if (eq == std::string::npos) continue;
    out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return out;
}

int MigrationsMain(int argc, char** argv) {
  std::string config_file = kPropertiesFile;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--config-file" || a == "-c") && i + 1 < argc) {
      config_file = argv[++i];
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      args.push_back(a);
    }
  }
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = args[0];
  if (command == "new-project") {
    if (args.size() != 3) {
      std::cerr << "usage: brook migrations new-project PATH SERVER_URL\n";
      return 2;
    }
    return NewProject(args[1], args[2]);
  }
  std::string error;
  auto text = ReadFile(config_file, error);
  if (!text) {
    std::cerr << "brook migrations: " << error << " (run it in a project folder, or pass "
              << "--config-file; `new-project` makes one)\n";
    return 1;
  }
  Migrations m(ReadProperties(*text), fs::absolute(config_file).parent_path());
  if (!m.Init(error)) return Migrations::Fail(error);
  if (command == "initialize-metadata") return m.InitializeMetadata();
  if (command == "destroy-metadata") return m.DestroyMetadata();
  if (command == "info") return m.Info();
  if (command == "validate") return m.Validate();
  if (command == "create") {
    int version = 0;
    std::string description;
    for (size_t i = 1; i < args.size(); ++i) {
      if ((args[i] == "-v" || args[i] == "--version") && i + 1 < args.size()) {
        version = std::atoi(args[++i].c_str());
        if (version <= 0 || version > 999999) return Migrations::Fail("bad version " + args[i]);
      } else {
        description += (description.empty() ? "" : " ") + args[i];
      }
    }
    if (description.empty()) return Migrations::Fail("create needs a description");
    if (description.size() > 200) {
      return Migrations::Fail("a description is at most 200 characters");
    }
    auto files = m.Files(error);
    if (!files) return Migrations::Fail(error);
    if (version == 0) version = files->empty() ? 1 : files->rbegin()->first + 1;
    if (files->count(version)) {
      return Migrations::Fail("version " + std::to_string(version) +
                              " exists: " + (*files)[version].path);
    }
    const fs::path path = m.Dir() / MigrationFileName(version, description);
    std::ofstream out(path);
    out << "-- " << description << "\n";
    if (!out) return Migrations::Fail("cannot write " + path.string());
    std::cout << "Created " << path.string() << "\n";
    return 0;
  }
  if (command == "apply") {
    std::string mode;
    int target = 0;
    bool dry_run = false;
    std::map<std::string, std::string> defines;
    for (size_t i = 1; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--all" || a == "-a") {
        mode = mode.empty() ? "all" : "conflict";
      } else if (a == "--next" || a == "-n") {
        mode = mode.empty() ? "next" : "conflict";
      } else if ((a == "--until" || a == "-u" || a == "--version" || a == "-v") &&
                 i + 1 < args.size()) {
        mode = mode.empty() ? ((a == "--until" || a == "-u") ? "until" : "version") : "conflict";
        target = std::atoi(args[++i].c_str());
        if (target <= 0 || target > 999999) {
          return Migrations::Fail("Version must fit into a six-digit integer: " + args[i]);
        }
      } else if (a == "--dry-run") {
        dry_run = true;
      } else if ((a == "--define" || a == "-d") && i + 1 < args.size()) {
        const std::string d = args[++i];
        const size_t eq = d.find('=');
        if (eq == std::string::npos || eq == 0)
          return Migrations::Fail("--define takes NAME=VALUE");
        defines[d.substr(0, eq)] = d.substr(eq + 1);
      } else {
        return Migrations::Fail("apply: unexpected '" + a + "'");
      }
    }
    if (mode.empty() || mode == "conflict") {
      return Migrations::Fail("apply needs exactly one of --all, --next, --until N, --version N");
    }
    return m.Apply(mode, target, dry_run, defines);
  }
  std::cerr << "brook migrations: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace brook::shell
