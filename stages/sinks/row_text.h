// A batch of typed result rows as the jsonl and csv sinks write them: one JSON object per row with its
// `batch`, or CSV with a `batch,<columns>` header. Values as Spark's JSON and CSV writers give them:
// numbers as numbers (doubles in Java's form), timestamps as yyyy-MM-dd'T'HH:mm:ss.SSSXXX in the session
// zone, null as JSON null and as an empty CSV field (an empty string is "" there, so the two stay apart).
// A window nests in JSON ({"window": {"start": ..., "end": ...}}) and is flattened in CSV into two
// columns, window.start and window.end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stages/core/time_zone.h"
#include "stages/core/value.h"

namespace logstream {

using ResultRows = std::vector<std::vector<Value>>;

std::string render_jsonl_rows(uint64_t batch_id, const Schema& schema, const ResultRows& rows,
                              const TimeZone& zone);

// RFC 4180: a field holding a comma, a quote, CR or LF is quoted, with quotes doubled.
std::string render_csv_rows(uint64_t batch_id, const Schema& schema, const ResultRows& rows,
                            const TimeZone& zone, bool with_header);

// A query's rows as the text sinks write them, rendered where the rows were made (a parser thread), so
// that a query without aggregation streams to its jsonl and csv sinks chunk by chunk, in input order.
// Only the texts some sink needs are filled.
struct RenderedRows {
  std::string jsonl;
  std::string csv;  // without the header
  void clear() {
    jsonl.clear();
    csv.clear();
  }
};

// Spark's JSON/CSV timestamp: "2015-11-29T03:50:00.000-08:00", "...Z" at a zero offset.
std::string format_iso_timestamp(int64_t micros, const TimeZone& zone);

}  // namespace logstream
