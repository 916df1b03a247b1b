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
  enum class Outcome { kOk, kUnauthorized, kForbidden };

  // Reads the users file. `allowed_roles` is authentication.roles (comma-separated; `*` or
  // `**` allow any user). kInvalidArgument naming the line for a malformed or plain-text entry.
  static Result<std::unique_ptr<BasicAuthenticator>> Load(const std::string& path,
                                                          std::string realm,
                                                          std::string_view allowed_roles);
  // From text (tests).
  static Result<std::unique_ptr<BasicAuthenticator>> Parse(std::string_view text, std::string realm,
                                                           std::string_view allowed_roles);

  // Checks an Authorization header value ("Basic base64(user:password)").
  Outcome Check(std::string_view authorization);

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
};

// "PBKDF2-SHA256$<iterations>$<salt>$<hash>" for `password`, with a fresh random salt.
Result<std::string> HashPassword(std::string_view password, int iterations = 310000);

}  // namespace brook::server
