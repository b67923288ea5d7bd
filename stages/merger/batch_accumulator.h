// The merge stage's state for the batch being processed: adds up the chunks' partial counts in any order,
// resolves lines that came as several pieces, and says when the batch is closed, which is exactly when
// the batch-end marker and every chunk it announced have been merged.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

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
  // The first failed Hyperscan result among the batch's chunks, or 0: the counts are then incomplete.
  int scan_error() const noexcept { return scan_error_; }
  // Lines read and accepted per file of the batch, indexed by Chunk::file_index.
  struct FileLines {
    uint64_t read = 0;
    uint64_t accepted = 0;
  };
  const std::vector<FileLines>& lines_by_file() const noexcept { return lines_by_file_; }

 private:
  struct LongLine {
    uint32_t pieces_merged = 0;
    uint32_t piece_count = 0;  // known once the last piece is merged
    uint32_t first_status_piece = UINT32_MAX;
    int status = 0;
    bool too_long = false;
    uint32_t file_index = 0;
  };
  void add_piece(const Chunk& chunk);
  FileLines& file_lines(uint32_t file_index);

  uint64_t batch_id_ = 0;
  LineCounts counts_;
  uint64_t chunks_merged_ = 0;
  uint64_t chunks_expected_ = 0;
  bool end_seen_ = false;
  bool closed_ = false;
  int scan_error_ = 0;
  bool cancelled_ = false;
  std::vector<FileLines> lines_by_file_;
  std::unordered_map<uint64_t, LongLine> long_lines_;  // only lines longer than a chunk: rare
};

}  // namespace logstream
