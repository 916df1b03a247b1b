#include "server/config.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/ascii.h"
#include "common/serde_text.h"
#include "planner/properties.h"

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

using IntKnob = int64_t ServerConfig::*;
using StringKnob = std::string ServerConfig::*;

const std::map<std::string, IntKnob>& HttpKnobs() {
  static const std::map<std::string, IntKnob> kKnobs = {
      {"brook.http.max.header.bytes", &ServerConfig::max_header_bytes},
      {"brook.http.header.timeout.ms", &ServerConfig::header_timeout_ms},
      {"brook.http.body.timeout.ms", &ServerConfig::body_timeout_ms},
      {"brook.http.idle.timeout.ms", &ServerConfig::idle_timeout_ms},
      {"brook.http.write.timeout.ms", &ServerConfig::write_timeout_ms},
      {"brook.http.max.connections", &ServerConfig::max_connections},
      {"brook.http.io.threads", &ServerConfig::io_threads},
      {"brook.http.worker.threads", &ServerConfig::worker_threads},
      {"brook.http.max.queued.requests", &ServerConfig::max_queued_requests},
      {"brook.http.stream.buffer.bytes", &ServerConfig::stream_buffer_bytes},
      {"brook.http.max.concurrent.streams", &ServerConfig::max_concurrent_streams},
      {"brook.authentication.max.failures.per.minute",
       &ServerConfig::auth_max_failures_per_minute},
  };
  return kKnobs;
}

const std::map<std::string, StringKnob>& SecurityKnobs() {
  static const std::map<std::string, StringKnob> kKnobs = {
      {"authentication.method", &ServerConfig::authentication_method},
      {"authentication.realm", &ServerConfig::authentication_realm},
      {"authentication.roles", &ServerConfig::authentication_roles},
      {"authentication.skip.paths", &ServerConfig::authentication_skip_paths},
      {"brook.authentication.users.file", &ServerConfig::users_file},
      {"ssl.keystore.type", &ServerConfig::ssl_keystore_type},
      {"ssl.keystore.location", &ServerConfig::ssl_keystore_location},
      {"ssl.keystore.password", &ServerConfig::ssl_keystore_password},
      {"ssl.key.password", &ServerConfig::ssl_key_password},
      {"ssl.truststore.type", &ServerConfig::ssl_truststore_type},
      {"ssl.truststore.location", &ServerConfig::ssl_truststore_location},
      {"ssl.client.authentication", &ServerConfig::ssl_client_authentication},
      {"ssl.client.auth", &ServerConfig::ssl_client_authentication},
      {"ssl.enabled.protocols", &ServerConfig::ssl_enabled_protocols},
      {"ssl.cipher.suites", &ServerConfig::ssl_cipher_suites},
  };
  return kKnobs;
}

}  // namespace

std::map<std::string, std::string> EffectiveServerProperties(const ServerConfig& c) {
  std::map<std::string, std::string> out = {
      {"listeners", c.listeners},
      {"bootstrap.servers",
       c.bootstrap_servers.empty() ? "(embedded broker)" : c.bootstrap_servers},
      {"brook.command.log", c.command_log ? "true" : "false"},
      {"brook.kafka.topic.creation", c.broker_auto_create_topics ? "auto" : "admin"},
      {"brook.processing.log.stderr", c.processing_log_stderr ? "true" : "false"},
      {"brook.admin.timeout.ms", std::to_string(c.admin_timeout_ms)},
      {"brook.max.batch", std::to_string(c.max_batch)},
      {"brook.push.poll.ms", std::to_string(c.push_poll_ms)},
      {"brook.http.max.body.bytes", std::to_string(c.max_body_bytes)},
      {"brook.shutdown.timeout.ms", std::to_string(c.shutdown_timeout_ms)},
  };
  for (const auto& [key, member] : HttpKnobs()) out[key] = std::to_string(c.*member);
  for (const auto& [key, member] : SecurityKnobs()) out[key] = c.*member;
  for (const auto& [key, value] : c.kafka_properties) out["kafka." + key] = value;
  return out;
}

Status ValidateSecurity(const ServerConfig& c) {
  const std::string method = AsciiUpper(c.authentication_method);
  if (method != "NONE" && method != "BASIC") {
    return Unsupported("authentication.method=" + c.authentication_method +
                       ": brook supports NONE and BASIC");
  }
  if (method == "BASIC" && c.users_file.empty()) {
    return InvalidArgument(
        "authentication.method=BASIC needs brook.authentication.users.file (brook does not read "
        "JAAS configurations; see docs/security.md)");
  }
  if (method == "NONE" && !c.users_file.empty()) {
    return InvalidArgument(
        "brook.authentication.users.file is set but authentication.method is NONE: set "
        "authentication.method=BASIC, or remove the users file");
  }
  ASSIGN_OR_RETURN(Listener listener, ParseListener(c.listeners));
  const bool any_ssl = !c.ssl_keystore_location.empty() || !c.ssl_truststore_location.empty();
  if (!listener.tls && any_ssl) {
    return InvalidArgument("ssl.* settings are given but the listener '" + c.listeners +
                           "' is not https://: brook will not serve cleartext when TLS was "
                           "configured");
  }
  const std::string client_auth = AsciiUpper(c.ssl_client_authentication);
  if (client_auth != "NONE" && client_auth != "REQUESTED" && client_auth != "REQUIRED") {
    return InvalidArgument("ssl.client.authentication must be NONE, REQUESTED or REQUIRED, not '" +
                           c.ssl_client_authentication + "'");
  }
  if (!listener.tls) {
    if (client_auth != "NONE") {
      return InvalidArgument("ssl.client.authentication=" + client_auth +
                             " needs an https:// listener");
    }
    return Status::Ok();
  }
  if (c.ssl_keystore_location.empty()) {
    return InvalidArgument(
        "The https listener needs ssl.keystore.location (a PEM file with the "
        "certificate chain and the private key) and ssl.keystore.type=PEM");
  }
  // A file that is not there is reported as such, before anything about its type.
  for (const auto& [key, path] : {std::pair<const char*, const std::string*>{
                                      "ssl.keystore.location", &c.ssl_keystore_location},
                                  {"ssl.truststore.location", &c.ssl_truststore_location}}) {
    if (!path->empty() && ::access(path->c_str(), R_OK) != 0) {
      return InvalidArgument(std::string("Cannot read ") + key + " '" + *path +
                             "': " + std::strerror(errno));
    }
  }
  if (AsciiUpper(c.ssl_keystore_type) != "PEM") {
    return Unsupported("ssl.keystore.type=" + c.ssl_keystore_type +
                       ": brook reads PEM keystores only; convert the keystore (e.g. `openssl "
                       "pkcs12 -in ks.p12 -out ks.pem`) and set ssl.keystore.type=PEM");
  }
  if (!c.ssl_truststore_location.empty() && AsciiUpper(c.ssl_truststore_type) != "PEM") {
    return Unsupported("ssl.truststore.type=" + c.ssl_truststore_type +
                       ": brook reads PEM truststores only; set ssl.truststore.type=PEM");
  }
  if (client_auth != "NONE" && c.ssl_truststore_location.empty()) {
    return InvalidArgument("ssl.client.authentication=" + client_auth +
                           " needs ssl.truststore.location (PEM CAs)");
  }
  for (std::string_view p : {std::string_view(c.ssl_enabled_protocols)}) {
    std::string list = std::string(p);
    for (size_t pos = 0; pos <= list.size();) {
      size_t comma = list.find(',', pos);
      std::string item =
          list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      while (!item.empty() && item.front() == ' ') item.erase(0, 1);
      while (!item.empty() && item.back() == ' ') item.pop_back();
      if (item != "TLSv1.2" && item != "TLSv1.3") {
        return Unsupported("ssl.enabled.protocols: brook serves TLSv1.2 and TLSv1.3 only, not '" +
                           item + "'");
      }
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  return Status::Ok();
}

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
  } else if (key == "brook.command.log") {
    if (value != "true" && value != "false") {
      return InvalidArgument("Invalid value for " + key + ": '" + value +
                             "' (expected true or false)");
    }
    config.command_log = value == "true";
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
  } else if (auto it = HttpKnobs().find(key); it != HttpKnobs().end()) {
    if (key == "brook.http.worker.threads" && value == "0") {
      config.*(it->second) = 0;
    } else {
      ASSIGN_OR_RETURN(config.*(it->second), ParsePositiveInt(key, value));
    }
  } else if (auto sit = SecurityKnobs().find(key); sit != SecurityKnobs().end()) {
    config.*(sit->second) = value;
  } else if (StartsWith(key, "ssl.") || StartsWith(key, "authentication.") ||
             StartsWith(key, "brook.authentication.") || StartsWith(key, "brook.ssl.")) {
    return Unsupported("Security setting '" + key +
                       "' is not supported by brook; brookd does not start with a security "
                       "setting it cannot honour (see docs/security.md)");
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
  RETURN_IF_ERROR(ValidateSecurity(config));
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
  Listener l;
  size_t scheme = 0;
  if (StartsWith(lower, "https://")) {
    l.tls = true;
    scheme = 8;
  } else if (StartsWith(lower, "http://")) {
    scheme = 7;
  } else {
    return InvalidArgument("Invalid listener '" + s + "': expected http://HOST:PORT");
  }
  std::string rest = s.substr(scheme);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
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
