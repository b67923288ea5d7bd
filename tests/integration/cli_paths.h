// Where the built binaries and the shared data are, as CMake told us, and a fresh temp directory per test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace logstream::test_support {

inline const std::string kLogstream = LOGSTREAM_BINARY;
inline const std::string kLoggen = LOGGEN_BINARY;
inline const std::string kKafkaMock = LOGSTREAM_KAFKA_MOCK;
inline const std::string kSharedData = LOGSTREAM_SHARED_DATA;

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("logstream-it-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "logs");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string logs() const { return (dir_ / "logs").string(); }

  std::filesystem::path dir_;
};

}  // namespace logstream::test_support
