// The one place that knows Spark's console-sink layout: the batch banner and Dataset.show(numRows,
// truncate) for any result table, as Spark 3.4's Dataset.showString writes it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/time_zone.h"
#include "stages/core/value.h"

namespace logstream {

// A result already turned into text: column names and each cell as Spark casts it to a string
// (spark_value_text.h), null as "null". Every row has one cell per column.
struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Dataset.show(numRows, truncate). The console sink's options numRows (20) and truncate (true = 20).
struct ShowOptions {
  size_t num_rows = 20;  // rows printed; when there are more, "only showing top N rows" follows
  int truncate = 20;     // > 0: cells longer than this are cut, and cells are right-aligned; <= 0: neither
};

// showString: a border, the header, a border, the first num_rows rows, a border, and the "only showing"
// line when rows were left out. Cells and headers are the JVM's strings of their UTF-8 (invalid bytes
// become U+FFFD, as Java decodes them) with \n \r \t \f \b \v and BEL written as two-character escapes
// and, beyond Spark, every other control character (ESC, DEL, C1) as \xHH of its UTF-8 bytes;
// then a cell longer than `truncate` UTF-16 units keeps truncate - 3 of them and gets "..." (only the
// first `truncate` units when truncate < 4; a surrogate pair cut in half prints '?', as the JVM's
// encoder does). Headers are never cut. A column is as wide as its widest cell or header, at least 3,
// where a character counts 1 per UTF-16 unit plus 1 more for full-width East Asian characters
// (Utils.stringHalfWidth). Ends with a newline.
std::string render_spark_show(const TextTable& table, const ShowOptions& options = {});

// The same for typed rows (values formatted with spark_value_text.h in `zone`; only the rows shown are
// formatted, so a large result costs nothing extra). Every row has one value per schema column.
std::string render_spark_show(const Schema& schema, std::span<const std::vector<Value>> rows,
                              const TimeZone& zone, const ShowOptions& options = {});

// What the console sink prints for one batch: 43 dashes, "Batch: N", 43 dashes, the table, a blank line.
std::string render_spark_console_batch(uint64_t batch_id, const TextTable& table,
                                       const ShowOptions& options = {});
std::string render_spark_console_batch(uint64_t batch_id, const Schema& schema,
                                       std::span<const std::vector<Value>> rows, const TimeZone& zone,
                                       const ShowOptions& options = {});

// The width show() gives `text` (UTF-8) in a column, after its escapes: UTF-16 units plus one per
// full-width character.
size_t spark_display_width(std::string_view text);

}  // namespace logstream
