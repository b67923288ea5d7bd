// How `run` ends when things go wrong, through the built binary: a sink that cannot be written, a file
// named twice, a file it cannot read, a signal part way, a port another process holds, a closed stdout.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

extern char** environ;

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using RunFailuresTest = TempDirTest;

const std::string kElastic = kSharedData + "/elastic-apache.log";

TEST_F(RunFailuresTest, ABatchItsSinkCouldNotTakeIsNotCommittedAndIsPrintedAgain) {
  fs::copy_file(kElastic, path("logs/a.log"));
  const std::string state = path("state");
  const auto failed =
      run_process({kLogstream, "-q", "--checkpoint", state, "--sink", "jsonl=/dev/full", "run", logs()});
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("not committed"), std::string::npos) << failed.err;

  const auto again = run_process({kLogstream, "-q", "--checkpoint", state, "run", logs()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Batch: 0\n"), std::string::npos) << "the lost batch keeps its id: " << again.out;
  EXPECT_EQ(parse_last_console_table(again.out), reference_seed_status_counts(read_file(kElastic)));
}

TEST_F(RunFailuresTest, AFileNamedSeveralTimesIsCountedOnce) {
  fs::copy_file(kElastic, path("logs/a.log"));
  const auto expected = reference_seed_status_counts(read_file(kElastic));
  const std::string absolute = fs::absolute(path("logs/a.log")).string();
  const std::vector<std::vector<std::string>> spellings = {
      {logs(), logs() + "/a.log"},
      {logs(), logs() + "/"},
      {absolute, logs() + "/./a.log", path("logs/a.log")}};
  for (size_t i = 0; i < spellings.size(); ++i) {
    const auto& names = spellings[i];
    std::vector<std::string> argv = {
        kLogstream, "--format", "spark-seed", "--checkpoint", path("state" + std::to_string(i)), "run"};
    argv.insert(argv.end(), names.begin(), names.end());
    const auto r = run_process(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(parse_last_console_table(r.out), expected) << names.back();
    EXPECT_NE(r.err.find("counted once"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 file, 10000 lines read"), std::string::npos) << r.err;
  }
}

TEST_F(RunFailuresTest, ANamedFileItCannotReadIsAFailure) {
  // Tests run as root, who reads anything: run logstream as nobody on a file nobody may not read.
  if (access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "setpriv (util-linux) is not installed";
  fs::copy_file(kElastic, path("logs/open.log"));
  fs::copy_file(kElastic, path("logs/closed.log"));
  fs::permissions(dir_, fs::perms::all);
  fs::permissions(path("logs"), fs::perms::all);
  fs::permissions(path("logs/open.log"), fs::perms::owner_read | fs::perms::others_read);
  fs::permissions(path("logs/closed.log"), fs::perms::owner_read);
  const auto r =
      run_process({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", kLogstream,
                   "--format", "spark-seed", "run", path("logs/open.log"), path("logs/closed.log")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("closed.log: cannot open: Permission denied"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("could not be read"), std::string::npos) << r.err;
  EXPECT_EQ(parse_last_console_table(r.out), reference_seed_status_counts(read_file(kElastic)))
      << "the readable file still counts";

  const auto alone =
      run_process({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", kLogstream,
                   "--fail-on-alert", "--alert", "e: count(5xx) > 0", "run", path("logs/closed.log")});
  EXPECT_EQ(alone.exit_code, 1) << "a gate must not pass on input it never saw: " << alone.err;
  EXPECT_EQ(alone.out, "") << "nothing was read, so there is no batch";
}

// A sparse file of 20 GB reads at memory speed for several seconds without using the disk.
std::string make_long_input(const std::string& file) {
  const int fd = ::open(file.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(ftruncate(fd, off_t{20} << 30), 0);
  ::close(fd);
  return file;
}

TEST_F(RunFailuresTest, ASignalStopsRunWithinASecondAndCommitsNothing) {
  const std::string input = make_long_input(path("logs/huge.log"));
  for (const int signal : {SIGINT, SIGTERM}) {
    const std::string state = path("state-" + std::to_string(signal));
    RunningProcess process({kLogstream, "--format", "combined", "--checkpoint", state, "run", input});
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    const auto sent = std::chrono::steady_clock::now();
    process.send_signal(signal);
    const int code = process.wait_exit(std::chrono::milliseconds(5000));
    const auto took = std::chrono::steady_clock::now() - sent;
    EXPECT_EQ(code, 128 + signal) << process.err();
    EXPECT_LT(took, std::chrono::milliseconds(1500));
    EXPECT_EQ(process.out(), "") << "no partial batch is printed";
    EXPECT_NE(process.err().find("nothing committed"), std::string::npos) << process.err();
    EXPECT_FALSE(fs::exists(state + "/checkpoint")) << "no batch was committed";
  }
}

TEST_F(RunFailuresTest, InWatchTheFirstSignalFinishesTheBatchAndASecondExitsAtOnce) {
  make_long_input(path("logs/huge.log"));
  RunningProcess process({kLogstream, "--format", "combined", "watch", logs(), "--quiet-ms", "0"});
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the batch over 20 GB is under way
  process.send_signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto sent = std::chrono::steady_clock::now();
  process.send_signal(SIGTERM);
  EXPECT_EQ(process.wait_exit(std::chrono::milliseconds(5000)), 143) << process.err();
  EXPECT_LT(std::chrono::steady_clock::now() - sent, std::chrono::milliseconds(1500));
  EXPECT_NE(process.err().find("second interrupt"), std::string::npos) << process.err();
}

TEST_F(RunFailuresTest, ASecondProcessCannotServeTheSameMetricsPort) {
  RunningProcess first({kLogstream, "--metrics-port", "0", "watch", logs()});
  std::string port;
  for (int i = 0; i < 100 && port.empty(); ++i) {
    first.wait_for_text("never", 1, std::chrono::milliseconds(20));
    const size_t at = first.err().find("127.0.0.1:");
    if (at != std::string::npos && first.err().find("/metrics", at) != std::string::npos)
      port = first.err().substr(at + 10, first.err().find("/metrics", at) - at - 10);
  }
  ASSERT_FALSE(port.empty()) << first.err();
  const auto second = run_process({kLogstream, "--metrics-port", port, "run", kElastic});
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find("cannot listen"), std::string::npos) << second.err;
  first.send_signal(SIGTERM);
  EXPECT_EQ(first.wait_exit(std::chrono::milliseconds(5000)), 0) << first.err();
}

TEST_F(RunFailuresTest, AnUnwritablePrometheusFileIsFoundAtStartUp) {
  const auto r =
      run_process({kLogstream, "--prometheus-file", path("missing/dir/metrics.prom"), "run", kElastic});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "") << "nothing is read before the outputs are known to work";
  EXPECT_NE(r.err.find("metrics.prom"), std::string::npos) << r.err;
}

TEST_F(RunFailuresTest, AClosedStdoutEndsTheQueryLikeAUnixFilter) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  close(pipe_fds[0]);  // the reader has gone, as after `| head` has exited
  const std::string err_file = path("stderr.txt");
  const std::string state = path("state");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> argv = {kLogstream, "-q", "--checkpoint", state, "run", kElastic};
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(pipe_fds[1]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE) << "status " << status;
  EXPECT_EQ(read_file(err_file), "") << "no error message for a reader that went away";
  EXPECT_FALSE(fs::exists(state + "/checkpoint")) << "a batch nobody saw is not committed";
}

TEST_F(RunFailuresTest, AFileWithNoAcceptedLineIsWarnedAboutEvenWhenQuiet) {
  write_file(path("logs/words.log"), "not a log line\nnor this one\n");
  const auto r = run_process({kLogstream, "-q", "--format", "combined", "run", path("logs/words.log")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("words.log: none of its 2 lines fit the format"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace logstream::test_support
