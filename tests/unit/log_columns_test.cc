// The table `logs` of each format: column names and types, and the values a parsed line gives them.
#include "stages/parser/log_columns.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

std::vector<std::string> names(const Schema& schema) {
  std::vector<std::string> out;
  for (const Column& column : schema) out.push_back(column.name);
  return out;
}

// Column `name` of `line` parsed with `format`.
Value column(const LogFormat& format, std::string_view line, const std::string& name) {
  ParsedLine parsed;
  EXPECT_EQ(format.parse(line, parsed), std::nullopt) << line;
  const LogColumns columns = LogColumns::of(format);
  const int at = find_column(columns.schema(), name);
  EXPECT_GE(at, 0) << name;
  return at < 0 ? Value{} : columns.value(static_cast<size_t>(at), parsed, line);
}

TEST(LogColumns, TheCombinedFormatHasTheSeedsColumnsAndMore) {
  const LogColumns columns = LogColumns::of(LogFormat::named("combined").value());
  EXPECT_EQ(names(columns.schema()),
            (std::vector<std::string>{"host", "ident", "user", "timestamp", "method", "endpoint", "protocol",
                                      "status", "content_size", "referer", "user_agent", "value"}));
  EXPECT_EQ(columns.schema()[3].type, DataType::kTimestamp);
  EXPECT_EQ(columns.schema()[7].type, DataType::kInt);
  EXPECT_EQ(columns.schema()[8].type, DataType::kBigint);
}

TEST(LogColumns, ValuesOfACombinedLine) {
  const LogFormat combined = LogFormat::named("combined").value();
  const std::string line =
      R"(10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif?x=1 HTTP/1.0" 404 2326 "http://r/" "UA 1")";
  EXPECT_EQ(column(combined, line, "host"), Value::string("10.0.0.1"));
  EXPECT_EQ(column(combined, line, "ident"), Value::string("-"));
  EXPECT_EQ(column(combined, line, "user"), Value::string("frank"));
  EXPECT_EQ(column(combined, line, "timestamp"), Value::timestamp_micros(971211336LL * 1000000));
  EXPECT_EQ(column(combined, line, "method"), Value::string("GET"));
  EXPECT_EQ(column(combined, line, "endpoint"), Value::string("/a.gif?x=1"));
  EXPECT_EQ(column(combined, line, "protocol"), Value::string("HTTP/1.0"));
  EXPECT_EQ(column(combined, line, "status"), Value::int32(404));
  EXPECT_EQ(column(combined, line, "content_size"), Value::bigint(2326));
  EXPECT_EQ(column(combined, line, "referer"), Value::string("http://r/"));
  EXPECT_EQ(column(combined, line, "user_agent"), Value::string("UA 1"));
  EXPECT_EQ(column(combined, line, "value"), Value::string(line));
}

TEST(LogColumns, ADashSizeAndFieldsAfterACutAreNull) {
  const LogFormat combined = LogFormat::named("combined").value();
  EXPECT_EQ(column(combined, R"(h - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 304 - "-" "x")",
                   "content_size"),
            Value::null_of(DataType::kBigint));
  const std::string cut = R"(h - - [10/Oct/2000:13:55:36 -0700] "GET /long)";
  EXPECT_EQ(column(combined, cut, "endpoint"), Value::string("/long"));
  EXPECT_EQ(column(combined, cut, "protocol"), Value::string(""));
  EXPECT_EQ(column(combined, cut, "status"), Value::null_of(DataType::kInt));
  EXPECT_EQ(column(combined, cut, "user_agent"), Value::null_of(DataType::kString));
}

TEST(LogColumns, CustomDirectivesNameTheirColumns) {
  const LogFormat custom =
      LogFormat::from_apache(R"(%v:%p %h %t "%r" %>s %O %D %{ms}T "%{X-Forwarded-For}i" %m)").value();
  const LogColumns columns = LogColumns::of(custom);
  EXPECT_EQ(names(columns.schema()),
            (std::vector<std::string>{"vhost", "port", "host", "timestamp", "method", "endpoint", "protocol",
                                      "status", "bytes_sent", "duration_us", "duration_ms", "x_forwarded_for",
                                      "method_2", "value"}));
  const std::string line =
      R"(www:8443 1.2.3.4 [10/Oct/2000:13:55:36 +0000] "POST /x HTTP/2" 201 99 1234 1 "a, b" POST)";
  EXPECT_EQ(column(custom, line, "port"), Value::int32(8443));
  EXPECT_EQ(column(custom, line, "duration_us"), Value::bigint(1234));
  EXPECT_EQ(column(custom, line, "x_forwarded_for"), Value::string("a, b"));
  EXPECT_EQ(column(custom, line, "method_2"), Value::string("POST"));
}

TEST(LogColumns, NginxVariablesAndTheSeedsTable) {
  const LogColumns nginx = LogColumns::of(LogFormat::named("nginx").value());
  EXPECT_EQ(names(nginx.schema()),
            (std::vector<std::string>{"host", "user", "timestamp", "method", "endpoint", "protocol", "status",
                                      "content_size", "referer", "user_agent", "value"}));
  EXPECT_EQ(names(LogColumns::spark_seed().schema()),
            (std::vector<std::string>{"host", "timestamp", "method", "endpoint", "protocol", "status",
                                      "content_size", "value"}));
  EXPECT_EQ(LogColumns::spark_seed().schema()[1].type, DataType::kString) << "regexp_extract gives a string";
  EXPECT_EQ(LogColumns::spark_seed().schema()[6].type, DataType::kInt) << "cast('integer')";
}

TEST(LogColumns, PrintSchemaUsesSparksTypeNames) {
  const Schema schema = {
      {"status", DataType::kInt}, {"content_size", DataType::kBigint}, {"host", DataType::kString}};
  EXPECT_EQ(render_print_schema(schema),
            "root\n"
            " |-- status: integer (nullable = true)\n"
            " |-- content_size: long (nullable = true)\n"
            " |-- host: string (nullable = true)\n");
  EXPECT_FALSE(union_schema({{{"a", DataType::kInt}}, {{"a", DataType::kString}}}));
}

}  // namespace
}  // namespace logstream
