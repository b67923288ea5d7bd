// The table `logs` that a query sees for one log format: a typed column per field of the format, named
// after its directive (%h host, %>s status, %{User-Agent}i user_agent, %D duration_us, ...), the request
// line split into method, endpoint and protocol, and `value`, the raw line (as readStream.text gives it).
// For --format spark-seed the columns are the seed's logsDF. No threads; turns a parsed line into Values
// on demand, so a query pays only for the columns it reads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/value.h"
#include "stages/parser/log_format.h"

namespace logstream {

class LogColumns {
 public:
  // Where a column's value comes from in a ParsedLine.
  struct Source {
    enum Kind : uint8_t {
      kField,   // fields[field] as text, or converted to the column's type
      kMethod,  // the request line's parts (split_request of fields[field])
      kEndpoint,
      kProtocol,
      kTime,  // the line's bracketed (or nginx) timestamp, as microseconds
      kLine,  // the raw line
    };
    Kind kind = kField;
    uint8_t field = 0;
  };

  static LogColumns of(const LogFormat& format);
  // The seed's logsDF: host, timestamp (a string), method, endpoint, protocol, status (int),
  // content_size (int), then value. (Its values come from the seed's regexes, not from a LogFormat.)
  static LogColumns spark_seed();

  const Schema& schema() const noexcept { return schema_; }
  const std::vector<Source>& sources() const noexcept { return sources_; }

  // Column `column` of an accepted line: null when its field is absent (cut off), "-" in a number, or a
  // number that does not fit the column's type.
  Value value(size_t column, const ParsedLine& line, std::string_view raw_line) const;
  // The same into `out`, reusing its string's buffer (the engine's per-row path).
  void assign_value(size_t column, const ParsedLine& line, std::string_view raw_line, Value& out) const;

 private:
  void add(std::string name, DataType type, Source source);
  Schema schema_;
  std::vector<Source> sources_;
};

// The columns of several formats in one table (--format auto picks a format per file): every column of
// each, in order of first appearance, and `value` last; a column two formats name alike must have one type
// in both.
Expected<Schema> union_schema(const std::vector<Schema>& schemas);

// Spark's printSchema: "root", then " |-- name: type (nullable = true)" per column, with Spark's type
// names there (integer, long, string, double, timestamp, boolean).
std::string render_print_schema(const Schema& schema);

}  // namespace logstream
