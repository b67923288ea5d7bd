// The one place that knows Spark's console-sink layout: the batch banner and Dataset.show(20, truncate=true).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logstream {

struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Dataset.show(max_rows, truncate = 20): columns as wide as their widest cell (at least 3 characters),
// cells right-aligned, cells longer than 20 characters cut to 17 plus "...", at most max_rows rows and
// then "only showing top N rows". Widths count UTF-8 characters, not bytes. Ends with a newline.
std::string render_spark_show(const TextTable& table, size_t max_rows = 20);

// What the console sink prints for one batch: 43 dashes, "Batch: N", 43 dashes, the table, a blank line.
std::string render_spark_console_batch(uint64_t batch_id, const TextTable& table);

// Number of UTF-8 characters (lead bytes) in text; what Spark's width arithmetic counts.
size_t utf8_length(std::string_view text) noexcept;

}  // namespace logstream
