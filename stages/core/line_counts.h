// The per-chunk and per-batch tallies every stage agrees on: lines read, accepted, rejected by reason, and
// the status counts of the accepted lines. Plain data, no threads, so merging is just addition.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace logstream {

enum class RejectReason : uint8_t {
  kEmptyLine,
  kMissingField,
  kUnexpectedText,
  kUnterminatedQuote,
  kBadTimestamp,
  kBadStatus,
  kBadNumber,
  kTooLong,
};
inline constexpr size_t kRejectReasonCount = 8;

std::string_view reject_reason_name(RejectReason reason) noexcept;

// Status codes are three digits in every format we parse (the seed's "\d{3}" included), so a dense table
// indexed by the integer value covers every key; the spark-seed "null" row has its own slot.
inline constexpr int kStatusSlots = 1000;

struct LineCounts {
  uint64_t lines_read = 0;
  uint64_t bytes_read = 0;
  std::array<uint64_t, kStatusSlots> status{};
  uint64_t null_status = 0;
  std::array<uint64_t, kRejectReasonCount> rejects{};
  uint64_t truncated = 0;  // accepted lines cut off inside their last quoted field (the field up to the end)

  uint64_t rejected() const noexcept {
    uint64_t total = 0;
    for (uint64_t n : rejects) total += n;
    return total;
  }
  uint64_t accepted() const noexcept { return lines_read - rejected(); }

  void count_status(int code) noexcept { ++status[static_cast<size_t>(code)]; }
  void count_reject(RejectReason reason) noexcept { ++rejects[static_cast<size_t>(reason)]; }

  void add(const LineCounts& other);
  void clear() noexcept { *this = LineCounts{}; }
};

}  // namespace logstream
