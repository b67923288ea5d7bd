#include "stages/merger/batch_accumulator.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

Chunk piece(uint64_t line, uint32_t index, bool last, bool has_status, int status) {
  Chunk c(8);
  c.batch_id = 1;
  c.shape = ChunkShape::kLinePiece;
  c.long_line_id = line;
  c.piece_index = index;
  c.last_piece = last;
  c.piece.has_status = has_status;
  c.piece.status = status;
  return c;
}

Chunk end_marker(uint64_t chunks) {
  Chunk c(8);
  c.batch_id = 1;
  c.shape = ChunkShape::kBatchEnd;
  c.batch_chunk_count = chunks;
  return c;
}

TEST(BatchAccumulator, ClosesOnlyWhenTheMarkerAndEveryChunkAreIn) {
  BatchAccumulator acc;
  acc.start(1);
  EXPECT_FALSE(acc.add(end_marker(2)));  // the marker may overtake chunks still being parsed
  Chunk lines(8);
  lines.batch_id = 1;
  lines.counts.lines_read = 3;
  lines.counts.status[200] = 3;
  EXPECT_FALSE(acc.add(lines));
  EXPECT_TRUE(acc.add(lines));
  EXPECT_EQ(acc.counts().status[200], 6u);
}

TEST(BatchAccumulator, PiecesArrivingOutOfOrderResolveToTheEarliestMatch) {
  BatchAccumulator acc;
  acc.start(1);
  EXPECT_FALSE(acc.add(piece(5, 2, true, true, 500)));
  EXPECT_FALSE(acc.add(piece(5, 0, false, false, 0)));
  EXPECT_FALSE(acc.add(piece(5, 1, false, true, 404)));
  EXPECT_TRUE(acc.add(end_marker(3)));
  EXPECT_EQ(acc.counts().lines_read, 1u);
  EXPECT_EQ(acc.counts().status[404], 1u);
  EXPECT_EQ(acc.counts().status[500], 0u);
}

TEST(BatchAccumulator, APieceLineWithoutMatchIsNullAndTooLongIsARejectedLine) {
  BatchAccumulator acc;
  acc.start(1);
  acc.add(piece(1, 0, false, false, 0));
  acc.add(piece(1, 1, true, false, 0));
  Chunk rejected = piece(2, 0, true, false, 0);
  rejected.piece.too_long = true;
  acc.add(rejected);
  EXPECT_TRUE(acc.add(end_marker(3)));
  EXPECT_EQ(acc.counts().lines_read, 2u);
  EXPECT_EQ(acc.counts().null_status, 1u);
  EXPECT_EQ(acc.counts().rejects[static_cast<size_t>(RejectReason::kTooLong)], 1u);
  EXPECT_EQ(acc.counts().accepted(), 1u);
}

TEST(BatchAccumulator, AnEmptyBatchClosesOnItsMarker) {
  BatchAccumulator acc;
  acc.start(1);
  EXPECT_TRUE(acc.add(end_marker(0)));
}

}  // namespace
}  // namespace logstream
