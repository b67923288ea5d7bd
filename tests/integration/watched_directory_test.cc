// The watched directory itself going away and coming back, through the binary: said on stderr both
// times, and inotify armed again on the new directory (with inotify), or rescans carrying on (without).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kLine200 = "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 2326\n";
const std::string kLine404 = "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /b HTTP/1.0\" 404 2326\n";

using WatchedDirectoryTest = TempDirTest;

bool wait_for_stderr(RunningProcess& process, const std::string& text) {
  return process.wait_for_stdout(
      [&](const std::string&) { return process.err().find(text) != std::string::npos; }, seconds(10));
}

TEST_F(WatchedDirectoryTest, ADeletedAndRecreatedDirectoryIsReportedAndWatchedAgain) {
  for (const bool inotify : {true, false}) {
    SCOPED_TRACE(inotify ? "inotify" : "--no-inotify");
    fs::remove_all(logs());
    fs::create_directories(logs());
    // With inotify, a long quiet period: a closed file is then taken at once only if an event says it
    // was closed, that is, only if the new directory is watched.
    std::vector<std::string> argv = {kLogstream, "--format",   "common",
                                     "watch",    logs(),       "--rescan-ms",
                                     "50",       "--quiet-ms", inotify ? "5000" : "100"};
    if (!inotify) argv.push_back("--no-inotify");
    RunningProcess watch(argv);
    std::this_thread::sleep_for(milliseconds(300));
    write_file(logs() + "/a.log", kLine200);
    if (inotify) {
      ASSERT_TRUE(watch.wait_for_text("|   200|    1|", 1, seconds(3))) << watch.err();
    } else {
      ASSERT_TRUE(watch.wait_for_text("|   200|    1|", 1, seconds(10))) << watch.err();
    }

    fs::remove_all(logs());
    ASSERT_TRUE(
        wait_for_stderr(watch, logs() + ": the watched directory is gone (No such file or directory)"))
        << watch.err();
    std::this_thread::sleep_for(milliseconds(200));
    fs::create_directories(logs());
    ASSERT_TRUE(wait_for_stderr(watch, logs() + ": the watched directory is back: watching it again"))
        << watch.err();
    const auto dropped = std::chrono::steady_clock::now();
    write_file(logs() + "/b.log", kLine404);
    ASSERT_TRUE(watch.wait_for_text("|   404|    1|", 1, seconds(10))) << watch.err();
    if (inotify) {
      EXPECT_LT(std::chrono::steady_clock::now() - dropped, milliseconds(2500))
          << "taken on its close event, not after the quiet period: the new directory is watched";
    }
    EXPECT_EQ(parse_last_console_table(watch.out()), (StatusCountMap{{200, 1}, {404, 1}}));
    watch.send_signal(SIGINT);
    EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
    EXPECT_EQ(count_occurrences(watch.err(), "is gone"), 1u) << watch.err();
    EXPECT_EQ(count_occurrences(watch.err(), "is back"), 1u) << watch.err();
  }
}

}  // namespace
}  // namespace logstream::test_support
