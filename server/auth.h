// HTTP Basic authentication against a users file of salted password hashes.
//
// Users file (brook.authentication.users.file), one user per line, `#` comments:
//   alice: PBKDF2-SHA256$310000$<salt, base64>$<hash, base64>,admin,developer
// i.e. `name: hash[,role...]` as in ksqlDB's (Jetty's) password files, but the hash is always
// PBKDF2-HMAC-SHA256 with its own salt and iteration count (OpenSSL). Plain-text, OBF:, MD5:
// and CRYPT: entries are refused when the file is loaded. `brookd --hash-password` prints a
// hash for a password read from stdin.
//
// Verification compares in constant time (CRYPTO_memcmp) and derives a hash even for unknown
// users, so timing does not tell which names exist. Successful checks are remembered (by a
// SHA-256 of the Authorization header, never the header itself) for a minute, bounded to 1024
// entries, so that a client's every request does not pay the key derivation. Credentials never
// reach a log.
//
// Thread-safety: Check() may be called from many threads.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace brook::server {

class BasicAuthenticator {
 public:
  // kTooMany: this client failed too often lately, or every password derivation slot is busy;
  // answered 429 at once, without spending a derivation (PBKDF2, ~85 ms of a core).
  enum class Outcome { kOk, kUnauthorized, kForbidden, kTooMany };

  // Failed logins allowed per client address in kFailureWindow before kTooMany (default 10,
  // brook.authentication.max.failures.per.minute).
  static constexpr std::chrono::seconds kFailureWindow{60};
  void set_max_failures_per_client(int n) { max_failures_per_client_ = n; }
  // Derivations running at once; past it a check that needs one gets kTooMany.
  static constexpr int kMaxConcurrentDerivations = 2;

  // Reads the users file. `allowed_roles` is authentication.roles (comma-separated; `*` or
  // `**` allow any user). kInvalidArgument naming the line for a malformed or plain-text entry.
  static Result<std::unique_ptr<BasicAuthenticator>> Load(const std::string& path,
                                                          std::string realm,
                                                          std::string_view allowed_roles);
  // From text (tests).
  static Result<std::unique_ptr<BasicAuthenticator>> Parse(std::string_view text, std::string realm,
                                                           std::string_view allowed_roles);

  // Checks an Authorization header value ("Basic base64(user:password)") from `client` (its
  // address; "" unknown). Verified credentials are remembered for a minute and a wrong token for
  // 30 s, so neither costs a derivation again; a client past max_failures_per_client failures in
  // kFailureWindow, or a check finding kMaxConcurrentDerivations derivations running, gets
  // kTooMany. Thread-safe.
  Outcome Check(std::string_view authorization, const std::string& client = "");

  const std::string& realm() const { return realm_; }

 private:
  struct User {
    int iterations = 0;
    std::string salt;
    std::string hash;
    std::vector<std::string> roles;
  };

  BasicAuthenticator() = default;
  bool Allowed(const User& user) const;

  std::string realm_;
  std::vector<std::string> allowed_roles_;  // empty: any
  std::map<std::string, User> users_;
  std::mutex mu_;
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>> cache_;
  // Wrong tokens (hash -> when), bounded like cache_.
  std::map<std::string, std::chrono::steady_clock::time_point> failed_;
  // Per client address: failures in the current window and when it started. Bounded.
  std::map<std::string, std::pair<int, std::chrono::steady_clock::time_point>> failures_;
  int derivations_ = 0;  // running now (under mu_)
  int max_failures_per_client_ = 10;
};

// "PBKDF2-SHA256$<iterations>$<salt>$<hash>" for `password`, with a fresh random salt.
Result<std::string> HashPassword(std::string_view password, int iterations = 310000);

}  // namespace brook::server
