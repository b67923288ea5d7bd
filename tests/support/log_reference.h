// The slow, obviously correct reference of the table `logs`: a log file split into lines one byte at a
// time and each line matched by one std::regex, turned into rows of Values with the columns `logstream
// schema --format F` prints. Shares no code with stages/parser; only ASCII input (the shared logs are).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/value.h"

namespace logstream::test_support {

enum class ReferenceFormat { kCommon, kCombined, kSparkSeed };

std::string_view reference_format_name(ReferenceFormat format) noexcept;  // as --format spells it

// The columns of `logs`: common and combined as Apache writes them (the request split into method,
// endpoint and protocol, timestamp a TIMESTAMP, content_size a bigint, null for "-"), spark-seed the
// seed's logsDF (regexp_extract strings, timestamp a string, status and content_size cast to int), then
// `value`, the raw line.
Schema reference_schema(ReferenceFormat format);

// Spark's printSchema text of `schema`, written here from Spark's type names.
std::string reference_print_schema(const Schema& schema);

struct ReferenceTable {
  Schema schema;
  std::vector<std::vector<Value>> rows;  // one per accepted line, in file order
  size_t lines = 0;                      // lines in the input
  size_t skipped = 0;                    // lines that fit no form of the format (the engine rejects them)
  size_t truncated = 0;                  // lines cut off inside a quoted field, kept with later fields null
};

// Runs on a thread with a large stack (std::regex recurses per byte). Throws on a non-ASCII byte.
//  common, combined: `host ident user [dd/Mon/yyyy:HH:MM:SS +hhmm] "request" status size` (combined:
//    then `"referer" "user_agent"`); a quoted field ends at the first `"` not escaped by a backslash, more
//    text after the last field is allowed when it starts with a space, and a line that ends inside a
//    quoted field is kept with that field running to the end and the fields after it null. The request
//    splits at its first and last space (method, endpoint, protocol; fewer spaces leave them "").
//  spark-seed: every line is a row; each column is regexp_extract of the seed's pattern (Java's \s, \d,
//    \w as ASCII classes), "" without a match, the ints null when "" or beyond Integer.MAX_VALUE.
ReferenceTable reference_table(const std::string& bytes, ReferenceFormat format);

}  // namespace logstream::test_support
