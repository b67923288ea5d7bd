// The merge stage's state for the batch being processed: adds up the chunks' partial counts in any order,
// resolves lines that came as several pieces, and says when the batch is closed, which is exactly when
// the batch-end marker and every chunk it announced have been merged.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "stages/core/chunk.h"
#include "stages/core/line_counts.h"

namespace logstream {

class BatchAccumulator {
 public:
  void start(uint64_t batch_id);

  // Folds one parsed chunk (or the batch-end marker) in. Returns true when the batch has just closed.
  bool add(const Chunk& chunk);

  uint64_t batch_id() const noexcept { return batch_id_; }
  const LineCounts& counts() const noexcept { return counts_; }
  uint64_t chunks_merged() const noexcept { return chunks_merged_; }
  bool closed() const noexcept { return closed_; }

 private:
  struct LongLine {
    uint32_t pieces_merged = 0;
    uint32_t piece_count = 0;  // known once the last piece is merged
    uint32_t first_status_piece = UINT32_MAX;
    int status = 0;
    bool too_long = false;
  };
  void add_piece(const Chunk& chunk);

  uint64_t batch_id_ = 0;
  LineCounts counts_;
  uint64_t chunks_merged_ = 0;
  uint64_t chunks_expected_ = 0;
  bool end_seen_ = false;
  bool closed_ = false;
  std::unordered_map<uint64_t, LongLine> long_lines_;  // only lines longer than a chunk: rare
};

}  // namespace logstream
