#include "stages/merger/status_table.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

StatusTable seed_batch() {
  LineCounts counts;
  const std::pair<int, uint64_t> seed[] = {{200, 64971}, {500, 10714}, {301, 271}, {304, 92},
                                           {404, 26},    {400, 2},     {302, 2},   {405, 1}};
  for (auto [status, n] : seed) counts.status[static_cast<size_t>(status)] = n;
  StatusTable table;
  table.add_batch(counts);
  return table;
}

std::vector<std::optional<int32_t>> keys(const StatusTable& table, RowOrder order) {
  std::vector<std::optional<int32_t>> out;
  for (const auto& row : table.rows(order)) out.push_back(row.status);
  return out;
}

TEST(StatusTable, SparkOrderIsTheSeedsOrder) {
  EXPECT_EQ(keys(seed_batch(), RowOrder::kSpark),
            (std::vector<std::optional<int32_t>>{500, 301, 400, 404, 200, 304, 302, 405}));
}

TEST(StatusTable, NullComesFirstInSparkOrderBeforePartition54) {
  StatusTable table = seed_batch();
  LineCounts nulls;
  nulls.null_status = 3;
  table.add_batch(nulls);
  EXPECT_EQ(keys(table, RowOrder::kSpark).front(), std::nullopt);
  EXPECT_EQ(table.result_rows(RowOrder::kSpark).front(),
            (std::vector<Value>{Value::null_of(DataType::kInt), Value::bigint(3)}));
}

TEST(StatusTable, KeyAndCountOrders) {
  EXPECT_EQ(keys(seed_batch(), RowOrder::kKey),
            (std::vector<std::optional<int32_t>>{200, 301, 302, 304, 400, 404, 405, 500}));
  EXPECT_EQ(keys(seed_batch(), RowOrder::kCount),
            (std::vector<std::optional<int32_t>>{200, 500, 301, 304, 404, 302, 400, 405}));
}

TEST(StatusTable, CompleteModeAccumulatesBatches) {
  StatusTable table = seed_batch();
  LineCounts again;
  again.status[200] = 64971;
  table.add_batch(again);
  EXPECT_EQ(table.totals().status[200], 129942u);
  EXPECT_FALSE(parse_row_order("random"));
}

TEST(StatusTable, RowCountIsTheNumberOfRowsNullIncluded) {
  StatusTable table = seed_batch();
  EXPECT_EQ(table.row_count(), table.rows(RowOrder::kKey).size());
  LineCounts with_null;
  with_null.null_status = 1;
  table.add_batch(with_null);
  EXPECT_EQ(table.row_count(), 9u);
  EXPECT_EQ(StatusTable().row_count(), 0u);
}

}  // namespace
}  // namespace logstream
