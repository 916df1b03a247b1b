#include "server/config.h"

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "common/serde_text.h"
#include "planner/properties.h"
#include "common/ascii.h"

namespace brook::server {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// Joins backslash-continued lines into logical lines, as java.util.Properties does: a line
// ending in an odd number of backslashes continues on the next one, whose leading
// whitespace is dropped.
std::vector<std::string> LogicalLines(std::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  bool continuing = false;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find_first_of("\r\n", pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (nl != std::string_view::npos && text[nl] == '\r' && pos < text.size() &&
        text[pos] == '\n') {
      ++pos;
    }
    if (continuing) {
      size_t i = 0;
      while (i < line.size() && IsSpace(line[i])) ++i;
      line.remove_prefix(i);
    } else {
      size_t i = 0;
      while (i < line.size() && IsSpace(line[i])) ++i;
      if (i == line.size() || line[i] == '#' || line[i] == '!') continue;  // blank or comment
    }
    size_t backslashes = 0;
    while (backslashes < line.size() && line[line.size() - 1 - backslashes] == '\\') {
      ++backslashes;
    }
    if (backslashes % 2 == 1) {
      current.append(line.substr(0, line.size() - 1));
      continuing = true;
      continue;
    }
    current.append(line);
    lines.push_back(std::move(current));
    current.clear();
    continuing = false;
  }
  if (continuing && !current.empty()) lines.push_back(std::move(current));
  return lines;
}

// Decodes the escapes of one key or value.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        unsigned cp = 0;
        if (i + 4 < s.size()) {
          auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 5, cp, 16);
          if (ec == std::errc() && p == s.data() + i + 5) {
            AppendUtf8(cp, out);
            i += 4;
            break;
          }
        }
        out += 'u';
        break;
      }
      default:
        out += c;  // \\ \= \: \# \! and any other char stand for themselves
    }
  }
  return out;
}

Result<int64_t> ParsePositiveInt(const std::string& key, const std::string& value) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v <= 0) {
    return InvalidArgument("Invalid value for " + key + ": '" + value +
                           "' (expected a positive integer)");
  }
  return v;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::map<std::string, std::string> ParseProperties(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const std::string& line : LogicalLines(text)) {
    size_t i = 0;
    while (i < line.size() && IsSpace(line[i])) ++i;
    size_t key_begin = i;
    // The key ends at the first unescaped '=', ':' or whitespace.
    while (i < line.size()) {
      char c = line[i];
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '=' || c == ':' || IsSpace(c)) break;
      ++i;
    }
    size_t key_end = std::min(i, line.size());
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i < line.size() && (line[i] == '=' || line[i] == ':')) ++i;
    while (i < line.size() && IsSpace(line[i])) ++i;
    std::string key = Unescape(std::string_view(line).substr(key_begin, key_end - key_begin));
    std::string value = Unescape(std::string_view(line).substr(std::min(i, line.size())));
    // java.util.Properties keeps trailing whitespace of values; config files rarely mean it.
    while (!value.empty() && IsSpace(value.back())) value.pop_back();
    if (!key.empty()) out[key] = std::move(value);
  }
  return out;
}

Status ApplyProperty(const std::string& key, const std::string& value, ServerConfig& config) {
  RETURN_IF_ERROR(ValidateConfigValue(key, value));
  if (key == "listeners") {
    config.listeners = value;
  } else if (key == "bootstrap.servers") {
    config.bootstrap_servers = value;
  } else if (key == "ksql.service.id") {
    if (value.empty()) return InvalidArgument("ksql.service.id must not be empty");
    config.service_id = value;
    config.ksql_properties[key] = value;
  } else if (key == "ksql.max.push.queries") {
    ASSIGN_OR_RETURN(int64_t v, ParsePositiveInt(key, value));
    config.max_push_queries = static_cast<int>(std::min<int64_t>(v, 1 << 30));
    config.ksql_properties[key] = value;
  } else if (StartsWith(key, "ksql.")) {
    config.ksql_properties[key] = value;
  } else if (StartsWith(key, "kafka.") && key.size() > 6) {
    config.kafka_properties[key.substr(6)] = value;
  } else if (key == "brook.processing.log.stderr") {
    if (value != "true" && value != "false") {
      return InvalidArgument("Invalid value for " + key + ": '" + value + "' (expected true or false)");
    }
    config.processing_log_stderr = value == "true";
  } else if (key == "brook.kafka.topic.creation") {
    if (value == "admin") {
      config.broker_auto_create_topics = false;
    } else if (value == "auto") {
      config.broker_auto_create_topics = true;
    } else {
      return InvalidArgument("Invalid value for " + key + ": '" + value +
                             "' (expected admin or auto)");
    }
  } else if (key == "brook.admin.timeout.ms") {
    ASSIGN_OR_RETURN(config.admin_timeout_ms, ParsePositiveInt(key, value));
  } else if (key == "brook.max.batch") {
    ASSIGN_OR_RETURN(config.max_batch, ParsePositiveInt(key, value));
  } else if (key == "brook.push.poll.ms") {
    ASSIGN_OR_RETURN(config.push_poll_ms, ParsePositiveInt(key, value));
  } else if (key == "brook.http.max.body.bytes") {
    ASSIGN_OR_RETURN(config.max_body_bytes, ParsePositiveInt(key, value));
  } else if (key == "brook.shutdown.timeout.ms") {
    ASSIGN_OR_RETURN(config.shutdown_timeout_ms, ParsePositiveInt(key, value));
  } else {
    config.ignored_keys.push_back(key);
  }
  return Status::Ok();
}

std::string Usage() {
  return "usage: brookd [--config FILE] [--listeners http://HOST:PORT] "
         "[--bootstrap-servers HOST:PORT[,...]]\n"
         "              [--script FILE.sql] [-D key=value ...] [--help]\n"
         "\n"
         "  --config FILE            Java-properties file (listeners, bootstrap.servers,\n"
         "                           ksql.service.id, ksql.*, kafka.*, brook.*)\n"
         "  --listeners URL          HTTP listener (default http://0.0.0.0:8088; port 0 =\n"
         "                           any free port)\n"
         "  --bootstrap-servers HP   Kafka cluster (default: embedded in-memory broker)\n"
         "  --script FILE            run the statements in FILE at startup\n"
         "  -D key=value             set any configuration key (repeatable)\n";
}

Result<ServerConfig> ParseCommandLine(const std::vector<std::string>& args) {
  std::string config_file;
  std::vector<std::pair<std::string, std::string>> defines;
  std::vector<std::pair<std::string, std::string>> flags;  // dedicated flags, applied last
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (StartsWith(arg, "--")) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline = true;
      }
    }
    auto value = [&](const std::string& flag) -> Result<std::string> {
      if (has_inline) return inline_value;
      if (i + 1 >= args.size()) return InvalidArgument("missing value after " + flag);
      return args[++i];
    };
    if (arg == "-h" || arg == "--help") {
      return NotFound("help requested");
    } else if (arg == "--config" || arg == "--config-file") {
      ASSIGN_OR_RETURN(config_file, value(arg));
    } else if (arg == "--listeners") {
      ASSIGN_OR_RETURN(std::string v, value(arg));
      flags.emplace_back("listeners", v);
    } else if (arg == "--bootstrap-servers") {
      ASSIGN_OR_RETURN(std::string v, value(arg));
      flags.emplace_back("bootstrap.servers", v);
    } else if (arg == "--script") {
      ASSIGN_OR_RETURN(std::string v, value(arg));
      flags.emplace_back("--script", v);
    } else if (arg == "-D" || (StartsWith(arg, "-D") && arg.size() > 2)) {
      std::string kv;
      if (arg == "-D") {
        if (i + 1 >= args.size()) return InvalidArgument("missing key=value after -D");
        kv = args[++i];
      } else {
        kv = arg.substr(2);
      }
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return InvalidArgument("-D expects key=value, got '" + kv + "'");
      }
      defines.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else {
      return InvalidArgument("unknown argument '" + args[i] + "'");
    }
  }

  ServerConfig config;
  if (!config_file.empty()) {
    std::ifstream in(config_file, std::ios::binary);
    if (!in) return IOError("cannot read config file '" + config_file + "'");
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& [k, v] : ParseProperties(text.str())) {
      Status st = ApplyProperty(k, v, config);
      if (!st.ok()) return Status(st.code(), config_file + ": " + st.message());
    }
  }
  for (const auto& [k, v] : defines) RETURN_IF_ERROR(ApplyProperty(k, v, config));
  for (const auto& [k, v] : flags) {
    if (k == "--script") {
      config.script_file = v;
    } else {
      RETURN_IF_ERROR(ApplyProperty(k, v, config));
    }
  }
  ASSIGN_OR_RETURN(Listener listener, ParseListener(config.listeners));
  (void)listener;
  return config;
}

Result<Listener> ParseListener(std::string_view url) {
  std::string s(url);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  if (s.find(',') != std::string::npos) {
    return Unsupported("Only one listener is supported, got '" + s + "'");
  }
  std::string lower = AsciiLower(s);
  if (StartsWith(lower, "https://")) {
    return Unsupported("TLS listeners (https://) are not supported yet: '" + s + "'");
  }
  if (!StartsWith(lower, "http://")) {
    return InvalidArgument("Invalid listener '" + s + "': expected http://HOST:PORT");
  }
  std::string rest = s.substr(7);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  Listener l;
  size_t colon;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string::npos) return InvalidArgument("Invalid listener '" + s + "'");
    l.host = rest.substr(1, close - 1);
    colon = close + 1;
    if (colon < rest.size() && rest[colon] != ':') {
      return InvalidArgument("Invalid listener '" + s + "'");
    }
  } else {
    colon = rest.rfind(':');
    l.host = rest.substr(0, colon);
  }
  if (l.host.empty()) return InvalidArgument("Invalid listener '" + s + "': missing host");
  if (colon == std::string::npos || colon >= rest.size()) {
    return InvalidArgument("Invalid listener '" + s + "': missing port");
  }
  std::string port = rest.substr(colon + 1);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || v > 65535) {
    return InvalidArgument("Invalid listener '" + s + "': bad port '" + port + "'");
  }
  l.port = static_cast<uint16_t>(v);
  return l;
}

}  // namespace brook::server
