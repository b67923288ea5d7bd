#include "stages/merger/batch_accumulator.h"

#include "stages/core/invariant.h"

namespace logstream {

void BatchAccumulator::start(uint64_t batch_id) {
  batch_id_ = batch_id;
  counts_.clear();
  chunks_merged_ = 0;
  chunks_expected_ = 0;
  end_seen_ = false;
  closed_ = false;
  scan_error_ = 0;
  cancelled_ = false;
  lines_by_file_.clear();
  long_lines_.clear();
}

bool BatchAccumulator::add(const Chunk& chunk) {
  if (chunk.batch_id != batch_id_ || closed_)
    fail_invariant("a chunk of batch " + std::to_string(chunk.batch_id) + " reached batch " +
                   std::to_string(batch_id_) + (closed_ ? " after it closed" : ""));
  if (chunk.scan_error != 0 && scan_error_ == 0) scan_error_ = chunk.scan_error;
  if (chunk.shape == ChunkShape::kBatchEnd) {
    end_seen_ = true;
    chunks_expected_ = chunk.batch_chunk_count;
    cancelled_ = chunk.batch_cancelled;
  } else {
    ++chunks_merged_;
    if (chunk.shape == ChunkShape::kLinePiece) {
      add_piece(chunk);
    } else {
      counts_.add(chunk.counts);
      FileLines& file = file_lines(chunk.file_index);
      file.read += chunk.counts.lines_read;
      file.accepted += chunk.counts.accepted();
    }
  }
  closed_ = end_seen_ && chunks_merged_ == chunks_expected_;
  if (closed_ && cancelled_) long_lines_.clear();  // cut off by the stop: never counted
  if (closed_ && !long_lines_.empty())
    fail_invariant("batch " + std::to_string(batch_id_) + " closed with a long line still open");
  return closed_;
}

void BatchAccumulator::add_piece(const Chunk& chunk) {
  counts_.bytes_read += chunk.counts.bytes_read;
  LongLine& line = long_lines_[chunk.long_line_id];
  ++line.pieces_merged;
  if (chunk.last_piece) line.piece_count = chunk.piece_index + 1;
  if (chunk.piece.too_long) line.too_long = true;
  line.file_index = chunk.file_index;
  // The earliest piece with a match holds the line's leftmost match.
  if (chunk.piece.has_status && chunk.piece_index < line.first_status_piece) {
    line.first_status_piece = chunk.piece_index;
    line.status = chunk.piece.status;
  }
  if (line.piece_count == 0 || line.pieces_merged != line.piece_count) return;

  ++counts_.lines_read;
  FileLines& file = file_lines(line.file_index);
  ++file.read;
  if (line.too_long) {
    counts_.count_reject(RejectReason::kTooLong);
  } else if (line.first_status_piece != UINT32_MAX) {
    counts_.count_status(line.status);
  } else {
    ++counts_.null_status;
  }
  if (!line.too_long) ++file.accepted;
  long_lines_.erase(chunk.long_line_id);
}

BatchAccumulator::FileLines& BatchAccumulator::file_lines(uint32_t file_index) {
  if (file_index >= lines_by_file_.size()) lines_by_file_.resize(file_index + 1);
  return lines_by_file_[file_index];
}

}  // namespace logstream
