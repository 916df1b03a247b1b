#include "runtime/engine/state_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace brook {

namespace fs = std::filesystem;

namespace {

constexpr char kPrivatePrefix[] = "brook-state-private-";
constexpr size_t kMaxNamePart = 100;

std::string TempRoot() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// Characters safe in one path component; anything else becomes '_'. Bounded length.
std::string PathPart(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, kMaxNamePart)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

// An exclusive, non-blocking lock on <dir>/.lock: the open descriptor, or -1 when another
// process holds it (or it cannot be opened).
int TryLock(const std::string& dir) {
  int fd = ::open((dir + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A directory owned by this user, writable by nobody else, not a symlink (created if missing).
bool PrivateParent(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return false;
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) return false;
  return S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() && (st.st_mode & 022) == 0;
}

// Private directories of processes that ended without removing them (kill -9): unlocked.
void SweepStalePrivate() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(TempRoot(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrivatePrefix, 0) != 0) continue;
    struct stat st;
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != ::geteuid()) {
      continue;
    }
    int fd = TryLock(entry.path().string());
    if (fd < 0) continue;  // in use by a running brookd
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    ::close(fd);
  }
}

bool LooksLikeQueryId(const std::string& name) {
  static const char* const kPrefixes[] = {"CSAS_", "CTAS_", "INSERTQUERY_", "CST_"};
  bool prefixed = false;
  for (const char* p : kPrefixes) prefixed = prefixed || name.rfind(p, 0) == 0;
  if (!prefixed) return false;
  size_t us = name.rfind('_');
  if (us == std::string::npos || us + 1 >= name.size()) return false;
  for (size_t i = us + 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<StateDirectory>> StateDirectory::Acquire(const std::string& configured,
                                                                const std::string& service_id,
                                                                const std::string& cluster_id,
                                                                std::string* note) {
  std::unique_ptr<StateDirectory> d(new StateDirectory());
  if (!configured.empty()) {
    d->path_ = configured;
    d->configured_ = true;
    return d;
  }
  SweepStalePrivate();
  if (!cluster_id.empty()) {
    const std::string parent = TempRoot() + "/brook-state-" + std::to_string(::geteuid());
    const std::string dir = parent + "/" + PathPart(service_id) + "-" + PathPart(cluster_id);
    if (PrivateParent(parent) && (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST)) {
      d->lock_fd_ = TryLock(dir);
      if (d->lock_fd_ >= 0) {
        d->path_ = dir;
        if (note) *note = "state directory " + dir + " (kept across restarts)";
        return d;
      }
      if (note) *note = "state directory " + dir + " is in use by another process; ";
    } else if (note) {
      *note = "cannot use " + parent + " (not a private directory of this user); ";
    }
  }
  std::string pattern = TempRoot() + "/" + kPrivatePrefix + "XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) {
    return IOError("Cannot create a state directory (" + pattern + "): " + std::strerror(errno));
  }
  d->path_ = buf.data();
  d->private_ = true;
  d->lock_fd_ = TryLock(d->path_);
  if (note) *note += "private state directory " + d->path_ + " (removed at exit)";
  return d;
}

StateDirectory::~StateDirectory() {
  if (private_) {
    std::error_code ec;
    fs::remove_all(path_, ec);  // best effort: nobody else uses it
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

size_t StateDirectory::RemoveUnowned(const std::set<std::string>& live) const {
  size_t removed = 0;
  if (configured_) return removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!LooksLikeQueryId(name) || live.count(name) || !entry.is_directory(ec)) continue;
    std::error_code rm;
    if (fs::remove_all(entry.path(), rm) > 0 && !rm) ++removed;
  }
  return removed;
}

void StateDirectory::RemoveQuery(const std::string& query_id) const {
  if (!LooksLikeQueryId(query_id)) return;
  std::error_code ec;
  fs::remove_all(fs::path(path_) / query_id, ec);
}

}  // namespace brook
