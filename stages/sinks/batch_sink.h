// Where a closed batch goes. Every sink gets the same report: the complete table after the batch and the
// batch's own line accounting; each renders it in its own syntax and escapes what that syntax needs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "stages/core/expected.h"
#include "stages/merger/status_table.h"

namespace logstream {

struct BatchReport {
  uint64_t batch_id = 0;
  const StatusTable* table = nullptr;  // complete mode: everything since the query started
  const LineCounts* batch = nullptr;   // this batch alone
};

class BatchSink {
 public:
  virtual ~BatchSink() = default;
  // Returns false (errno set) when the destination cannot be written.
  virtual bool write(const BatchReport& report) = 0;
  virtual const std::string& destination() const = 0;
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

// --sink console|jsonl|csv[=FILE]; FILE "-" or absent: stdout.
Expected<std::unique_ptr<BatchSink>> make_sink(const std::string& spec, RowOrder order);

// The table through the typed-row writers of row_text.h: {"batch":N,"status":200,"count":9126} with the
// null status as JSON null; "batch,status,count" rows with the null status as an empty field.
std::string render_jsonl_batch(const BatchReport& report, RowOrder order);
std::string render_csv_batch(const BatchReport& report, RowOrder order, bool with_header);

}  // namespace logstream
