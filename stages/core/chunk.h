// A chunk is the unit of work that moves through the pipeline: a buffer of whole lines (or one piece of a
// line longer than the buffer), where it came from, and the partial counts its parser wrote. Buffers are
// owned by a fixed pool and recycled, so the counts travel with the buffer and need no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "stages/core/line_counts.h"

namespace logstream {

enum class ChunkShape : uint8_t {
  kWholeLines,  // complete lines; the last may lack a terminator only at the end of a file
  kLinePiece,   // one piece of a line longer than the buffer; pieces of one line share long_line_id
  kBatchEnd,    // no data: tells the merge stage how many chunks the batch had
};

// What a parser found in one piece of a long line. The merge stage combines the pieces in order.
struct LinePieceResult {
  bool has_status = false;  // spark-seed: this piece holds the line's first status match
  int status = 0;
  bool too_long = false;  // a fixed format: the line cannot be parsed and is rejected as too long
};

struct Chunk {
  explicit Chunk(size_t buffer_capacity, uint32_t slot_in_pool = 0)
      : storage(new char[buffer_capacity]), capacity(buffer_capacity), pool_slot(slot_in_pool) {}

  char* data() noexcept { return storage.get(); }
  const char* data() const noexcept { return storage.get(); }

  // Resets everything but the buffer, before the chunk is filled again.
  void reset() noexcept {
    size = 0;
    shape = ChunkShape::kWholeLines;
    batch_id = 0;
    parser_index = 0;
    file_index = 0;
    sequence = 0;
    file_uri = nullptr;
    long_line_id = 0;
    piece_index = 0;
    last_piece = false;
    piece_overlap = 0;
    batch_chunk_count = 0;
    batch_cancelled = false;
    counts.clear();
    piece = LinePieceResult{};
    scan_error = 0;
  }

  std::unique_ptr<char[]> storage;
  size_t capacity;
  // Which buffer of the pool this is, for good: what a query computes from the chunk (its partial
  // aggregate, its rows) is kept beside the pool under this index, so it needs no allocation per chunk.
  uint32_t pool_slot;
  size_t size = 0;

  ChunkShape shape = ChunkShape::kWholeLines;
  uint64_t batch_id = 0;
  uint32_t parser_index = 0;  // which configured line parser reads this chunk (per file, for --format auto)
  uint32_t file_index = 0;    // which file of the batch (in the order read), for per-file accounting
  uint64_t sequence = 0;      // the chunk's place in its batch (0, 1, ...): rows come out in input order
  // The file's input_file_name() (a file:// URI), owned by the reader for the batch; null for a marker.
  const std::string* file_uri = nullptr;

  // kLinePiece only.
  uint64_t long_line_id = 0;
  uint32_t piece_index = 0;
  bool last_piece = false;
  size_t piece_overlap = 0;  // leading bytes repeated from the previous piece, so matches may straddle

  // kBatchEnd only: how many data chunks the batch produced before this marker.
  uint64_t batch_chunk_count = 0;
  // kBatchEnd only: the reader stopped early (a signal); a long line may be left without its last piece.
  bool batch_cancelled = false;

  // Written by the parser, read by the merge stage.
  LineCounts counts;
  LinePieceResult piece;
  // A Hyperscan scan of this chunk failed (its hs_error_t): the counts are incomplete, and the batch must
  // stop the query rather than pass unmatched lines off as null statuses.
  int scan_error = 0;
};

}  // namespace logstream
