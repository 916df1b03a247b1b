// The default state directory: kept across restarts per service id and cluster, private when
// another process holds it or the cluster id is unknown, and stale private ones swept.
#include "runtime/engine/state_directory.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace brook {
namespace {

namespace fs = std::filesystem;

// Points TMPDIR at a fresh directory for the test, and back afterwards.
class StateDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("TMPDIR");
    if (old) old_tmpdir_ = old;
    std::string pattern = (fs::temp_directory_path() / "brook-sd-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    setenv("TMPDIR", root_.c_str(), 1);
  }
  void TearDown() override {
    if (old_tmpdir_.empty()) {
      unsetenv("TMPDIR");
    } else {
      setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    }
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::unique_ptr<StateDirectory> Acquire(const std::string& service, const std::string& cluster,
                                          std::string* note = nullptr) {
    std::string ignored;
    auto d = StateDirectory::Acquire("", service, cluster, note ? note : &ignored);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(d).value() : nullptr;
  }
  std::string root_;
  std::string old_tmpdir_;
};

TEST_F(StateDirectoryTest, DefaultIsKeptAcrossRestartsPerServiceAndCluster) {
  std::string path;
  {
    std::string note;
    auto d = Acquire("default_", "clusterA", &note);
    ASSERT_NE(d, nullptr);
    EXPECT_FALSE(d->is_private());
    path = d->path();
    EXPECT_NE(note.find("kept across restarts"), std::string::npos) << note;
    std::ofstream(path + "/kept") << "x";
  }
  auto again = Acquire("default_", "clusterA");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->path(), path);
  EXPECT_TRUE(fs::exists(path + "/kept"));
  // Another cluster or service id: another directory.
  auto other = Acquire("default_", "clusterB");
  EXPECT_NE(other->path(), path);
  auto service = Acquire("svc_", "clusterA");
  EXPECT_NE(service->path(), path);
  // Names that are not path-safe cannot escape the parent.
  auto hostile = Acquire("../../etc", "x/../../y");
  EXPECT_EQ(fs::path(hostile->path()).parent_path(), fs::path(path).parent_path());
}

TEST_F(StateDirectoryTest, HeldDirectoryOrUnknownClusterGivesAPrivateOneRemovedAtTheEnd) {
  auto first = Acquire("default_", "c1");
  ASSERT_FALSE(first->is_private());
  std::string note;
  auto second = Acquire("default_", "c1", &note);
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(second->is_private());
  EXPECT_NE(note.find("in use by another process"), std::string::npos) << note;
  const std::string private_path = second->path();
  EXPECT_TRUE(fs::exists(private_path));
  second.reset();
  EXPECT_FALSE(fs::exists(private_path));

  auto unknown = Acquire("default_", "");
  EXPECT_TRUE(unknown->is_private());
}

TEST_F(StateDirectoryTest, PrivateDirectoriesOfEndedProcessesAreSwept) {
  // As a killed brookd leaves it: unlocked.
  const std::string stale = root_ + "/brook-state-private-abc123";
  fs::create_directories(stale + "/CTAS_X_0/0_0");
  auto live = Acquire("default_", "");  // holds its own lock
  ASSERT_TRUE(live->is_private());
  EXPECT_FALSE(fs::exists(stale));
  auto next = Acquire("default_", "");
  EXPECT_TRUE(fs::exists(live->path())) << "a directory in use is never swept";
}

TEST_F(StateDirectoryTest, StateOfQueriesThatNoLongerRunIsRemoved) {
  auto d = Acquire("default_", "c");
  for (const char* q : {"CTAS_A_1", "CSAS_B_2", "CTAS_GONE_3", "notaquery", "CTAS_x"}) {
    fs::create_directories(d->path() + "/" + q + "/0_0");
  }
  EXPECT_EQ(d->RemoveUnowned({"CTAS_A_1", "CSAS_B_2"}), 1u);
  EXPECT_FALSE(fs::exists(d->path() + "/CTAS_GONE_3"));
  EXPECT_TRUE(fs::exists(d->path() + "/CTAS_A_1"));
  EXPECT_TRUE(fs::exists(d->path() + "/notaquery"));
  EXPECT_TRUE(fs::exists(d->path() + "/CTAS_x"));
  d->RemoveQuery("CSAS_B_2");
  EXPECT_FALSE(fs::exists(d->path() + "/CSAS_B_2"));
  d->RemoveQuery("..");
  EXPECT_TRUE(fs::exists(d->path()));
}

TEST_F(StateDirectoryTest, AConfiguredDirectoryIsUsedAsItIsAndNotSweptOfOtherQueries) {
  const std::string configured = root_ + "/mine";
  fs::create_directories(configured + "/CTAS_OTHER_SERVICE_4/0_0");
  std::string note;
  auto d = StateDirectory::Acquire(configured, "default_", "c", &note);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->path(), configured);
  EXPECT_FALSE((*d)->is_private());
  EXPECT_EQ((*d)->RemoveUnowned({}), 0u);
  EXPECT_TRUE(fs::exists(configured + "/CTAS_OTHER_SERVICE_4"));
}

TEST_F(StateDirectoryTest, AParentOthersMayWriteIsNotUsed) {
  const std::string parent = root_ + "/brook-state-" + std::to_string(geteuid());
  fs::create_directories(parent);
  chmod(parent.c_str(), 0777);
  std::string note;
  auto d = Acquire("default_", "c", &note);
  EXPECT_TRUE(d->is_private());
  EXPECT_NE(note.find("not a private directory"), std::string::npos) << note;
}

}  // namespace
}  // namespace brook
