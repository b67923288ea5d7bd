#include "stages/core/line_counts.h"

namespace logstream {

std::string_view reject_reason_name(RejectReason reason) noexcept {
  switch (reason) {
    case RejectReason::kEmptyLine:
      return "empty line";
    case RejectReason::kMissingField:
      return "missing field";
    case RejectReason::kUnexpectedText:
      return "unexpected text";
    case RejectReason::kUnterminatedQuote:
      return "unterminated quote";
    case RejectReason::kBadTimestamp:
      return "bad timestamp";
    case RejectReason::kBadStatus:
      return "bad status";
    case RejectReason::kBadNumber:
      return "bad number";
    case RejectReason::kTooLong:
      return "too long";
  }
  return "unknown";
}

void LineCounts::add(const LineCounts& other) {
  lines_read += other.lines_read;
  bytes_read += other.bytes_read;
  for (size_t i = 0; i < status.size(); ++i) status[i] += other.status[i];
  null_status += other.null_status;
  for (size_t i = 0; i < rejects.size(); ++i) rejects[i] += other.rejects[i];
  truncated += other.truncated;
}

}  // namespace logstream
