// Writes each batch's complete table to a stream in Spark's console layout and flushes it, so a reader
// on the other end of a pipe sees every batch as soon as it closes.
#pragma once

#include <cstdio>
#include <string>

#include "stages/merger/status_table.h"

namespace logstream {

class ConsoleSink {
 public:
  ConsoleSink(std::FILE* out, RowOrder order) : out_(out), order_(order) {}

  // Returns false (with errno set) when the stream cannot be written.
  bool write_batch(uint64_t batch_id, const StatusTable& table);

 private:
  std::FILE* out_;
  RowOrder order_;
};

}  // namespace logstream
