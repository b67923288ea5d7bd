#include "stages/watcher/directory_watcher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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

TEST_F(DirectoryWatcherTest, ADirectoryRemovedWhileWatchedIsReportedOnce) {
  auto watcher = make();
  fs::remove_all(dir_);
  EXPECT_TRUE(watcher.take_ready(SteadyClock::now()).empty());
  EXPECT_TRUE(watcher.take_ready(SteadyClock::now()).empty());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("cannot list"), std::string::npos) << warnings_[0];
  fs::create_directories(dir_);
  write("back.log", "a 200 b\n");
  // The inotify watch died with the old directory; listings (every trigger, every rescan) carry on.
  const auto now = SteadyClock::now();
  EXPECT_TRUE(watcher.take_ready(now).empty()) << "just seen: waits for the quiet period";
  EXPECT_EQ(watcher.take_ready(now + milliseconds(150)).size(), 1u) << "listing works again";
  EXPECT_EQ(warnings_.size(), 1u);
}

TEST_F(DirectoryWatcherTest, MissingDirectoryIsAnError) {
  auto missing = DirectoryWatcher::create((dir_ / "nope").string(), {}, [](const std::string&) {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace logstream
