// Typed result rows as the jsonl and csv sinks write them.
#include "stages/sinks/row_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

namespace logstream {
namespace {

const Schema kSchema = {{"endpoint", DataType::kString},
                        {"hits", DataType::kBigint},
                        {"avg(content_size)", DataType::kDouble},
                        {"first", DataType::kTimestamp},
                        {"ok", DataType::kBoolean}};

ResultRows sample_rows() {
  return {{Value::string("/a,\"b\"\n"), Value::bigint(3), Value::float64(1e7),
           Value::timestamp_micros(1448769000500000), Value::boolean(true)},
          {Value::string(""), Value::null_of(DataType::kBigint), Value::float64(std::nan("")),
           Value::null_of(DataType::kTimestamp), Value::boolean(false)},
          {Value::null_of(DataType::kString), Value::bigint(-1), Value::float64(0.1),
           Value::timestamp_micros(0), Value::null_of(DataType::kBoolean)}};
}

TEST(RowText, JsonLinesKeepTypesNullsAndJavasDoubles) {
  const std::string text = render_jsonl_rows(7, kSchema, sample_rows(), TimeZone());
  EXPECT_EQ(text,
            "{\"batch\":7,\"endpoint\":\"/a,\\\"b\\\"\\n\",\"hits\":3,\"avg(content_size)\":1.0E7,"
            "\"first\":\"2015-11-29T03:50:00.500Z\",\"ok\":true}\n"
            "{\"batch\":7,\"endpoint\":\"\",\"hits\":null,\"avg(content_size)\":\"NaN\",\"first\":null,"
            "\"ok\":false}\n"
            "{\"batch\":7,\"endpoint\":null,\"hits\":-1,\"avg(content_size)\":0.1,"
            "\"first\":\"1970-01-01T00:00:00.000Z\",\"ok\":null}\n");
  size_t lines = 0;
  for (size_t at = 0; at < text.size(); ++lines) {
    const size_t end = text.find('\n', at);
    EXPECT_NO_THROW(nlohmann::json::parse(text.substr(at, end - at)));
    at = end + 1;
  }
  EXPECT_EQ(lines, 3u);
}

TEST(RowText, JsonStringsAreNlohmannsEscapingWhateverTheBytes) {
  // Plain ASCII takes a short cut past nlohmann; every other string goes through it. Random bytes, biased
  // towards the ones that need care, must come out as nlohmann writes them (invalid UTF-8 replaced).
  std::mt19937 rng(5);
  const std::string tricky = "\"\\/\x01\x1f\x7f\xc3\xa9\xe2\x82\xac\xff\xc3 a";
  const Schema schema = {{"s", DataType::kString}};
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    const size_t length = rng() % 12;
    for (size_t j = 0; j < length; ++j)
      text += rng() % 2 ? tricky[rng() % tricky.size()] : static_cast<char>(0x20 + rng() % 0x5f);
    const std::string expected =
        "{\"batch\":0,\"s\":" +
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "}\n";
    ASSERT_EQ(render_jsonl_rows(0, schema, {{Value::string(text)}}, TimeZone()), expected) << text;
  }
}

TEST(RowText, CsvQuotesAsRfc4180AndTellsEmptyFromNull) {
  EXPECT_EQ(render_csv_rows(7, kSchema, sample_rows(), TimeZone(), true),
            "batch,endpoint,hits,avg(content_size),first,ok\n"
            "7,\"/a,\"\"b\"\"\n\",3,1.0E7,2015-11-29T03:50:00.500Z,true\n"
            "7,\"\",,NaN,,false\n"
            "7,,-1,0.1,1970-01-01T00:00:00.000Z,\n");
  EXPECT_EQ(render_csv_rows(8, kSchema, {}, TimeZone(), false), "");
}

TEST(RowText, TimestampsCarryTheSessionZonesOffset) {
  auto zone = TimeZone::load("America/Los_Angeles");
  ASSERT_TRUE(zone) << zone.error();
  EXPECT_EQ(format_iso_timestamp(1448769000000000, zone.value()), "2015-11-28T19:50:00.000-08:00");
  auto india = TimeZone::load("+05:30");
  ASSERT_TRUE(india) << india.error();
  EXPECT_EQ(format_iso_timestamp(-1, india.value()), "1970-01-01T05:29:59.999+05:30");
}

}  // namespace
}  // namespace logstream
