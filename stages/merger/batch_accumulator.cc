#include "stages/merger/batch_accumulator.h"

#include <cassert>

namespace logstream {

void BatchAccumulator::start(uint64_t batch_id) {
  batch_id_ = batch_id;
  counts_.clear();
  chunks_merged_ = 0;
  chunks_expected_ = 0;
  end_seen_ = false;
  closed_ = false;
  long_lines_.clear();
}

bool BatchAccumulator::add(const Chunk& chunk) {
  assert(chunk.batch_id == batch_id_ && !closed_);
  if (chunk.shape == ChunkShape::kBatchEnd) {
    end_seen_ = true;
    chunks_expected_ = chunk.batch_chunk_count;
  } else {
    ++chunks_merged_;
    if (chunk.shape == ChunkShape::kLinePiece) {
      add_piece(chunk);
    } else {
      counts_.add(chunk.counts);
    }
  }
  closed_ = end_seen_ && chunks_merged_ == chunks_expected_;
  if (closed_) assert(long_lines_.empty());
  return closed_;
}

void BatchAccumulator::add_piece(const Chunk& chunk) {
  counts_.bytes_read += chunk.counts.bytes_read;
  LongLine& line = long_lines_[chunk.long_line_id];
  ++line.pieces_merged;
  if (chunk.last_piece) line.piece_count = chunk.piece_index + 1;
  if (chunk.piece.too_long) line.too_long = true;
  // The earliest piece with a match holds the line's leftmost match.
  if (chunk.piece.has_status && chunk.piece_index < line.first_status_piece) {
    line.first_status_piece = chunk.piece_index;
    line.status = chunk.piece.status;
  }
  if (line.piece_count == 0 || line.pieces_merged != line.piece_count) return;

  ++counts_.lines_read;
  if (line.too_long) {
    counts_.count_reject(RejectReason::kTooLong);
  } else if (line.first_status_piece != UINT32_MAX) {
    counts_.count_status(line.status);
  } else {
    ++counts_.null_status;
  }
  long_lines_.erase(chunk.long_line_id);
}

}  // namespace logstream
