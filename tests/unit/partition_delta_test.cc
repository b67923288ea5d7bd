// The state topic's deltas: what a worker writes reads back the same, records from the network are
// refused with the reason, and the chain rule accepts exactly the deltas that extend a partition's chain.
#include "stages/checkpoint/partition_delta.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

PartitionDelta make_delta(int32_t partition, int64_t first, int64_t end) {
  PartitionDelta delta;
  delta.query = "groupBy(status).count() --format combined";
  delta.partition = partition;
  delta.first_offset = first;
  delta.end_offset = end;
  delta.worker = "host:42:cafe";
  delta.counts.lines_read = 3;
  delta.counts.bytes_read = 120;
  delta.counts.status[200] = 2;
  delta.counts.rejects[1] = 1;
  return delta;
}

TEST(PartitionDelta, WritesAndReadsBackEveryField) {
  PartitionDelta delta = make_delta(4, 10, 13);
  delta.lost_offsets = 1;
  delta.groups = std::string("\0\x01\nend\n", 7);  // binary, with what looks like an end line inside
  const std::string record = serialize_delta(delta);
  auto back = parse_delta(record, "t[0]@1");
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back.value().query, delta.query);
  EXPECT_EQ(back.value().partition, 4);
  EXPECT_EQ(back.value().first_offset, 10);
  EXPECT_EQ(back.value().end_offset, 13);
  EXPECT_EQ(back.value().worker, delta.worker);
  EXPECT_EQ(back.value().lost_offsets, 1u);
  EXPECT_EQ(back.value().counts.status[200], 2u);
  EXPECT_EQ(back.value().counts.rejected(), 1u);
  EXPECT_EQ(back.value().groups, delta.groups);
  EXPECT_EQ(serialize_delta(back.value()), record);
}

TEST(PartitionDelta, RefusesWhatIsNotAWellFormedDeltaWithTheReason) {
  const std::string good = serialize_delta(make_delta(0, 0, 3));
  auto refused = [](const std::string& record) {
    auto parsed = parse_delta(record, "t[0]@7");
    EXPECT_FALSE(parsed) << record;
    return parsed ? std::string() : parsed.error();
  };
  EXPECT_NE(refused("hello").find("t[0]@7: not a logstream delta"), std::string::npos);
  EXPECT_NE(refused(good.substr(0, good.size() - 4)).find("truncated"), std::string::npos);
  std::string wrong = good;
  wrong.replace(wrong.find("status 200 2"), 12, "status 200 9");
  EXPECT_NE(refused(wrong).find("do not add up"), std::string::npos);
  wrong = good;
  wrong.replace(wrong.find("partition 0 0 3"), 15, "partition 0 3 3");
  EXPECT_NE(refused(wrong).find("offset range"), std::string::npos);
  wrong = good;
  wrong.replace(wrong.find("partition 0 0 3"), 15, "partition -1 0 3");
  refused(wrong);
  EXPECT_NE(refused(good + "x").find("data after the end line"), std::string::npos);
  std::string huge = good;
  huge.replace(huge.find("end\n"), 4, "groups 999999\nend\n");
  EXPECT_NE(refused(huge).find("groups"), std::string::npos);
  wrong = good;
  wrong.replace(wrong.find("worker "), 7, "owner ");
  EXPECT_NE(refused(wrong).find("unexpected line 'owner'"), std::string::npos);
}

TEST(DeltaChain, AcceptsExactlyTheDeltasThatExtendAPartitionsChain) {
  DeltaChain chain;
  EXPECT_EQ(chain.end(0), std::nullopt);
  EXPECT_TRUE(chain.accept(make_delta(0, 0, 10)));    // the first: wherever it starts
  EXPECT_FALSE(chain.accept(make_delta(0, 0, 10)));   // the same range again (a retried send, a zombie)
  EXPECT_FALSE(chain.accept(make_delta(0, 5, 20)));   // overlaps what is counted
  EXPECT_FALSE(chain.accept(make_delta(0, 11, 20)));  // leaves a gap
  EXPECT_TRUE(chain.accept(make_delta(0, 10, 20)));
  EXPECT_TRUE(chain.accept(make_delta(1, 7, 8)));  // another partition has its own chain
  EXPECT_EQ(chain.end(0), 20);
  EXPECT_EQ(chain.end(1), 8);
  EXPECT_EQ(chain.accepted(), 3u);
  EXPECT_EQ(chain.ignored(), 3u);
}

// Two workers each believe they own partition 0 (one is a zombie); whatever order their deltas reach the
// state topic in, the accepted ones cover every offset up to the chain's end once. Checked against a
// per-offset tally over every interleaving of the two workers' sequences.
TEST(DeltaChain, EveryInterleavingOfTwoOwnersCountsEachOffsetOnce) {
  // The zombie read 0..30 in three deltas; the new owner resumed at 10 (where the chain ended when it was
  // assigned) in two.
  const std::vector<PartitionDelta> zombie = {make_delta(0, 0, 10), make_delta(0, 10, 20),
                                              make_delta(0, 20, 30)};
  const std::vector<PartitionDelta> owner = {make_delta(0, 10, 25), make_delta(0, 25, 40)};
  for (unsigned mask = 0; mask < (1u << 5); ++mask) {
    // Three of the five slots are the zombie's, and its first delta comes first: the owner resumed at
    // 10 because that delta was on the topic when it was assigned.
    if (__builtin_popcount(mask) != 3 || (mask & 1) == 0) continue;
    DeltaChain chain;
    std::vector<int> counted(40, 0);
    size_t z = 0, o = 0;
    for (int slot = 0; slot < 5; ++slot) {
      const PartitionDelta& d = (mask >> slot & 1) ? zombie[z++] : owner[o++];
      if (chain.accept(d)) {
        for (int64_t at = d.first_offset; at < d.end_offset; ++at) ++counted[at];
      }
    }
    const int64_t end = chain.end(0).value_or(0);
    for (int64_t at = 0; at < 40; ++at)
      EXPECT_EQ(counted[at], at < end ? 1 : 0) << "mask " << mask << " offset " << at;
  }
}

}  // namespace
}  // namespace logstream
