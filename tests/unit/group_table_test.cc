// The groups of an aggregation: partials merged equal one pass, and the checkpoint form round-trips.
#include "stages/state/group_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace logstream {
namespace {

struct Functions {
  std::unique_ptr<AggregateFunction> count = make_aggregate("count", {}, {}, false).value();
  std::unique_ptr<AggregateFunction> sum = make_aggregate("sum", {DataType::kBigint}, {}, false).value();
  std::unique_ptr<AggregateFunction> max = make_aggregate("max", {DataType::kString}, {}, false).value();
  std::vector<const AggregateFunction*> all() const { return {count.get(), sum.get(), max.get()}; }
};

void add_row(GroupTable& table, const Functions& f, std::vector<Value> keys, int64_t size,
             std::string agent) {
  const size_t group = table.find_or_insert(keys);
  f.count->add_null(table.state(group, 0));
  f.sum->add_int64(table.state(group, 1), size);
  f.max->add_string(table.state(group, 2), agent);
}

std::map<std::string, std::vector<Value>> rows_by_key(const GroupTable& table) {
  std::map<std::string, std::vector<Value>> rows;
  for (size_t g = 0; g < table.size(); ++g) {
    std::string key;
    for (const Value& v : table.keys(g)) key += (v.null ? "null" : v.text + std::to_string(v.integer)) + "|";
    rows[key] = table.result_row(g);
  }
  return rows;
}

TEST(GroupTable, PartialsMergedEqualOnePassWhateverTheSplit) {
  const Functions f;
  std::mt19937 rng(7);
  std::vector<std::tuple<std::string, int, int64_t, std::string>> input;
  for (int i = 0; i < 5000; ++i) {
    input.emplace_back("/p" + std::to_string(rng() % 300), static_cast<int>(200 + rng() % 4), rng() % 1000,
                       "ua" + std::to_string(rng() % 50));
  }
  GroupTable whole(f.all());
  for (const auto& [endpoint, status, size, agent] : input)
    add_row(whole, f, {Value::string(endpoint), Value::int32(status)}, size, agent);

  GroupTable merged(f.all()), partial(f.all());
  for (size_t i = 0; i < input.size(); ++i) {
    const auto& [endpoint, status, size, agent] = input[i];
    add_row(partial, f, {Value::string(endpoint), Value::int32(status)}, size, agent);
    if (rng() % 97 == 0 || i + 1 == input.size()) {
      merged.merge_from(partial);
      partial.clear();  // reused for the next chunk, as a parser thread does
    }
  }
  EXPECT_EQ(merged.size(), whole.size());
  EXPECT_EQ(rows_by_key(merged), rows_by_key(whole));
  EXPECT_EQ(merged.take_updated().size(), merged.size());
  EXPECT_TRUE(merged.take_updated().empty()) << "taken once";
  EXPECT_GT(merged.memory_bytes(), merged.size() * 40);
}

TEST(GroupTable, BatchedProbesNumberGroupsAsOneProbeAtATime) {
  // Runs of one key (the last-group shortcut), repeats far apart and new keys, in batches of every size up
  // to kProbeBatch, over a table that grows many times on the way: the same group for every key, in
  // the same numbering, as a table probed one key at a time.
  std::mt19937 rng(11);
  std::vector<std::string> keys;
  for (int i = 0; i < 40000; ++i) {
    std::string encoded;
    const uint32_t pick = rng() % 8 == 0 ? 7 : static_cast<uint32_t>(rng() % 20000);
    GroupTable::encode_key(Value::string("/k" + std::to_string(pick)), encoded);
    GroupTable::encode_key(rng() % 5 == 0 ? Value::null_of(DataType::kInt) : Value::int32(200), encoded);
    const size_t run = rng() % 4 == 0 ? 1 + rng() % 6 : 1;
    for (size_t r = 0; r < run; ++r) keys.push_back(encoded);
  }
  const Functions f;
  GroupTable one_by_one(f.all()), batched(f.all());
  std::vector<size_t> expected;
  for (const std::string& key : keys) expected.push_back(one_by_one.find_or_insert_encoded(key));
  std::vector<size_t> found(keys.size());
  for (size_t at = 0; at < keys.size();) {
    const size_t n = std::min<size_t>(1 + rng() % GroupTable::kProbeBatch, keys.size() - at);
    std::vector<std::string_view> batch(keys.begin() + static_cast<std::ptrdiff_t>(at),
                                        keys.begin() + static_cast<std::ptrdiff_t>(at + n));
    batched.find_or_insert_batch(batch, found.data() + at);
    at += n;
  }
  EXPECT_EQ(found, expected);
  ASSERT_EQ(batched.size(), one_by_one.size());
  for (size_t g = 0; g < batched.size(); ++g) ASSERT_EQ(batched.keys(g), one_by_one.keys(g)) << g;
}

TEST(GroupTable, MergingGroupsItHasAlreadyDoesNotGrowIt) {
  // A batch's partial usually holds groups the state has: merging it must not grow the index as if they
  // were new (it never shrinks, and --max-state-bytes counts it).
  // A power of two of groups leaves the index exactly half full, the case a check before the probe got
  // wrong.
  const auto count = make_aggregate("count", {}, {}, false).value();
  for (const size_t groups : {size_t{8}, size_t{1024}, size_t{3000}}) {
    GroupTable state({count.get()}), partial({count.get()});
    for (size_t i = 0; i < groups; ++i) {
      for (GroupTable* table : {&state, &partial})
        count->add_null(table->state(table->find_or_insert({Value::string("/p" + std::to_string(i))}), 0));
    }
    const size_t before = state.memory_bytes();
    state.merge_from(partial);
    EXPECT_EQ(state.size(), groups);
    EXPECT_EQ(state.memory_bytes(), before) << groups << " groups";
    EXPECT_EQ(state.result_row(0)[1], Value::bigint(2));
    // And one new group still finds room.
    count->add_null(state.state(state.find_or_insert({Value::string("/new")}), 0));
    EXPECT_EQ(state.size(), groups + 1);
    EXPECT_EQ(state.result_row(groups)[1], Value::bigint(1));
  }
}

TEST(GroupTable, KeysOfAnyLengthReadBackAcrossKeyBlocksAndAfterClear) {
  // Keys are stored in blocks of 64 KiB, one longer than that in a block of its own: keys that fill a
  // block to its last byte, keys that do not fit the rest of one, and longer keys between them must all
  // read back whole, be found again, and survive a merge, a move and a clear().
  const Functions f;
  std::mt19937 rng(11);
  std::vector<std::string> texts;
  // First keys whose encoding (a tag byte, a 4-byte length, the text) is exactly a quarter of a block,
  // then exactly a whole one: blocks filled to their last byte.
  for (int i = 0; i < 14; ++i) {
    std::string digits = std::to_string(100000 + i);
    texts.push_back(std::string((i < 10 ? 16384 : 65536) - 5 - digits.size(), 'k') + digits);
  }
  for (int i = 0; i < 3000; ++i) {
    const size_t length = rng() % 50 == 0 ? 65536 + rng() % 200000 : rng() % 100 == 0 ? 65531 : rng() % 300;
    std::string text(length, 'a');
    for (char& c : text) c = static_cast<char>('a' + rng() % 26);
    texts.push_back(text + "#" + std::to_string(i));  // distinct
  }
  for (int round = 0; round < 2; ++round) {
    GroupTable table(f.all());
    for (size_t i = 0; i < texts.size(); ++i) add_row(table, f, {Value::string(texts[i])}, int64_t(i), "x");
    ASSERT_EQ(table.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      ASSERT_EQ(table.keys(i).at(0).text, texts[i]) << i;
      ASSERT_EQ(table.find_or_insert({Value::string(texts[i])}), i);
    }
    GroupTable merged(f.all());
    add_row(merged, f, {Value::string("first")}, 1, "y");
    merged.merge_from(table);
    EXPECT_EQ(merged.size(), texts.size() + 1);
    GroupTable moved(std::move(merged));
    for (size_t i = 0; i < texts.size(); ++i) ASSERT_EQ(moved.keys(i + 1).at(0).text, texts[i]) << i;
    table.clear();
    EXPECT_EQ(table.size(), 0u);
    // Used again after clear(): the kept block takes keys from its start.
    for (size_t i = texts.size(); i-- > 0;) add_row(table, f, {Value::string(texts[i])}, 0, "z");
    for (size_t i = 0; i < texts.size(); ++i)
      ASSERT_EQ(table.keys(texts.size() - 1 - i).at(0).text, texts[i]);
    std::shuffle(texts.begin(), texts.end(), rng);
  }
}

TEST(GroupTable, NullKeysAreOneGroupAndAGlobalAggregateHasNoKeys) {
  const Functions f;
  GroupTable table(f.all());
  add_row(table, f, {Value::null_of(DataType::kInt)}, 1, "a");
  add_row(table, f, {Value::null_of(DataType::kInt)}, 2, "b");
  add_row(table, f, {Value::int32(0)}, 3, "c");
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.result_row(0), (std::vector<Value>{Value::null_of(DataType::kInt), Value::bigint(2),
                                                     Value::bigint(3), Value::string("b")}));
  GroupTable global(f.all());
  add_row(global, f, {}, 5, "x");
  add_row(global, f, {}, 6, "y");
  ASSERT_EQ(global.size(), 1u);
  EXPECT_EQ(global.result_row(0),
            (std::vector<Value>{Value::bigint(2), Value::bigint(11), Value::string("y")}));
}

TEST(GroupTable, TheCheckpointFormRoundTripsAndRefusesEveryCut) {
  const Functions f;
  GroupTable table(f.all());
  add_row(table, f, {Value::string("/a"), Value::float64(-0.0)}, 10, "long user agent over fifteen bytes");
  add_row(table, f, {Value::null_of(DataType::kString), Value::float64(1.5)}, 20, "b");
  std::string bytes;
  table.serialize(bytes);
  GroupTable back(f.all());
  std::string why;
  ASSERT_TRUE(back.deserialize(bytes, why)) << why;
  EXPECT_EQ(rows_by_key(back), rows_by_key(table));
  std::string again;
  back.serialize(again);
  EXPECT_EQ(again, bytes) << "canonical";
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    GroupTable damaged(f.all());
    EXPECT_FALSE(damaged.deserialize(std::string_view(bytes).substr(0, cut), why)) << "cut at " << cut;
    EXPECT_EQ(damaged.size(), 0u);
  }
  GroupTable other(std::vector<const AggregateFunction*>{f.count.get()});
  EXPECT_FALSE(other.deserialize(bytes, why));
  EXPECT_NE(why.find("aggregates"), std::string::npos) << why;
}

}  // namespace
}  // namespace logstream
