// Hostile input, each case through the built binary: a warning with the path and reason or a counted
// reject, never a crash, a hang or a silent loss; lines read = accepted + rejected throughout.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <regex>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/gzip_reference.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// "batch N: F files, L lines read = A accepted + R rejected" from stderr: checks L = A + R, returns L.
uint64_t lines_read_checked(const std::string& err) {
  static const std::regex summary(R"((\d+) lines read = (\d+) accepted \+ (\d+) rejected)");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(err, m, summary)) << err;
  if (m.empty()) return 0;
  const uint64_t read = std::stoull(m[1]), accepted = std::stoull(m[2]), rejected = std::stoull(m[3]);
  EXPECT_EQ(read, accepted + rejected) << err;
  return read;
}

using HostileInputTest = TempDirTest;

TEST_F(HostileInputTest, RandomBinaryBytesAreRejectsOrNullRowsNeverACrash) {
  std::mt19937 rng(42);
  std::string bytes(2 << 20, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  write_file(path("binary.log"), bytes);
  for (const char* format : {"combined", "common", "vhost_combined", "nginx", "auto"}) {
    const auto r = run_process({kLogstream, "--format", format, "run", path("binary.log")});
    EXPECT_EQ(r.exit_code, 0) << format << ": " << r.err;
    EXPECT_GT(lines_read_checked(r.err), 0u) << format;
  }
  const auto seed = run_process({kLogstream, "-q", "--format", "spark-seed", "run", path("binary.log")});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_EQ(parse_last_console_table(seed.out), reference_seed_status_counts(bytes));
}

TEST_F(HostileInputTest, NulBytesInvalidUtf8CrlfAndLoneCrAreLinesLikeAnyOther) {
  const std::string text = std::string("a\0b 200 c\r\n", 11) + "\xff\xfe 404 \xc3\x28\r" + "x 500 y\n" +
                           "\r\n" + "no terminator 301 z";
  write_file(path("odd.log"), text);
  const auto seed = run_process({kLogstream, "--format", "spark-seed", "run", path("odd.log")});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_EQ(parse_last_console_table(seed.out),
            (StatusCountMap{{200, 1}, {404, 1}, {500, 1}, {301, 1}, {std::nullopt, 1}}));
  EXPECT_EQ(lines_read_checked(seed.err), 5u);
  const auto combined = run_process({kLogstream, "--format", "combined", "run", path("odd.log")});
  ASSERT_EQ(combined.exit_code, 0) << combined.err;
  EXPECT_EQ(lines_read_checked(combined.err), 5u);
  EXPECT_NE(combined.err.find("5 rejected"), std::string::npos) << combined.err;
}

TEST_F(HostileInputTest, SpecialFilesInAWatchedDirectoryAreWarningsNeverAHang) {
  ASSERT_EQ(::mkfifo((logs() + "/a-fifo").c_str(), 0644), 0);
  fs::create_directory(logs() + "/a-directory");
  fs::create_symlink("/dev/zero", logs() + "/zero-link");
  fs::create_symlink(logs() + "/nowhere", logs() + "/dangling-link");
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = logs() + "/a-socket";
  ASSERT_LT(socket_path.size(), sizeof address.sun_path);
  ::strcpy(address.sun_path, socket_path.c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  // A name with a terminal escape sequence in it: quoted harmlessly in the warning.
  ASSERT_EQ(::mkfifo((logs() + "/evil\x1b[2J\x07.log").c_str(), 0644), 0);

  // run over the directory, and over a FIFO named explicitly: warnings for the directory's specials, the
  // FIFO (no writer) read as empty without a wait, then the real file is counted.
  fs::copy_file(kSharedData + "/twiki-2004.log", logs() + "/real.log");
  const auto r = run_process({kLogstream, "-q", "--format", "spark-seed", "run", logs(), logs() + "/a-fifo"},
                             seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"/a-fifo: not a regular file", "/zero-link: not a regular file",
                           "/a-socket: not a regular file", "/evil\\x1b[2J\\x07.log: not a regular file"}) {
    EXPECT_NE(r.err.find(logs() + name), std::string::npos) << name << "\n" << r.err;
  }
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "no raw escape reaches the terminal";
  EXPECT_EQ(parse_last_console_table(r.out).at(401), 123u);

  // watch: the same directory, then a file dropped in; it must be counted while the specials sit there.
  fs::remove(logs() + "/real.log");
  RunningProcess watch({kLogstream, "--format", "spark-seed", "watch", logs(), "--quiet-ms", "50"});
  std::this_thread::sleep_for(milliseconds(300));
  fs::copy_file(kSharedData + "/twiki-2004.log", logs() + "/dropped.log");
  ASSERT_TRUE(watch.wait_for_text("|   401|  123|", 1, seconds(20))) << watch.err();
  watch.send_signal(SIGINT);
  EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
  EXPECT_EQ(count_occurrences(watch.err(), "a-fifo: not a regular file"), 1u)
      << "warned once, not per trigger";
  ::close(sock);
}

TEST_F(HostileInputTest, ADamagedGzipCountsEveryCompleteLineDecodedBeforeTheDamage) {
  ASSERT_EQ(
      run_process({kLoggen, "--size", "4M", "--format", "combined", "--seed", "3", "-o", path("big.log")})
          .exit_code,
      0);
  const std::string gz = gzip_bytes(read_file(path("big.log")));
  const std::string damaged = logs() + "/damaged.log.gz";
  size_t found_early = 0;
  for (const size_t offset : {size_t{5000}, size_t{70'000}, size_t{200'000}}) {
    for (const std::string& damage : {std::string("\xff\xff\xff\xff"), std::string(4, '\0')}) {
      std::string bytes = gz;
      bytes.replace(offset, damage.size(), damage);
      write_file(damaged, bytes);
      const DecodedPrefix reference = decode_until_error(bytes);
      ASSERT_TRUE(reference.failed);
      if (reference.complete < reference.bytes.size() / 2 || reference.complete < 3'000'000) ++found_early;
      for (const std::vector<std::string>& chunk : {std::vector<std::string>{}, {"--chunk-size", "4M"}}) {
        std::vector<std::string> argv = {kLogstream, "--format", "combined"};
        argv.insert(argv.end(), chunk.begin(), chunk.end());
        argv.insert(argv.end(), {"run", damaged});
        const auto r = run_process(argv);
        EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
        const std::string what = std::to_string(offset) + (chunk.empty() ? "" : " --chunk-size 4M");
        // A line the damage cuts is no line (unless longer than a chunk, which these are not).
        ASSERT_LT(reference.bytes.size() - reference.complete, size_t{1} << 20);
        EXPECT_EQ(lines_read_checked(r.err), reference.complete_lines) << what << "\n" << r.err;
        std::smatch m;
        ASSERT_TRUE(std::regex_search(
            r.err, m, std::regex(damaged + R"(: decompression failed at compressed byte (\d+): )")))
            << r.err;
        EXPECT_GE(std::stoull(m[1]), offset) << "where the damage was found, at or after it";
      }
    }
  }
  EXPECT_GE(found_early, 2u) << "some damage must be found before the end, not only by the checksum";
}

// Root reads whatever the permission bits say, so logstream runs as nobody (setpriv, util-linux).
std::vector<std::string> as_nobody(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  return argv;
}

bool wait_for_stderr(RunningProcess& process, const std::string& text, size_t times) {
  return process.wait_for_stdout(
      [&](const std::string&) { return count_occurrences(process.err(), text) >= times; }, seconds(10));
}

TEST_F(HostileInputTest, AFileWatchCannotOpenIsWarnedOnceMakesNoBatchAndCountsOnceReadable) {
  const std::string line404 = "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 404 2326\n";
  const std::string line200 = "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /b HTTP/1.0\" 200 2326\n";
  for (const bool follow : {false, true}) {
    SCOPED_TRACE(follow ? "--follow" : "plain watch");
    fs::remove_all(logs());
    fs::create_directories(logs());
    const std::string locked = logs() + "/locked.log";
    write_file(locked, line404 + line404 + line404);
    fs::permissions(locked, fs::perms::none);
    fs::create_symlink(logs() + "/target.log", logs() + "/dangling.log");
    std::vector<std::string> argv = {kLogstream,   "--format", "common",      "watch", logs(),
                                     "--quiet-ms", "50",       "--rescan-ms", "50"};
    if (follow) argv.push_back("--follow");
    RunningProcess watch(as_nobody(argv));
    ASSERT_TRUE(wait_for_stderr(watch, locked + ": cannot open: Permission denied", 1)) << watch.err();
    std::this_thread::sleep_for(milliseconds(600));  // a dozen rescans
    EXPECT_EQ(watch.out(), "") << "no batch: as Spark, no new data, no batch";

    fs::permissions(locked, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    ASSERT_TRUE(watch.wait_for_text("|   404|    3|", 1, seconds(10))) << watch.out() << watch.err();
    // The link's target appears: counted under the link's name too, except that --follow reads a file
    // once whatever its names.
    write_file(logs() + "/target.log", line200);
    ASSERT_TRUE(watch.wait_for_text(follow ? "|   200|    1|" : "|   200|    2|", 1, seconds(10)))
        << watch.out() << watch.err();
    watch.send_signal(SIGINT);
    EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
    EXPECT_EQ(count_occurrences(watch.err(), "locked.log: cannot open"), 1u) << watch.err();
    EXPECT_EQ(
        count_occurrences(watch.err(), "dangling.log: a symlink to nothing (No such file or directory)"), 1u)
        << watch.err();
    EXPECT_EQ(
        watch.out().find("Batch: 0\n-------------------------------------------\n+------+-----+\n|status|"
                         "count|\n+------+-----+\n+------+-----+"),
        std::string::npos)
        << "never an empty table";
  }
}

}  // namespace
}  // namespace logstream::test_support
