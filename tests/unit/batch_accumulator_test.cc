#include "stages/merger/batch_accumulator.h"

#include <gtest/gtest.h>
#include <hs.h>

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

namespace logstream {
namespace {

TEST(BatchAccumulator, AFailedScanOfAnyChunkMarksTheBatch) {
  BatchAccumulator acc;
  acc.start(1);
  Chunk good(8), failed(8);
  good.batch_id = failed.batch_id = 1;
  failed.scan_error = HS_SCRATCH_IN_USE;
  acc.add(good);
  acc.add(failed);
  EXPECT_TRUE(acc.add(end_marker(2)));
  EXPECT_EQ(acc.scan_error(), HS_SCRATCH_IN_USE);
  acc.start(2);
  EXPECT_EQ(acc.scan_error(), 0) << "a new batch starts clean";
}

TEST(BatchAccumulator, CountsLinesPerFileAcrossWholeChunksAndLongLines) {
  BatchAccumulator acc;
  acc.start(1);
  Chunk first(8);
  first.batch_id = 1;
  first.file_index = 0;
  first.counts.lines_read = 3;
  first.counts.status[200] = 2;
  first.counts.rejects[0] = 1;
  Chunk long_start = piece(9, 0, false, true, 404);
  long_start.file_index = 1;
  Chunk long_end = piece(9, 1, true, false, 0);
  long_end.file_index = 1;
  acc.add(first);
  acc.add(long_start);
  acc.add(long_end);
  EXPECT_TRUE(acc.add(end_marker(3)));
  ASSERT_EQ(acc.lines_by_file().size(), 2u);
  EXPECT_EQ(acc.lines_by_file()[0].read, 3u);
  EXPECT_EQ(acc.lines_by_file()[0].accepted, 2u);
  EXPECT_EQ(acc.lines_by_file()[1].read, 1u);
  EXPECT_EQ(acc.lines_by_file()[1].accepted, 1u);
}

TEST(BatchAccumulator, ACancelledBatchClosesWithALongLineCutOffAndCountsNoneOfIt) {
  BatchAccumulator acc;
  acc.start(1);
  acc.add(piece(3, 0, false, true, 200));
  Chunk marker = end_marker(1);
  marker.batch_cancelled = true;
  EXPECT_TRUE(acc.add(marker));
  EXPECT_EQ(acc.counts().lines_read, 0u);
}

TEST(BatchAccumulatorDeathTest, AChunkOfAnotherBatchStopsLoudlyInEveryBuild) {
  BatchAccumulator acc;
  acc.start(1);
  Chunk stray(8);
  stray.batch_id = 2;
  EXPECT_DEATH(acc.add(stray), "internal error: a chunk of batch 2 reached batch 1");
}

}  // namespace
}  // namespace logstream
