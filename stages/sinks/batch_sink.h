// Where a closed batch goes. Every sink gets the same report: the query's result rows for the batch (all of
// them in complete mode, the changed ones in update mode, the batch's own in append mode) as typed values,
// and the batch's line accounting; each renders it in its own syntax and escapes what that syntax needs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/line_counts.h"
#include "stages/core/time_zone.h"
#include "stages/core/value.h"
#include "stages/sinks/prometheus_text.h"
#include "stages/sinks/row_text.h"
#include "stages/sinks/spark_table_printer.h"

namespace logstream {

struct BatchReport {
  uint64_t batch_id = 0;
  const Schema* schema = nullptr;     // the result's columns
  const ResultRows* rows = nullptr;   // in the order they are shown and written
  const LineCounts* batch = nullptr;  // this batch alone
  // The batch's rows already went to the text sinks through write_streamed; `rows` holds only the first
  // ones, for the console.
  bool rows_streamed = false;
  double latency_ms = 0;                            // from the trigger to the result
  const std::vector<AlertGauge>* alerts = nullptr;  // the alert rules' states after the batch
};

// How the sinks render values: the console's show() options (--num-rows, --truncate) and the session time
// zone of timestamps (--timezone).
struct SinkSettings {
  ShowOptions show;
  TimeZone zone;
  std::string query;  // the query as given (the html report shows it)
  // The first line of this query's CSV ("batch,<columns>"): a csv sink that appends to a file checks that
  // the file starts with it, so that two queries' rows never share a header. Empty: not checked.
  std::string csv_header;
};

class BatchSink {
 public:
  virtual ~BatchSink() = default;
  // Returns false (errno set) when the destination cannot be written.
  virtual bool write(const BatchReport& report) = 0;
  // Rows of the batch in progress, ahead of write() (a query without aggregation): a text sink writes its
  // part of `rows`, the console waits for write().
  virtual bool write_streamed(const Schema& schema, const RenderedRows& rows) = 0;
  virtual const std::string& destination() const = 0;
  // Which rendering of streamed rows this sink writes (none for the console).
  virtual bool wants_jsonl() const = 0;
  virtual bool wants_csv() const = 0;
  // It shows every row of a result (the html report), not only the console's first ones.
  virtual bool wants_every_row() const { return false; }
};

// A stream a sink writes to: stdout ("-") or a file it opens for appending and owns.
class SinkStream {
 public:
  static Expected<std::unique_ptr<SinkStream>> open(const std::string& destination);
  ~SinkStream();
  SinkStream(const SinkStream&) = delete;
  SinkStream& operator=(const SinkStream&) = delete;

  // Writes all of `text` and flushes, so a reader sees each batch whole as soon as it closes.
  bool write(const std::string& text);
  const std::string& destination() const noexcept { return destination_; }
  bool is_new() const noexcept { return is_new_; }  // nothing was in it before (a CSV header is due)

 private:
  SinkStream(std::FILE* file, bool owned, std::string destination, bool is_new)
      : file_(file), owned_(owned), destination_(std::move(destination)), is_new_(is_new) {}
  std::FILE* file_;
  bool owned_;
  std::string destination_;
  bool is_new_;
};

// --sink console|jsonl|csv[=FILE]; FILE "-" or absent: stdout. --sink html=FILE: a self-contained page of
// the dashboard (dashboard.h), rewritten atomically after every batch.
Expected<std::unique_ptr<BatchSink>> make_sink(const std::string& spec, const SinkSettings& settings);

}  // namespace logstream
