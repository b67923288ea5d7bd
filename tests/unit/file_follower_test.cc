// --follow's planning, on listings made by hand: which bytes of which file each trigger reads.
#include "stages/watcher/file_follower.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

using std::chrono::milliseconds;
using Clock = FileFollower::Clock;

ListedFile listed(const std::string& name, uint64_t inode, uint64_t size, int64_t mtime = 1) {
  return {name, "/logs/" + name, size, mtime, 7, inode};
}

CountedFile counted(const std::string& name, uint64_t inode, uint64_t offset) {
  return {"/logs/" + name, {7, inode, 10, 0x1234}, offset, std::nullopt};
}

class FileFollowerTest : public ::testing::Test {
 protected:
  FileFollower follower_{milliseconds(100), milliseconds(1000),
                         [this](const std::string& w) { warnings_.push_back(w); }};
  std::vector<std::string> warnings_;
  Clock::time_point t0_ = Clock::now();
};

TEST_F(FileFollowerTest, ANewFileIsReadFromZeroThenOnlyItsAppendedBytes) {
  auto tasks = follower_.plan({listed("a.log", 1, 100)}, t0_);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].start_offset, 0u);
  EXPECT_EQ(tasks[0].size_limit, 100u);
  EXPECT_FALSE(tasks[0].count_unfinished_tail);
  EXPECT_FALSE(tasks[0].expected_identity);
  follower_.record({counted("a.log", 1, 100)}, t0_);

  EXPECT_TRUE(follower_.plan({listed("a.log", 1, 100)}, t0_ + milliseconds(10)).empty()) << "nothing new";
  tasks = follower_.plan({listed("a.log", 1, 150, 2)}, t0_ + milliseconds(20));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].start_offset, 100u);
  EXPECT_EQ(tasks[0].size_limit, 150u);
  ASSERT_TRUE(tasks[0].expected_identity);
  EXPECT_EQ(tasks[0].expected_identity->fingerprint, 0x1234u);
}

TEST_F(FileFollowerTest, AnUnfinishedLastLineCountsOnlyAfterThePartialLineWait) {
  follower_.plan({listed("a.log", 1, 100)}, t0_);
  follower_.record({counted("a.log", 1, 80)}, t0_);  // 20 bytes without a terminator left
  EXPECT_TRUE(follower_.plan({listed("a.log", 1, 100)}, t0_ + milliseconds(500)).empty());
  EXPECT_EQ(follower_.next_due(t0_ + milliseconds(5000)), t0_ + milliseconds(1000));
  const auto tasks = follower_.plan({listed("a.log", 1, 100)}, t0_ + milliseconds(1000));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].count_unfinished_tail);
  EXPECT_EQ(tasks[0].start_offset, 80u);
}

TEST_F(FileFollowerTest, ARenamedFileKeepsItsOffsetAndTheNewNameStartsAtZero) {
  follower_.plan({listed("access.log", 1, 100)}, t0_);
  follower_.record({counted("access.log", 1, 100)}, t0_);
  const auto tasks = follower_.plan({listed("access.log.1", 1, 120, 2), listed("access.log", 2, 30, 3)},
                                    t0_ + milliseconds(10));
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].path, "/logs/access.log.1");
  EXPECT_EQ(tasks[0].start_offset, 100u);
  EXPECT_EQ(tasks[1].path, "/logs/access.log");
  EXPECT_EQ(tasks[1].start_offset, 0u);
}

TEST_F(FileFollowerTest, AFileThatShrankIsCountedAgainFromZeroWithAWarning) {
  follower_.plan({listed("a.log", 1, 100)}, t0_);
  follower_.record({counted("a.log", 1, 100)}, t0_);
  const auto tasks = follower_.plan({listed("a.log", 1, 40, 2)}, t0_ + milliseconds(10));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].start_offset, 0u);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("/logs/a.log: shrank from 100 to 40 bytes"), std::string::npos) << warnings_[0];
}

TEST_F(FileFollowerTest, ASameSizeRewriteIsReadWithTheIdentityCheck) {
  follower_.plan({listed("a.log", 1, 100)}, t0_);
  follower_.record({counted("a.log", 1, 100)}, t0_);
  const auto tasks = follower_.plan({listed("a.log", 1, 100, 99)}, t0_ + milliseconds(10));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].start_offset, 100u);
  EXPECT_TRUE(tasks[0].expected_identity) << "the reader starts over when the first bytes differ";
}

TEST_F(FileFollowerTest, ACompressedFileWaitsToBeQuietIsReadOnceAndKnowsTheFilesItMayCopy) {
  follower_.plan({listed("access.log.1", 1, 100)}, t0_);
  follower_.record({counted("access.log.1", 1, 100)}, t0_);
  // access.log.1 is compressed into access.log.1.gz and removed.
  EXPECT_TRUE(follower_.plan({listed("access.log.1.gz", 2, 40)}, t0_ + milliseconds(10)).empty());
  EXPECT_TRUE(follower_.plan({listed("access.log.1.gz", 2, 40)}, t0_ + milliseconds(60)).empty());
  const auto tasks = follower_.plan({listed("access.log.1.gz", 2, 40)}, t0_ + milliseconds(110));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].decompress);
  EXPECT_TRUE(tasks[0].count_unfinished_tail);
  ASSERT_TRUE(tasks[0].possible_originals);
  ASSERT_EQ(tasks[0].possible_originals->size(), 1u);
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.path, "/logs/access.log.1");
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.offset, 100u);
  EXPECT_TRUE(follower_.plan({listed("access.log.1.gz", 2, 40)}, t0_ + milliseconds(500)).empty());
}

TEST_F(FileFollowerTest, ASnapshotRestoresEveryOffset) {
  follower_.plan({listed("a.log", 1, 100), listed("b.log", 2, 50)}, t0_);
  follower_.record({counted("a.log", 1, 100), counted("b.log", 2, 50)}, t0_);
  FileFollower restored(milliseconds(100), milliseconds(1000), [](const std::string&) {});
  restored.restore(follower_.snapshot());
  const auto tasks = restored.plan({listed("a.log", 1, 130, 2), listed("b.log", 2, 50)}, t0_);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].start_offset, 100u);
  EXPECT_EQ(tasks[0].size_limit, 130u);
}

TEST_F(FileFollowerTest, AfterARestoreAnUnfinishedLastLineStillWaitsThePartialLineWait) {
  // Restarted from a checkpoint while a writer is in the middle of a line: the whole lines are read at
  // once, the unfinished one only once it has been left alone for the wait (the writer finishes it first).
  FileFollower restored(milliseconds(100), milliseconds(1000), [](const std::string&) {});
  restored.restore({counted("a.log", 1, 100)});
  auto tasks = restored.plan({listed("a.log", 1, 150, 2)}, t0_);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_FALSE(tasks[0].count_unfinished_tail);
  restored.record({counted("a.log", 1, 120)}, t0_);  // 30 bytes of an unfinished line left
  EXPECT_TRUE(restored.plan({listed("a.log", 1, 150, 2)}, t0_ + milliseconds(200)).empty());
  EXPECT_EQ(restored.next_due(t0_ + milliseconds(5000)), t0_ + milliseconds(1000));
  tasks = restored.plan({listed("a.log", 1, 150, 2)}, t0_ + milliseconds(1000));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].count_unfinished_tail);
}

TEST_F(FileFollowerTest, ADeletedFileIsForgottenOnlyOnceTwoListingsAQuietPeriodApartMissIt) {
  follower_.plan({listed("a.log", 1, 100)}, t0_);
  follower_.record({counted("a.log", 1, 100)}, t0_);
  follower_.plan({}, t0_ + milliseconds(10));  // a listing racing a rename can miss a file
  EXPECT_EQ(follower_.snapshot().size(), 1u);
  // It shows up again under a new name: still the same file, still at its offset.
  auto tasks = follower_.plan({listed("a.log.1", 1, 130, 2)}, t0_ + milliseconds(20));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].start_offset, 100u);
  follower_.record({counted("a.log.1", 1, 130)}, t0_ + milliseconds(20));
  follower_.plan({}, t0_ + milliseconds(30));
  follower_.plan({}, t0_ + milliseconds(60));
  EXPECT_EQ(follower_.snapshot().size(), 1u) << "missing twice, but not for the quiet period";
  follower_.plan({}, t0_ + milliseconds(140));
  EXPECT_TRUE(follower_.snapshot().empty());
}

}  // namespace
}  // namespace logstream

namespace logstream {
namespace {

TEST_F(FileFollowerTest, AnUnfinishedLineThatKeepsGrowingWaitsFromItsLastChange) {
  follower_.plan({listed("a.log", 1, 100)}, t0_);
  follower_.record({counted("a.log", 1, 80)}, t0_);
  // At 900 ms the writer adds to the same unfinished line: the wait starts over from there.
  auto tasks = follower_.plan({listed("a.log", 1, 120, 2)}, t0_ + milliseconds(900));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_FALSE(tasks[0].count_unfinished_tail);
  follower_.record({counted("a.log", 1, 80)}, t0_ + milliseconds(900));
  EXPECT_TRUE(follower_.plan({listed("a.log", 1, 120, 2)}, t0_ + milliseconds(1500)).empty())
      << "only 600 ms since the last change";
  tasks = follower_.plan({listed("a.log", 1, 120, 2)}, t0_ + milliseconds(1900));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].count_unfinished_tail);
}

}  // namespace
}  // namespace logstream

namespace logstream {
namespace {

// What a new file may be a copy of (the reader compares its first bytes with these): copytruncate's copy.
TEST_F(FileFollowerTest, ANewFileMayBeTheCopyOfAFollowedFileOrOfATruncatedOneAsItWasCounted) {
  follower_.plan({listed("access.log", 1, 100)}, t0_);
  follower_.record({counted("access.log", 1, 100)}, t0_);
  // The copy is listed before the truncation: the followed file, unchanged, is the original.
  auto tasks = follower_.plan({listed("access.log", 1, 100), listed("access.log.1", 2, 100, 2)},
                              t0_ + milliseconds(10));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].path, "/logs/access.log.1");
  EXPECT_EQ(tasks[0].start_offset, 0u);
  ASSERT_TRUE(tasks[0].possible_originals);
  ASSERT_EQ(tasks[0].possible_originals->size(), 1u);
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.path, "/logs/access.log");
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.offset, 100u);
  EXPECT_FALSE(tasks[0].possible_originals->at(0).read_in_this_batch);

  // Listed only after the truncation: the original is what access.log was before it.
  FileFollower later(milliseconds(100), milliseconds(1000), [](const std::string&) {});
  later.plan({listed("access.log", 1, 100)}, t0_);
  later.record({counted("access.log", 1, 100)}, t0_);
  tasks =
      later.plan({listed("access.log", 1, 0, 2), listed("access.log.1", 2, 100, 2)}, t0_ + milliseconds(10));
  ASSERT_EQ(tasks.size(), 1u) << "nothing in access.log yet";
  ASSERT_TRUE(tasks[0].possible_originals);
  ASSERT_EQ(tasks[0].possible_originals->size(), 1u);
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.path, "/logs/access.log");
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.offset, 100u);
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.identity.fingerprint, 0x1234u);
}

TEST_F(FileFollowerTest, ACopyWhoseOriginalTheSameBatchReadsIsJudgedAgainOnTheNextTrigger) {
  follower_.plan({listed("access.log", 1, 100)}, t0_);
  follower_.record({counted("access.log", 1, 100)}, t0_);
  // Lines appended, then copied: the batch reads access.log's new bytes, so its offset is not known yet.
  const std::vector<ListedFile> listing = {listed("access.log", 1, 150, 2),
                                           listed("access.log.1", 2, 150, 3)};
  auto tasks = follower_.plan(listing, t0_ + milliseconds(10));
  ASSERT_EQ(tasks.size(), 2u);
  ASSERT_EQ(tasks[1].path, "/logs/access.log.1");
  ASSERT_TRUE(tasks[1].possible_originals);
  ASSERT_EQ(tasks[1].possible_originals->size(), 1u);
  EXPECT_TRUE(tasks[1].possible_originals->at(0).read_in_this_batch);
  // The reader deferred the copy (nothing recorded for it) and counted access.log to 150.
  follower_.record({counted("access.log", 1, 150)}, t0_ + milliseconds(10));
  tasks = follower_.plan(listing, t0_ + milliseconds(20));
  ASSERT_EQ(tasks.size(), 1u) << "the copy again, although unchanged";
  EXPECT_EQ(tasks[0].path, "/logs/access.log.1");
  ASSERT_TRUE(tasks[0].possible_originals);
  ASSERT_EQ(tasks[0].possible_originals->size(), 1u);
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.offset, 150u);
  EXPECT_FALSE(tasks[0].possible_originals->at(0).read_in_this_batch);
}

TEST_F(FileFollowerTest, AReadThatRecordedNothingIsNotRepeatedUntilTheFileChanges) {
  follower_.plan({listed("access.log", 1, 5000)}, t0_);
  follower_.record({counted("access.log", 1, 5000)}, t0_);
  // A copy still being written (shorter than what was counted of its original): deferred by the reader.
  ASSERT_EQ(
      follower_.plan({listed("access.log", 1, 5000), listed("copy", 2, 1000, 2)}, t0_ + milliseconds(10))
          .size(),
      1u);
  EXPECT_TRUE(
      follower_.plan({listed("access.log", 1, 5000), listed("copy", 2, 1000, 2)}, t0_ + milliseconds(20))
          .empty())
      << "no read again, and no batch, while nothing changed";
  const auto tasks =
      follower_.plan({listed("access.log", 1, 5000), listed("copy", 2, 5000, 3)}, t0_ + milliseconds(30));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].path, "/logs/copy");
  EXPECT_EQ(tasks[0].start_offset, 0u);
}

TEST_F(FileFollowerTest, AFileThatCannotBeOpenedIsPlannedOnceItCanBe) {
  follower_.plan({listed("a.log", 1, 100)}, t0_);
  follower_.record({counted("a.log", 1, 80)}, t0_);  // an unfinished line after 80
  bool readable = false;
  auto can_open = [&](const std::string&) { return readable; };
  EXPECT_TRUE(
      follower_.plan({listed("a.log", 1, 150, 2), listed("b.log", 2, 10)}, t0_ + milliseconds(10), can_open)
          .empty());
  EXPECT_TRUE(
      follower_.plan({listed("a.log", 1, 150, 2), listed("b.log", 2, 10)}, t0_ + milliseconds(20), can_open)
          .empty());
  readable = true;
  const auto tasks =
      follower_.plan({listed("a.log", 1, 150, 2), listed("b.log", 2, 10)}, t0_ + milliseconds(30), can_open);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].start_offset, 80u);
  EXPECT_EQ(tasks[0].size_limit, 150u);
  EXPECT_FALSE(tasks[0].count_unfinished_tail) << "new bytes: not the unfinished line's wait";
  EXPECT_EQ(tasks[1].start_offset, 0u);
}

TEST_F(FileFollowerTest, AFileRewrittenInPlaceLeavesItsOldContentAsAPossibleOriginal) {
  follower_.plan({listed("a.log", 1, 100)}, t0_);
  follower_.record({counted("a.log", 1, 100)}, t0_);
  follower_.plan({listed("a.log", 1, 100, 2)}, t0_ + milliseconds(10));
  // The reader found other first bytes and counted the file from 0: 100 bytes of other lines.
  follower_.record({{"/logs/a.log", {7, 1, 10, 0x9999}, 100, std::nullopt}}, t0_ + milliseconds(10));
  const auto tasks =
      follower_.plan({listed("a.log", 1, 100, 2), listed("a.log.1", 2, 100, 3)}, t0_ + milliseconds(20));
  ASSERT_EQ(tasks.size(), 1u);
  ASSERT_EQ(tasks[0].path, "/logs/a.log.1");
  ASSERT_TRUE(tasks[0].possible_originals);
  ASSERT_EQ(tasks[0].possible_originals->size(), 2u);
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.identity.fingerprint, 0x1234u) << "a.log as it was";
  EXPECT_EQ(tasks[0].possible_originals->at(0).counted.offset, 100u);
  EXPECT_EQ(tasks[0].possible_originals->at(1).counted.identity.fingerprint, 0x9999u) << "a.log now";
}

}  // namespace
}  // namespace logstream
