// The complete-mode result of `groupBy(status).count()`: every status seen since the query started, with
// the line accounting behind it. Batches are folded in whole; rows come out in the order a sink asks for.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "stages/core/line_counts.h"
#include "stages/core/value.h"

namespace logstream {

enum class RowOrder : uint8_t {
  kSpark,  // Spark's hash-partition order (ties within a partition: by key)
  kKey,    // ascending status, null first
  kCount,  // descending count, ties by key
};

std::optional<RowOrder> parse_row_order(std::string_view name) noexcept;

struct StatusRow {
  std::optional<int32_t> status;  // nullopt is Spark's null row
  uint64_t count;
};

class StatusTable {
 public:
  void add_batch(const LineCounts& batch) { totals_.add(batch); }
  // Starts from the totals a checkpoint saved.
  void restore(const LineCounts& totals) { totals_ = totals; }
  const LineCounts& totals() const noexcept { return totals_; }

  std::vector<StatusRow> rows(RowOrder order) const;
  size_t row_count() const noexcept;  // the number of rows(), without building them
  // The table as a typed result, as every sink renders one: `status` (int, null for Spark's null row)
  // and `count` (bigint), rows in `order`.
  static const Schema& schema();
  std::vector<std::vector<Value>> result_rows(RowOrder order) const;

 private:
  LineCounts totals_;
};

}  // namespace logstream
