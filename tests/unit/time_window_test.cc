// Window assignment against brute force (every aligned start near the time, tried one by one), and the
// interval strings window() takes.
#include "stages/query/time_window.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace logstream {
namespace {

constexpr int64_t kMinute = 60'000'000;

std::set<int64_t> by_brute_force(int64_t time, const TimeWindowSpec& spec) {
  std::set<int64_t> starts;
  // Every start s with s = offset (mod slide) in (time - size, time]: walk down from time one
  // microsecond at a time would be too slow, so walk the multiples of the slide around it instead.
  const int64_t reach = spec.size_us + 2 * spec.slide_us;
  for (int64_t s = time - reach; s <= time + spec.slide_us; ++s) {
    const int64_t phase = ((s - spec.start_us) % spec.slide_us + spec.slide_us) % spec.slide_us;
    if (phase != 0) {
      s += spec.slide_us - phase - 1;  // to the next aligned start
      continue;
    }
    if (s <= time && time < s + spec.size_us) starts.insert(s);
  }
  return starts;
}

TEST(TimeWindow, EveryWindowThatHoldsATimeAndNoOther) {
  std::mt19937_64 rng(20261201);
  const TimeWindowSpec specs[] = {
      {10 * kMinute, 10 * kMinute, 0},
      {60 * kMinute, 20 * kMinute, 5 * kMinute},
      {60 * kMinute, 60 * kMinute, -7 * kMinute},
      {7, 3, 2},
      {5 * kMinute, 2 * kMinute, 0},
      {86'400'000'000, 3'600'000'000, 0},
  };
  for (const TimeWindowSpec& spec : specs) {
    for (int i = 0; i < 2000; ++i) {
      // Around the epoch (before 1970 too), and at window edges.
      int64_t time = static_cast<int64_t>(rng() % (400 * kMinute)) - 200 * kMinute;
      if (i % 5 == 0) time = (time / spec.slide_us) * spec.slide_us + spec.start_us;
      if (i % 7 == 0) --time;
      std::set<int64_t> got;
      for_each_window(time, spec, [&](int64_t start) { EXPECT_TRUE(got.insert(start).second) << "twice"; });
      ASSERT_EQ(got, by_brute_force(time, spec)) << "time " << time << ", size " << spec.size_us;
      EXPECT_LE(static_cast<int64_t>(got.size()), spec.windows_per_row());
    }
  }
}

TEST(TimeWindow, TheLatestWindowComesFirstAndTheEndsOfTheRangeAreLeftOut) {
  const TimeWindowSpec spec{10, 5, 0};
  std::vector<int64_t> starts;
  for_each_window(12, spec, [&](int64_t s) { starts.push_back(s); });
  EXPECT_EQ(starts, (std::vector<int64_t>{10, 5}));
  starts.clear();
  for_each_window(INT64_MAX - 1, spec, [&](int64_t s) { starts.push_back(s); });
  EXPECT_TRUE(starts.empty()) << "a window that would end past the largest time is left out";
}

TEST(TimeWindow, IntervalsAsSparkWritesThem) {
  EXPECT_EQ(parse_window_interval("10 minutes").value(), 10 * kMinute);
  EXPECT_EQ(parse_window_interval("1 minute").value(), kMinute);
  EXPECT_EQ(parse_window_interval("interval 1 hour 30 minutes").value(), 90 * kMinute);
  EXPECT_EQ(parse_window_interval("  2 DAYS ").value(), 2 * 86'400'000'000);
  EXPECT_EQ(parse_window_interval("1 week").value(), 7 * 86'400'000'000);
  EXPECT_EQ(parse_window_interval("500 milliseconds").value(), 500'000);
  EXPECT_EQ(parse_window_interval("3 microseconds").value(), 3);
  EXPECT_EQ(parse_window_interval("1 hour -10 minutes").value(), 50 * kMinute);
  EXPECT_NE(parse_window_interval("10 minuts").error().find("unknown unit 'minuts'"), std::string::npos);
  EXPECT_NE(parse_window_interval("1 month").error().find("months and years are not supported"),
            std::string::npos);
  EXPECT_NE(parse_window_interval("ten minutes").error().find("not a whole number"), std::string::npos);
  EXPECT_NE(parse_window_interval("10").error().find("a number and a unit"), std::string::npos);
  EXPECT_NE(parse_window_interval("").error().find("a number and a unit"), std::string::npos);
  EXPECT_NE(parse_window_interval("99999999999 weeks").error().find("too long"), std::string::npos);
}

TEST(TimeWindow, SparksChecksOfTheArguments) {
  EXPECT_TRUE(make_time_window(10, 10, 0));
  EXPECT_TRUE(make_time_window(10, 5, -4));
  EXPECT_NE(make_time_window(0, 1, 0).error().find("window duration must be greater than 0"),
            std::string::npos);
  EXPECT_NE(make_time_window(10, 0, 0).error().find("slide duration must be greater than 0"),
            std::string::npos);
  EXPECT_NE(make_time_window(10, 20, 0).error().find("less than or equal to the window duration"),
            std::string::npos);
  EXPECT_NE(make_time_window(10, 5, 5).error().find("start time must be less than the slide"),
            std::string::npos);
  EXPECT_NE(make_time_window(10, 5, -5).error().find("start time must be less than the slide"),
            std::string::npos);
}

}  // namespace
}  // namespace logstream
