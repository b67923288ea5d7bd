#include "stages/watcher/directory_watcher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

namespace logstream {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class DirectoryWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("logstream-watch-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  DirectoryWatcher make(bool inotify = true) {
    WatchOptions options;
    options.quiet_period = milliseconds(100);
    options.partial_line_wait = milliseconds(400);
    options.use_inotify = inotify;
    return DirectoryWatcher::create(dir_.string(), options,
                                    [this](const std::string& w) { warnings_.push_back(w); })
        .value();
  }
  std::vector<std::string> names(const std::vector<FileTask>& tasks) {
    std::vector<std::string> out;
    for (const auto& t : tasks) out.push_back(fs::path(t.path).filename().string());
    return out;
  }

  fs::path dir_;
  std::vector<std::string> warnings_;
};

TEST_F(DirectoryWatcherTest, FilesPresentAtStartAreOneBatchOldestFirstHiddenIgnored) {
  write("b.log", "x\n");
  write("a.log", "y\n");
  write(".hidden", "z\n");
  write("_temporary", "z\n");
  fs::create_directory(dir_ / "subdir");
  const auto now = fs::file_time_type::clock::now();
  fs::last_write_time(dir_ / "b.log", now - std::chrono::hours(2));
  fs::last_write_time(dir_ / "a.log", now - std::chrono::hours(1));
  auto watcher = make();
  const auto start = SteadyClock::now();
  EXPECT_TRUE(watcher.take_ready(start).empty()) << "a writer may still be appending: quiet period first";
  EXPECT_EQ(names(watcher.take_ready(start + milliseconds(150))),
            (std::vector<std::string>{"b.log", "a.log"}));
  EXPECT_TRUE(watcher.take_ready(start + milliseconds(1000)).empty()) << "a file is never taken twice";
  EXPECT_TRUE(warnings_.empty());
}

// A restart finds files already there, which wait out the quiet period, and new ones moved in just
// after, which would be ready at once: those wait too, so that the stream keeps its order.
TEST_F(DirectoryWatcherTest, AFileMovedInAtStartWaitsForTheOlderOnesThatWereThere) {
  write("old.log", "x\n");
  fs::last_write_time(dir_ / "old.log", fs::file_time_type::clock::now() - std::chrono::seconds(1));
  auto watcher = make();
  const auto start = SteadyClock::now();
  EXPECT_TRUE(watcher.take_ready(start).empty());
  write("tmp", "y\n");
  fs::rename(dir_ / "tmp", dir_ / "new.log");  // IN_MOVED_TO: complete
  watcher.drain_events(start + milliseconds(10));
  EXPECT_TRUE(watcher.take_ready(start + milliseconds(10)).empty()) << "new.log must not overtake old.log";
  EXPECT_EQ(names(watcher.take_ready(start + milliseconds(150))),
            (std::vector<std::string>{"old.log", "new.log"}));
}

TEST_F(DirectoryWatcherTest, ClosedFileEndingInNewlineIsReadyAtOnce) {
  auto watcher = make();
  write("new.log", "a 200 b\n");  // ofstream closes it: IN_CLOSE_WRITE
  const auto now = SteadyClock::now();
  watcher.drain_events(now);
  const auto ready = watcher.take_ready(now);
  ASSERT_EQ(names(ready), (std::vector<std::string>{"new.log"}));
  EXPECT_EQ(ready[0].size_limit, 8u);
}

TEST_F(DirectoryWatcherTest, OpenFileWithAHalfLineWaitsForTheLine) {
  auto watcher = make();
  std::ofstream writer(dir_ / "growing.log", std::ios::binary);
  writer << "complete line 200 x\nhalf a li" << std::flush;
  auto now = SteadyClock::now();
  watcher.drain_events(now);
  EXPECT_TRUE(watcher.take_ready(now).empty());
  EXPECT_TRUE(watcher.take_ready(now + milliseconds(200)).empty())
      << "quiet, but the last line is not finished";
  writer << "ne 404 y\n" << std::flush;
  now = SteadyClock::now();
  watcher.drain_events(now);
  EXPECT_TRUE(watcher.take_ready(now).empty()) << "just changed";
  const auto ready = watcher.take_ready(now + milliseconds(150));
  ASSERT_EQ(ready.size(), 1u) << "finished line and quiet: ready although never closed";
  EXPECT_EQ(ready[0].size_limit, 38u);
}

TEST_F(DirectoryWatcherTest, ClosedFileWithoutFinalNewlineWaitsForTheQuietPeriod) {
  auto watcher = make();
  write("cut.log", "a 200 b\ncut");
  const auto now = SteadyClock::now();
  watcher.drain_events(now);
  EXPECT_TRUE(watcher.take_ready(now).empty());
  EXPECT_EQ(watcher.take_ready(now + milliseconds(150)).size(), 1u);
}

TEST_F(DirectoryWatcherTest, WithoutInotifyTheQuietPeriodDecides) {
  auto watcher = make(false);
  EXPECT_TRUE(watcher.take_ready(SteadyClock::now()).empty());
  write("late.log", "a 200 b\n");
  const auto now = SteadyClock::now();
  EXPECT_TRUE(watcher.take_ready(now).empty());
  EXPECT_EQ(watcher.take_ready(now + milliseconds(150)).size(), 1u);
}

TEST_F(DirectoryWatcherTest, SpecialFilesAreIgnoredWithOneWarning) {
  ASSERT_EQ(mkfifo((dir_ / "pipe").c_str(), 0600), 0);
  auto watcher = make();
  EXPECT_TRUE(watcher.take_ready(SteadyClock::now()).empty());
  EXPECT_TRUE(watcher.take_ready(SteadyClock::now()).empty());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("pipe: not a regular file"), std::string::npos);
}

TEST_F(DirectoryWatcherTest, ADirectoryRemovedWhileWatchedIsReportedGoneThenBackAndWatchedAgain) {
  auto watcher = make();
  fs::remove_all(dir_);
  watcher.drain_events(SteadyClock::now());
  EXPECT_TRUE(watcher.take_ready(SteadyClock::now()).empty());
  EXPECT_TRUE(watcher.take_ready(SteadyClock::now()).empty());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find(dir_.string() + ": the watched directory is gone (No such file or directory)"),
            std::string::npos)
      << warnings_[0];
  fs::create_directories(dir_);
  write("back.log", "a 200 b\n");  // before the watch is armed again: found by the listing
  auto now = SteadyClock::now();
  EXPECT_TRUE(watcher.take_ready(now).empty()) << "just seen: waits for the quiet period";
  ASSERT_EQ(warnings_.size(), 2u);
  EXPECT_NE(warnings_[1].find(dir_.string() + ": the watched directory is back: watching it again"),
            std::string::npos)
      << warnings_[1];
  EXPECT_EQ(watcher.take_ready(now + milliseconds(150)).size(), 1u) << "listing works again";
  // inotify watches the new directory: a closed file is ready at once, as before.
  write("closed.log", "a 404 b\n");
  now = SteadyClock::now();
  watcher.drain_events(now);
  EXPECT_EQ(names(watcher.take_ready(now)), (std::vector<std::string>{"closed.log"}));
  EXPECT_EQ(warnings_.size(), 2u);
}

TEST_F(DirectoryWatcherTest, ADirectoryReplacedByAnotherIsWatchedInstead) {
  auto watcher = make();
  const fs::path old_dir = dir_.string() + ".old";
  fs::remove_all(old_dir);
  fs::rename(dir_, old_dir);
  fs::create_directories(dir_);
  // Written into the directory that moved away: its events must not be taken for the new one's.
  std::ofstream(old_dir / "stray.log", std::ios::binary) << "a 200 b\n";
  auto now = SteadyClock::now();
  watcher.drain_events(now);
  EXPECT_TRUE(watcher.take_ready(now).empty());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("the watched directory was replaced by another one"), std::string::npos)
      << warnings_[0];
  write("new.log", "a 200 b\n");
  now = SteadyClock::now();
  watcher.drain_events(now);
  EXPECT_EQ(names(watcher.take_ready(now)), (std::vector<std::string>{"new.log"}));
  fs::remove_all(old_dir);
}

// Root reads whatever the permission bits say: the test drops to nobody's effective uid around the reads.
class EffectiveUser {
 public:
  explicit EffectiveUser(uid_t uid) : dropped_(geteuid() == 0) {
    if (dropped_) {
      EXPECT_EQ(seteuid(uid), 0);
    }
  }
  ~EffectiveUser() {
    if (dropped_) {
      EXPECT_EQ(seteuid(0), 0);
    }
  }

 private:
  bool dropped_;
};

TEST_F(DirectoryWatcherTest, AFileThatCannotBeOpenedIsWarnedOnceMakesNoBatchAndIsTakenOnceReadable) {
  write("locked.log", "a 200 b\n");
  fs::permissions(dir_ / "locked.log", fs::perms::none);
  fs::create_symlink(dir_ / "nowhere.log", dir_ / "dangling.log");
  std::optional<DirectoryWatcher> watcher;
  auto now = SteadyClock::now();
  {
    EffectiveUser nobody(65534);
    watcher.emplace(make());
    for (int i = 0; i < 4; ++i) {
      now = SteadyClock::now() + milliseconds(150 * i);
      EXPECT_TRUE(watcher->take_ready(now).empty()) << "no batch for a file that cannot be read";
    }
    EXPECT_GE(watcher->next_deadline(now) - now, milliseconds(500)) << "no busy retry";
  }
  ASSERT_EQ(warnings_.size(), 2u);
  EXPECT_EQ(std::count_if(warnings_.begin(), warnings_.end(),
                          [&](const std::string& w) {
                            return w.find((dir_ / "locked.log").string() +
                                          ": cannot open: Permission denied") != std::string::npos;
                          }),
            1);
  EXPECT_EQ(std::count_if(warnings_.begin(), warnings_.end(),
                          [&](const std::string& w) {
                            return w.find((dir_ / "dangling.log").string() + ": a symlink to nothing") !=
                                   std::string::npos;
                          }),
            1);
  fs::permissions(dir_ / "locked.log",
                  fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  write("nowhere.log", "c 404 d\n");
  {
    EffectiveUser nobody(65534);
    now = SteadyClock::now();
    watcher->drain_events(now);
    std::vector<std::string> taken = names(watcher->take_ready(now));
    for (const std::string& name : names(watcher->take_ready(now + milliseconds(150)))) taken.push_back(name);
    std::sort(taken.begin(), taken.end());
    EXPECT_EQ(taken, (std::vector<std::string>{"dangling.log", "locked.log", "nowhere.log"}));
  }
  EXPECT_EQ(warnings_.size(), 2u);
}

TEST_F(DirectoryWatcherTest, MissingDirectoryIsAnError) {
  auto missing = DirectoryWatcher::create((dir_ / "nope").string(), {}, [](const std::string&) {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace logstream
