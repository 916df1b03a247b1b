#include "server/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "common/ascii.h"

namespace brook::server {
namespace {

constexpr std::string_view kScheme = "PBKDF2-SHA256";
constexpr size_t kHashBytes = 32;
constexpr int kMaxIterations = 10'000'000;
constexpr size_t kCacheEntries = 1024;
constexpr auto kCacheTtl = std::chrono::minutes(1);
constexpr auto kFailedTtl = std::chrono::seconds(30);  // a wrong token is remembered this long

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Standard base64 with padding; nullopt when malformed.
std::optional<std::string> Unbase64(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  for (char c : in) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) {
      return std::nullopt;
    }
  }
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  if (pad > 2) return std::nullopt;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string Derive(std::string_view password, std::string_view salt, int iterations) {
  std::string out(kHashBytes, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(),
                    static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string Sha256(std::string_view s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = s.find(',');
    std::string_view item = Trim(s.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, int iterations) {
  if (iterations < 1 || iterations > kMaxIterations) {
    return InvalidArgument("iterations must be between 1 and 10000000");
  }
  std::string salt(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
      1) {
    return Internal("OpenSSL could not produce a random salt");
  }
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + Base64(salt) + "$" +
         Base64(Derive(password, salt, iterations));
}

Result<std::unique_ptr<BasicAuthenticator>> BasicAuthenticator::Load(
    const std::string& path, std::string realm, std::string_view allowed_roles) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError("Cannot read the users file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = Parse(text.str(), std::move(realm), allowed_roles);
  if (!parsed.ok()) return Status(parsed.status().code(), path + ": " + parsed.status().message());
  return parsed;
}

Result<std::unique_ptr<BasicAuthenticator>> BasicAuthenticator::Parse(
    std::string_view text, std::string realm, std::string_view allowed_roles) {
  std::unique_ptr<BasicAuthenticator> auth(new BasicAuthenticator());
  auth->realm_ = std::move(realm);
  for (const std::string& role : SplitList(allowed_roles)) {
    if (role == "*" || role == "**") {
      auth->allowed_roles_.clear();
      break;
    }
    auth->allowed_roles_.push_back(role);
  }
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::string where = "line " + std::to_string(line_no);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return InvalidArgument(where + ": expected `user: PBKDF2-SHA256$...[,role...]`");
    }
    std::string name(Trim(line.substr(0, colon)));
    std::vector<std::string> fields = SplitList(line.substr(colon + 1));
    if (fields.empty())
      return InvalidArgument(where + ": user '" + name + "' has no password hash");
    const std::string& spec = fields[0];
    if (spec.rfind(std::string(kScheme) + "$", 0) != 0) {
      return InvalidArgument(where + ": user '" + name +
                             "' has no salted hash (plain-text, OBF:, MD5: and CRYPT: passwords "
                             "are refused); make one with `brookd --hash-password`");
    }
    // PBKDF2-SHA256$iterations$salt$hash
    std::vector<std::string_view> parts;
    std::string_view rest(spec);
    while (true) {
      size_t d = rest.find('$');
      parts.push_back(rest.substr(0, d));
      if (d == std::string_view::npos) break;
      rest.remove_prefix(d + 1);
    }
    User user;
    std::optional<std::string> salt;
    std::optional<std::string> hash;
    if (parts.size() == 4) {
      auto [p, ec] =
          std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), user.iterations);
      if (ec == std::errc() && p == parts[1].data() + parts[1].size()) {
        salt = Unbase64(parts[2]);
        hash = Unbase64(parts[3]);
      }
    }
    if (!salt || !hash || salt->empty() || hash->size() != kHashBytes || user.iterations < 1 ||
        user.iterations > kMaxIterations) {
      return InvalidArgument(where + ": user '" + name + "' has a malformed " +
                             std::string(kScheme) + " hash");
    }
    user.salt = std::move(*salt);
    user.hash = std::move(*hash);
    user.roles.assign(fields.begin() + 1, fields.end());
    if (auth->users_.count(name)) {
      return InvalidArgument(where + ": user '" + name + "' is listed twice");
    }
    auth->users_.emplace(std::move(name), std::move(user));
  }
  return auth;
}

bool BasicAuthenticator::Allowed(const User& user) const {
  if (allowed_roles_.empty()) return true;
  for (const std::string& r : user.roles) {
    for (const std::string& a : allowed_roles_) {
      if (r == a) return true;
    }
  }
  return false;
}

BasicAuthenticator::Outcome BasicAuthenticator::Check(std::string_view authorization,
                                                      const std::string& client) {
  const auto now = std::chrono::steady_clock::now();
  // Counts a failure of `client`; under mu_.
  auto failed = [&](const std::string& token_key) {
    if (!token_key.empty()) {
      if (failed_.size() >= kCacheEntries) failed_.clear();
      failed_[token_key] = now;
    }
    if (client.empty()) return;
    if (failures_.size() >= 10 * kCacheEntries) failures_.clear();
    auto& [count, since] = failures_[client];
    if (now - since >= kFailureWindow) {
      count = 0;
      since = now;
    }
    ++count;
  };
  auto limited = [&]() {  // under mu_
    auto f = failures_.find(client);
    return !client.empty() && f != failures_.end() && now - f->second.second < kFailureWindow &&
           f->second.first >= max_failures_per_client_;
  };
  std::string_view h = Trim(authorization);
  if (h.size() < 6 || !EqualsIgnoreAsciiCase(h.substr(0, 6), "basic ")) {
    return Outcome::kUnauthorized;
  }
  std::string_view token = Trim(h.substr(6));
  if (token.size() > 4096) return Outcome::kUnauthorized;
  const std::string key = Sha256(token);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (now - it->second.second < kCacheTtl) {
        auto u = users_.find(it->second.first);
        if (u != users_.end()) return Allowed(u->second) ? Outcome::kOk : Outcome::kForbidden;
      }
      cache_.erase(it);
    }
    if (limited()) return Outcome::kTooMany;
    auto bad = failed_.find(key);
    if (bad != failed_.end()) {
      if (now - bad->second < kFailedTtl) {
        failed(/*token_key=*/"");
        return Outcome::kUnauthorized;
      }
      failed_.erase(bad);
    }
    if (derivations_ >= kMaxConcurrentDerivations) return Outcome::kTooMany;
    ++derivations_;
  }
  struct Release {  // the derivation slot, whatever path leaves below
    BasicAuthenticator* self;
    ~Release() {
      std::lock_guard<std::mutex> lock(self->mu_);
      --self->derivations_;
    }
  } release{this};
  auto refuse = [&]() {
    std::lock_guard<std::mutex> lock(mu_);
    failed(key);
    return Outcome::kUnauthorized;
  };
  std::optional<std::string> decoded = Unbase64(token);
  if (!decoded) return refuse();
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return refuse();
  const std::string name = decoded->substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  auto it = users_.find(name);
  // Unknown users cost the same derivation as known ones.
  static const User kDummy{310000, std::string(16, 's'), std::string(kHashBytes, 'h'), {}};
  const User& user = it != users_.end() ? it->second : kDummy;
  const std::string derived = Derive(password, user.salt, user.iterations);
  const bool match = CRYPTO_memcmp(derived.data(), user.hash.data(), kHashBytes) == 0;
  OPENSSL_cleanse(decoded->data(), decoded->size());
  if (it == users_.end() || !match) return refuse();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kCacheEntries) {
      // Drop the oldest entry (not the smallest hash, which an attacker could steer).
      auto oldest = cache_.begin();
      for (auto c = cache_.begin(); c != cache_.end(); ++c) {
        if (c->second.second < oldest->second.second) oldest = c;
      }
      cache_.erase(oldest);
    }
    cache_[key] = {name, now};
  }
  return Allowed(user) ? Outcome::kOk : Outcome::kForbidden;
}

}  // namespace brook::server
