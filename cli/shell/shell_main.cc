// brook: the interactive SQL shell of brook (ksqlDB's `ksql` CLI), and `brook migrations`.
//
//   brook [http://host:8088] [--user U] [--execute "SQL" | --file F.sql] [--output JSON|TABULAR]
//         [--define name=value ...] [--startup "SQL"]
//   brook migrations ...            (see docs/migrations.md)
//
// The password for --user comes from the environment (BROOK_PASSWORD) or is asked for.
// Interactive when standard input is a terminal and neither --execute nor --file is given;
// otherwise the statements run in order and the exit status is 1 at the first failure.
#include <editline/readline.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/shell/migrations.h"
#include "cli/shell/rest_client.h"
#include "cli/shell/shell.h"
#include "cli/shell/statements.h"

namespace {

std::atomic<bool> g_cancel{false};

void OnSigint(int) { g_cancel = true; }

void Usage(std::ostream& out) {
  out << "usage: brook [http://HOST:PORT] [--user USER] [--execute \"SQL\" | --file FILE.sql]\n"
         "             [--output JSON|TABULAR] [--define NAME=VALUE ...]\n"
         "       brook migrations [--config-file F] COMMAND ...   (brook migrations --help)\n"
         "\n"
         "  URL              brookd's REST address (default http://localhost:8088)\n"
         "  --user USER      Basic authentication; the password comes from BROOK_PASSWORD or\n"
         "                   is asked for\n"
         "  --execute SQL    run the statements and exit (status 1 at the first error)\n"
         "  --file FILE      run the statements of FILE and exit (status 1 at the first error)\n"
         "  --output FORMAT  TABULAR (default) or JSON\n"
         "  --define N=V     a session variable, as DEFINE N = 'V';\n"
         "  --startup SQL    run these statements first, then the prompt (a push query runs\n"
         "                   until Ctrl-C)\n";
}

std::string AskPassword(const std::string& user) {
  std::cerr << "Password for " << user << ": " << std::flush;
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return password;
}

// Tab completion: SQL keywords and the server's stream and table names.
brook::shell::Shell* g_shell = nullptr;
const char* const kKeywords[] = {"SELECT",
                                 "FROM",
                                 "WHERE",
                                 "GROUP",
                                 "BY",
                                 "PARTITION",
                                 "HAVING",
                                 "EMIT",
                                 "CHANGES",
                                 "FINAL",
                                 "LIMIT",
                                 "CREATE",
                                 "STREAM",
                                 "TABLE",
                                 "AS",
                                 "WITH",
                                 "INSERT",
                                 "INTO",
                                 "VALUES",
                                 "DROP",
                                 "DELETE",
                                 "TOPIC",
                                 "IF",
                                 "EXISTS",
                                 "SHOW",
                                 "LIST",
                                 "STREAMS",
                                 "TABLES",
                                 "QUERIES",
                                 "TOPICS",
                                 "PROPERTIES",
                                 "FUNCTIONS",
                                 "VARIABLES",
                                 "TYPES",
                                 "DESCRIBE",
                                 "EXTENDED",
                                 "EXPLAIN",
                                 "TERMINATE",
                                 "ALL",
                                 "PRINT",
                                 "WINDOW",
                                 "TUMBLING",
                                 "HOPPING",
                                 "SESSION",
                                 "SLIDING",
                                 "SIZE",
                                 "ADVANCE",
                                 "GRACE",
                                 "PERIOD",
                                 "RETENTION",
                                 "JOIN",
                                 "LEFT",
                                 "RIGHT",
                                 "FULL",
                                 "OUTER",
                                 "INNER",
                                 "ON",
                                 "WITHIN",
                                 "AND",
                                 "OR",
                                 "NOT",
                                 "NULL",
                                 "IS",
                                 "BETWEEN",
                                 "LIKE",
                                 "IN",
                                 "CASE",
                                 "WHEN",
                                 "THEN",
                                 "ELSE",
                                 "END",
                                 "CAST",
                                 "KEY",
                                 "PRIMARY",
                                 "HEADERS",
                                 "HEADER",
                                 "SET",
                                 "UNSET",
                                 "DEFINE",
                                 "UNDEFINE",
                                 "RUN",
                                 "SCRIPT",
                                 "OUTPUT",
                                 "JSON",
                                 "TABULAR",
                                 "HELP",
                                 "EXIT",
                                 "HISTORY",
                                 "CLEAR",
                                 "BIGINT",
                                 "INT",
                                 "INTEGER",
                                 "DOUBLE",
                                 "BOOLEAN",
                                 "STRING",
                                 "VARCHAR",
                                 "DECIMAL",
                                 "BYTES",
                                 "DATE",
                                 "TIME",
                                 "TIMESTAMP",
                                 "ARRAY",
                                 "MAP",
                                 "STRUCT",
                                 "SECONDS",
                                 "MINUTES",
                                 "HOURS",
                                 "DAYS",
                                 "MILLISECONDS",
                                 "COUNT",
                                 "SUM",
                                 "AVG",
                                 "MIN",
                                 "MAX",
                                 "COUNT_DISTINCT",
                                 "LATEST_BY_OFFSET",
                                 "EARLIEST_BY_OFFSET",
                                 "COLLECT_LIST",
                                 "TOPK",
                                 "WINDOWSTART",
                                 "WINDOWEND",
                                 "ROWTIME",
                                 "ROWPARTITION",
                                 "ROWOFFSET",
                                 "BEGINNING"};

std::vector<std::string> g_candidates;

char* NextCandidate(const char* text, int state) {
  static size_t index;
  if (state == 0) {
    index = 0;
    g_candidates.clear();
    const std::string prefix(text);
    std::string upper = prefix;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const bool lower = !prefix.empty() && std::islower(static_cast<unsigned char>(prefix[0]));
    auto offer = [&](std::string word) {
      if (word.rfind(upper, 0) != 0) return;
      if (lower) {
        for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      g_candidates.push_back(std::move(word));
    };
    for (const char* k : kKeywords) offer(k);
    if (g_shell) {
      for (const std::string& n : g_shell->Names()) offer(n);
    }
  }
  if (index >= g_candidates.size()) return nullptr;
  return strdup(g_candidates[index++].c_str());
}

char** Complete(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // no file names
  return rl_completion_matches(text, NextCandidate);
}

std::string HistoryFile() {
  if (const char* f = std::getenv("BROOK_HISTORY_FILE")) return f;
  if (const char* home = std::getenv("HOME")) return std::string(home) + "/.brook_history";
  return "";
}

int Interactive(brook::shell::Shell& shell) {
  const std::string history = HistoryFile();
  using_history();
  stifle_history(2000);
  if (!history.empty()) read_history(history.c_str());
  g_shell = &shell;
  rl_attempted_completion_function = Complete;
  shell.set_history_source([] {
    std::vector<std::string> out;
    for (int i = history_base; i < history_base + history_length; ++i) {
      if (HIST_ENTRY* e = history_get(i)) out.emplace_back(e->line);
    }
    return out;
  });

  std::string buffer;  // an unfinished statement
  while (!shell.exit_requested()) {
    g_cancel = false;
    char* raw = readline(brook::shell::IsBlank(buffer) ? "brook> " : "     > ");
    if (raw == nullptr) {
      if (g_cancel) {  // Ctrl-C at the prompt: drop the unfinished statement
        std::cout << "\n";
        buffer.clear();
        continue;
      }
      std::cout << "\n";
      break;  // Ctrl-D
    }
    std::string line(raw);
    std::free(raw);
    if (g_cancel) {
      buffer.clear();
      continue;
    }
    if (!brook::shell::IsBlank(line)) {
      add_history(line.c_str());
      if (!history.empty()) write_history(history.c_str());
    }
    if (brook::shell::IsBlank(buffer)) {
      if (auto command = brook::shell::ParseLocalCommand(line)) {
        buffer.clear();
        shell.RunCommand(*command);
        continue;
      }
    }
    buffer += line;
    buffer += '\n';
    if (buffer.size() > brook::shell::Shell::kMaxScriptBytes) {
      std::cerr << "The statement is longer than " << brook::shell::Shell::kMaxScriptBytes
                << " bytes; dropped.\n";
      buffer.clear();
      continue;
    }
    for (const std::string& statement : brook::shell::TakeStatements(buffer)) {
      shell.RunStatement(statement);
      std::cout << std::flush;
      if (shell.exit_requested()) break;
    }
  }
  if (!history.empty()) write_history(history.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "migrations") {
    return brook::shell::MigrationsMain(argc - 1, argv + 1);
  }
  std::string url = "http://localhost:8088";
  std::string user;
  std::string execute;
  std::string file;
  std::string startup;
  bool have_execute = false;
  bool json_output = false;
  std::vector<std::pair<std::string, std::string>> defines;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "brook: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      Usage(std::cout);
      return 0;
    } else if (a == "--user" || a == "-u") {
      user = value();
    } else if (a == "--execute" || a == "-e") {
      execute = value();
      have_execute = true;
    } else if (a == "--file" || a == "-f") {
      file = value();
    } else if (a == "--startup") {
      startup = value();
    } else if (a == "--output") {
      std::string f = value();
      for (char& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (f != "JSON" && f != "TABULAR") {
        std::cerr << "brook: --output is JSON or TABULAR\n";
        return 2;
      }
      json_output = f == "JSON";
    } else if (a == "--define" || a == "-d") {
      const std::string d = value();
      const size_t eq = d.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "brook: --define expects NAME=VALUE\n";
        return 2;
      }
      defines.emplace_back(d.substr(0, eq), d.substr(eq + 1));
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << "brook: unknown option " << a << "\n";
      Usage(std::cerr);
      return 2;
    } else {
      url = a;
    }
  }
  if (have_execute && !file.empty()) {
    std::cerr << "brook: --execute and --file cannot be used together\n";
    return 2;
  }
  auto server = brook::shell::ParseServerUrl(url);
  if (!server.ok()) {
    std::cerr << "brook: " << server.status().message() << "\n";
    return 2;
  }
  brook::shell::RestClient::Options options;
  options.server = *server;
  options.user = user;
  if (!user.empty()) {
    if (const char* p = std::getenv("BROOK_PASSWORD")) {
      options.password = p;
    } else {
      options.password = AskPassword(user);
    }
  }
  brook::shell::RestClient client(options);

  struct sigaction sa {};
  sa.sa_handler = OnSigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns and sees the flag
  sigaction(SIGINT, &sa, nullptr);

  brook::shell::Shell shell(client, std::cout, std::cerr, g_cancel);
  shell.set_json_output(json_output);
  for (const auto& [k, v] : defines) shell.Define(k, v);

  if (have_execute) return shell.RunText(execute) ? 0 : 1;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "brook: cannot read " << file << "\n";
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    return shell.RunText(text.str()) ? 0 : 1;
  }
  if (!isatty(STDIN_FILENO)) {
    std::stringstream text;
    text << std::cin.rdbuf();
    return shell.RunText(text.str()) ? 0 : 1;
  }
  // Unreachable: said so; the shell still starts and tries again with the next statement.
  if (shell.Connect() && !startup.empty()) shell.RunText(startup);
  return Interactive(shell);
}
