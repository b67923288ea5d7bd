#include "stages/core/time_zone.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>

namespace logstream {
namespace {

TimeZone zone(std::string_view name) {
  auto z = TimeZone::load(name);
  EXPECT_TRUE(z.ok()) << (z.ok() ? "" : z.error());
  return z.ok() ? z.value() : TimeZone();
}

// Offsets as java.time gives them (ZoneId.of(name, SHORT_IDS).getRules().getOffset(instant)).
TEST(TimeZone, RegionOffsetsMatchJava) {
  const TimeZone la = zone("America/Los_Angeles");
  EXPECT_EQ(la.offset_at(1448769000), -28800);   // 2015-11-29, PST
  EXPECT_EQ(la.offset_at(1425808799), -28800);   // a second before DST began on 2015-03-08
  EXPECT_EQ(la.offset_at(1425808800), -25200);   // the second it began
  EXPECT_EQ(la.offset_at(-3786825600), -28378);  // 1850: local mean time, before the first transition
  const TimeZone sydney = zone("Australia/Sydney");
  EXPECT_EQ(sydney.offset_at(1420070400), 39600);  // January: summer time in the south
  EXPECT_EQ(sydney.offset_at(1435708800), 36000);  // July
  EXPECT_EQ(zone("Asia/Kolkata").offset_at(1448769000), 19800);
  EXPECT_EQ(zone("Asia/Kathmandu").offset_at(1448769000), 20700);
}

// After a file's last transition the POSIX rule in its footer decides.
TEST(TimeZone, FarFutureFollowsTheFootersRule) {
  const TimeZone la = zone("America/Los_Angeles");
  EXPECT_EQ(la.offset_at(4118083200), -25200);                       // 2100-07-01
  EXPECT_EQ(la.offset_at(4102444800), -28800);                       // 2100-01-01
  EXPECT_EQ(zone("Australia/Sydney").offset_at(7258118400), 39600);  // 2200-01-01
}

TEST(TimeZone, FixedOffsetsAndJavaShortIds) {
  EXPECT_EQ(zone("UTC").offset_at(1448769000), 0);
  EXPECT_EQ(zone("Z").offset_at(0), 0);
  EXPECT_EQ(zone("+05:30").offset_at(0), 19800);
  EXPECT_EQ(zone("-1:00").offset_at(0), -3600);  // Spark widens "+1:00" to "+01:00" before ZoneId.of
  EXPECT_EQ(zone("UTC-09:30").offset_at(0), -34200);
  EXPECT_EQ(zone("GMT+3").offset_at(0), 10800);
  EXPECT_EQ(zone("+0530").offset_at(0), 19800);
  EXPECT_EQ(zone("-18:00").offset_at(0), -64800);
  EXPECT_EQ(zone("PST").offset_at(1435708800), -25200);  // America/Los_Angeles, so with DST
  EXPECT_EQ(zone("EST").offset_at(1435708800), -18000);  // a fixed -05:00, even in July
  EXPECT_EQ(zone("+05:30").name(), "+05:30");
}

TEST(TimeZone, BadNamesSayWhatIsWrong) {
  for (const char* bad : {"", "Mars/Olympus", "../etc/passwd", "America/../../etc/passwd", "+19:00", "+5:3",
                          "UTC+25", "America/Los Angeles", "/etc/localtime"}) {
    auto z = TimeZone::load(bad);
    ASSERT_FALSE(z.ok()) << bad;
    EXPECT_NE(z.error().find("time zone " + std::string(bad)), std::string::npos) << z.error();
  }
  EXPECT_NE(TimeZone::load("Mars/Olympus").error().find("No such file"), std::string::npos);
}

TEST(TimeZone, AFileThatIsNotTzifIsAnErrorNamingIt) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("logstream-tz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "Bad");
  std::ofstream(dir / "Bad" / "Zone") << "TZif2 but not really";
  std::ofstream(dir / "Bad" / "Empty");
  ::setenv("TZDIR", dir.c_str(), 1);
  const auto junk = TimeZone::load("Bad/Zone");
  const auto empty = TimeZone::load("Bad/Empty");
  const auto directory = TimeZone::load("Bad");
  ::unsetenv("TZDIR");
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().find((dir / "Bad" / "Zone").string() + ": not a TZif file"), std::string::npos)
      << junk.error();
  ASSERT_FALSE(empty.ok());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().find("not a regular file"), std::string::npos) << directory.error();
}

TEST(TimeZone, LocalFollowsTz) {
  const char* saved = std::getenv("TZ");
  const std::string before = saved ? saved : "";
  ::setenv("TZ", ":Asia/Kolkata", 1);
  auto kolkata = TimeZone::local();
  ::setenv("TZ", "Nowhere/Special", 1);
  const auto bad = TimeZone::local();
  if (saved) {
    ::setenv("TZ", before.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ASSERT_TRUE(kolkata.ok()) << kolkata.error();
  EXPECT_EQ(kolkata.value().offset_at(0), 19800);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("$TZ: time zone Nowhere/Special"), std::string::npos) << bad.error();
}

// An independent reader of the same files: glibc's localtime_r under TZ, at random instants from 1850 to
// 2300 (so both the transition tables and the footer rules are exercised). Only this test touches TZ.
TEST(TimeZone, AgreesWithGlibcOnTheSameFiles) {
  std::mt19937_64 rng(20151129);
  for (const char* name :
       {"America/Los_Angeles", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Pacific/Chatham",
        "Africa/Casablanca", "Asia/Tehran", "America/St_Johns", "Antarctica/Troll", "Europe/Dublin"}) {
    const TimeZone ours = zone(name);
    ::setenv("TZ", (std::string(":") + name).c_str(), 1);
    ::tzset();
    for (int i = 0; i < 3000; ++i) {
      const int64_t t = -3786825600LL + static_cast<int64_t>(rng() % 14200000000ULL);
      const time_t tt = static_cast<time_t>(t);
      struct tm tm {};
      ::localtime_r(&tt, &tm);
      ASSERT_EQ(ours.offset_at(t), tm.tm_gmtoff) << name << " at " << t;
    }
  }
  ::unsetenv("TZ");
  ::tzset();
}

TEST(TimeZone, CivilDaysRoundTrip) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(0, 1, 1), -719528);
  for (int64_t d = -800000; d < 3000000; d += 997) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
}

}  // namespace
}  // namespace logstream
