#include "stages/merger/status_table.h"

#include <algorithm>
#include <tuple>

#include "stages/core/spark_partitioning.h"

namespace logstream {

std::optional<RowOrder> parse_row_order(std::string_view name) noexcept {
  if (name == "spark") return RowOrder::kSpark;
  if (name == "key") return RowOrder::kKey;
  if (name == "count") return RowOrder::kCount;
  return std::nullopt;
}

std::vector<StatusRow> StatusTable::rows(RowOrder order) const {
  std::vector<StatusRow> rows;
  if (totals_.null_status > 0) rows.push_back({std::nullopt, totals_.null_status});
  for (int code = 0; code < kStatusSlots; ++code) {
    const uint64_t n = totals_.status[static_cast<size_t>(code)];
    if (n > 0) rows.push_back({code, n});
  }
  // Keys in ascending order with null first: std::optional compares that way.
  auto by_key = [](const StatusRow& a, const StatusRow& b) { return a.status < b.status; };
  switch (order) {
    case RowOrder::kKey:
      break;  // already in key order
    case RowOrder::kCount:
      std::stable_sort(rows.begin(), rows.end(),
                       [](const StatusRow& a, const StatusRow& b) { return a.count > b.count; });
      break;
    case RowOrder::kSpark:
      std::stable_sort(rows.begin(), rows.end(), [&](const StatusRow& a, const StatusRow& b) {
        const int pa = spark_partition_of(a.status);
        const int pb = spark_partition_of(b.status);
        return pa != pb ? pa < pb : by_key(a, b);
      });
      break;
  }
  return rows;
}

size_t StatusTable::row_count() const noexcept {
  size_t count = totals_.null_status > 0 ? 1 : 0;
  for (const uint64_t n : totals_.status) count += n > 0 ? 1 : 0;
  return count;
}

const Schema& StatusTable::schema() {
  static const Schema kSchema = {{"status", DataType::kInt}, {"count", DataType::kBigint}};
  return kSchema;
}

std::vector<std::vector<Value>> StatusTable::result_rows(RowOrder order) const {
  std::vector<std::vector<Value>> out;
  for (const StatusRow& row : rows(order)) {
    out.push_back({row.status ? Value::int32(*row.status) : Value::null_of(DataType::kInt),
                   Value::bigint(static_cast<int64_t>(row.count))});
  }
  return out;
}

}  // namespace logstream
