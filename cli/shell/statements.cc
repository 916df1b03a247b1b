#include "cli/shell/statements.h"

#include <cctype>

namespace brook::shell {

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Skips blanks and comments from `i`; returns the index of the next significant character.
size_t SkipBlank(std::string_view t, size_t i) {
  while (i < t.size()) {
    if (std::isspace(static_cast<unsigned char>(t[i]))) {
      ++i;
    } else if (t.compare(i, 2, "--") == 0) {
      const size_t nl = t.find('\n', i);
      i = nl == std::string_view::npos ? t.size() : nl + 1;
    } else if (t.compare(i, 2, "/*") == 0) {
      const size_t end = t.find("*/", i + 2);
      i = end == std::string_view::npos ? t.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

// Reads a single-quoted SQL string at `i` ('' is a quote); nullopt when unterminated.
std::optional<std::string> QuotedAt(std::string_view t, size_t& i) {
  if (i >= t.size() || t[i] != '\'') return std::nullopt;
  std::string out;
  for (size_t j = i + 1; j < t.size(); ++j) {
    if (t[j] == '\'') {
      if (j + 1 < t.size() && t[j + 1] == '\'') {
        out += '\'';
        ++j;
        continue;
      }
      i = j + 1;
      return out;
    }
    out += t[j];
  }
  return std::nullopt;
}

std::string WordAt(std::string_view t, size_t& i) {
  size_t j = i;
  while (j < t.size() && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '_' ||
                          t[j] == '.' || t[j] == '-')) {
    ++j;
  }
  std::string w(t.substr(i, j - i));
  i = j;
  return w;
}

// The rest of SET / DEFINE after the name: `= 'value'`, then nothing. `usage` shows the form.
void ReadAssignedValue(std::string_view t, size_t i, const std::string& first,
                       const std::string& usage, ClientStatement& out, std::string& error) {
  if (i >= t.size() || t[i] != '=') {
    error = first + " expects = and a quoted value: " + usage;
    return;
  }
  i = SkipBlank(t, i + 1);
  auto value = QuotedAt(t, i);
  if (!value) {
    error = first + " expects a quoted value: " + usage;
    return;
  }
  out.value = *value;
  i = SkipBlank(t, i);
  if (i < t.size()) {
    error = "unexpected text after " + first + ": '" + std::string(t.substr(i)) + "'";
  }
}

}  // namespace

std::vector<std::string> TakeStatements(std::string& buffer) {
  std::vector<std::string> out;
  size_t start = 0;
  size_t i = 0;
  const std::string_view t = buffer;
  while (i < t.size()) {
    const char c = t[i];
    if (c == '\'' || c == '"' || c == '`') {
      const size_t end = t.find(c, i + 1);  // a doubled quote is two strings back to back
      if (end == std::string_view::npos) break;
      i = end + 1;
    } else if (t.compare(i, 2, "--") == 0) {
      const size_t nl = t.find('\n', i);
      if (nl == std::string_view::npos) break;
      i = nl + 1;
    } else if (t.compare(i, 2, "/*") == 0) {
      const size_t end = t.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = end + 2;
    } else if (c == ';') {
      std::string_view stmt = Trim(t.substr(start, i + 1 - start));
      if (!IsBlank(stmt.substr(0, stmt.size() - 1))) out.emplace_back(stmt);
      start = i + 1;
      ++i;
    } else {
      ++i;
    }
  }
  buffer.erase(0, start);
  return out;
}

bool IsBlank(std::string_view text) { return SkipBlank(text, 0) >= text.size(); }

std::string FirstWord(std::string_view statement) {
  size_t i = SkipBlank(statement, 0);
  return Upper(WordAt(statement, i));
}

std::optional<LocalCommand> ParseLocalCommand(std::string_view line) {
  std::string_view t = Trim(line);
  while (!t.empty() && t.back() == ';') t = Trim(t.substr(0, t.size() - 1));
  size_t i = 0;
  const std::string first = Upper(WordAt(t, i));
  const std::string_view rest = Trim(t.substr(i));
  if ((first == "HELP" || first == "EXIT" || first == "QUIT" || first == "CLEAR" ||
       first == "HISTORY") &&
      rest.empty()) {
    if (first == "HELP") return LocalCommand{LocalCommand::Kind::kHelp, ""};
    if (first == "CLEAR") return LocalCommand{LocalCommand::Kind::kClear, ""};
    if (first == "HISTORY") return LocalCommand{LocalCommand::Kind::kHistory, ""};
    return LocalCommand{LocalCommand::Kind::kExit, ""};
  }
  if (first == "OUTPUT") {
    std::string format = Upper(rest);
    if (format.empty() || format == "JSON" || format == "TABULAR") {
      return LocalCommand{LocalCommand::Kind::kOutput, format};
    }
    return std::nullopt;  // not the command: the server will say what is wrong
  }
  if (first == "RUN") {
    size_t j = 0;
    if (Upper(WordAt(rest, j)) != "SCRIPT") return std::nullopt;
    std::string_view file = Trim(rest.substr(j));
    size_t k = 0;
    if (auto quoted = QuotedAt(file, k); quoted && Trim(file.substr(k)).empty()) {
      return LocalCommand{LocalCommand::Kind::kRunScript, *quoted};
    }
    return LocalCommand{LocalCommand::Kind::kRunScript, std::string(file)};
  }
  return std::nullopt;
}

std::optional<ClientStatement> ParseClientStatement(std::string_view statement,
                                                    std::string& error) {
  std::string_view t = Trim(statement);
  if (!t.empty() && t.back() == ';') t = Trim(t.substr(0, t.size() - 1));
  size_t i = SkipBlank(t, 0);
  const std::string first = Upper(WordAt(t, i));
  ClientStatement out;
  if (first == "SET" || first == "UNSET") {
    out.kind = first == "SET" ? ClientStatement::Kind::kSet : ClientStatement::Kind::kUnset;
    i = SkipBlank(t, i);
    auto name = QuotedAt(t, i);
    if (!name || name->empty()) {
      error = first + " expects a quoted property name: " + first + " 'auto.offset.reset'" +
              (first == "SET" ? " = 'earliest';" : ";");
      return out;
    }
    out.name = *name;
    i = SkipBlank(t, i);
    if (first == "SET") {
      ReadAssignedValue(t, i, first, "SET '" + out.name + "' = 'value';", out, error);
    } else if (i < t.size()) {
      error = "unexpected text after UNSET: '" + std::string(t.substr(i)) + "'";
    }
    return out;
  }
  if (first == "DEFINE" || first == "UNDEFINE") {
    out.kind =
        first == "DEFINE" ? ClientStatement::Kind::kDefine : ClientStatement::Kind::kUndefine;
    i = SkipBlank(t, i);
    size_t j = i;
    while (j < t.size() && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '_')) ++j;
    out.name = std::string(t.substr(i, j - i));
    if (out.name.empty() || std::isdigit(static_cast<unsigned char>(out.name[0]))) {
      error = first + " expects a variable name: " +
              (first == "DEFINE" ? "DEFINE name = 'value';" : "UNDEFINE name;");
      return out;
    }
    if (out.name.size() > 255) {
      error = "variable names are at most 255 characters";
      return out;
    }
    i = SkipBlank(t, j);
    if (first == "DEFINE") {
      ReadAssignedValue(t, i, first, "DEFINE " + out.name + " = 'value';", out, error);
    } else if (i < t.size()) {
      error = "unexpected text after UNDEFINE: '" + std::string(t.substr(i)) + "'";
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace brook::shell
