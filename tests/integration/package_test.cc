// The .deb through the tools a user has: tools/scripts/package.sh builds it (lintian must find no error),
// dpkg-deb lists and extracts it, the extracted binary runs a query as the build's does, the man page
// documents the options and columns, and the bash completion completes from the binary's --help.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"

namespace logstream::test_support {
namespace {

using PackageTest = TempDirTest;

std::string last_line(const std::string& text) {
  std::string line, last;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

TEST_F(PackageTest, TheDebInstallsABinaryThatRunsAManPageAndCompletion) {
  // Run from a directory of its own, where the script leaves the .deb.
  const ProcessResult built = run_process(
      {"/bin/sh", "-c",
       "cd '" + dir_.string() +
           "' && bash '" LOGSTREAM_SOURCE_DIR "/tools/scripts/package.sh' '" LOGSTREAM_BUILD_DIR "'"},
      std::chrono::minutes(10));
  ASSERT_EQ(built.exit_code, 0) << built.out << built.err;
  const std::string deb = last_line(built.out);
  EXPECT_EQ(std::filesystem::path(deb).filename().string(), "logstream_" LOGSTREAM_VERSION "_amd64.deb");
  ASSERT_TRUE(std::filesystem::exists(deb)) << deb;
  EXPECT_EQ(std::filesystem::path(deb).parent_path(), dir_) << "beside the caller";

  const ProcessResult listing = run_process({"/usr/bin/dpkg-deb", "-c", deb});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  for (const char* path : {"./usr/bin/logstream", "./usr/share/man/man1/logstream.1.gz",
                           "./usr/share/bash-completion/completions/logstream",
                           "./usr/share/doc/logstream/copyright", "./usr/share/doc/logstream/changelog.gz"}) {
    EXPECT_NE(listing.out.find(std::string(path) + "\n"), std::string::npos) << path << "\n" << listing.out;
  }
  const ProcessResult depends = run_process({"/usr/bin/dpkg-deb", "-f", deb, "Depends"});
  EXPECT_NE(depends.out.find("libhyperscan5"), std::string::npos) << depends.out;
  EXPECT_NE(depends.out.find("libtbb"), std::string::npos) << depends.out;

  const std::string root = path("root");
  ASSERT_EQ(run_process({"/usr/bin/dpkg-deb", "-x", deb, root}).exit_code, 0);
  const std::string installed = root + "/usr/bin/logstream";
  const std::string log = kSharedData + "/elastic-apache.log";
  const ProcessResult ours = run_process({installed, "-q", "--group-by", "method", "run", log});
  const ProcessResult built_one = run_process({kLogstream, "-q", "--group-by", "method", "run", log});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, built_one.out);
  EXPECT_NE(ours.out.find("| method|count|"), std::string::npos) << ours.out;

  const ProcessResult man =
      run_process({"/bin/sh", "-c", "zcat '" + root + "/usr/share/man/man1/logstream.1.gz'"});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  for (const char* text : {"\\fB\\-\\-sql\\fR", "\\fB\\-\\-trigger\\-interval\\fR", ".SH EXIT STATUS",
                           ".SH SQL", ".B vhost_combined", " |-- vhost: string", "session_window",
                           ".SH EXAMPLES", ".SH MERGE OPTIONS", "\\fB\\-\\-kafka\\-option\\fR"}) {
    EXPECT_NE(man.out.find(text), std::string::npos) << text;
  }

  // Options (a global one after the subcommand too), an option's values, and nothing for a free value.
  auto complete = [&](const std::string& words, int word) {
    const ProcessResult r =
        run_process({"/bin/bash", "-c",
                     "source '" + root + "/usr/share/bash-completion/completions/logstream'; COMP_WORDS=('" +
                         installed + "' " + words + "); COMP_CWORD=" + std::to_string(word) +
                         "; _logstream; echo \"[${COMPREPLY[*]}]\""});
    EXPECT_EQ(r.err, "");
    return r.out;
  };
  EXPECT_EQ(complete("--output-m", 1), "[--output-mode]\n");
  EXPECT_EQ(complete("--format co", 2), "[common combined]\n");
  EXPECT_EQ(complete("run --si", 2), "[--sink]\n");
  EXPECT_EQ(complete("--group-by ''", 2), "[]\n");
  EXPECT_EQ(complete("''", 1), "[run watch merge schema]\n");
  EXPECT_EQ(complete("merge --trig", 2), "[--trigger-interval]\n");
}

}  // namespace
}  // namespace logstream::test_support
