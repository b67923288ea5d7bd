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

MinuteTally& LineCounts::minute_tally(int64_t minute) {
  // Lines come mostly in time order: the last tally is almost always the one.
  if (!minutes.empty() && minutes.back().minute == minute) return minutes.back();
  auto it = minutes.begin();
  while (it != minutes.end() && it->minute < minute) ++it;
  if (it != minutes.end() && it->minute == minute) return *it;
  MinuteTally tally;
  tally.minute = minute;
  return *minutes.insert(it, tally);
}

void LineCounts::add(const LineCounts& other) {
  lines_read += other.lines_read;
  bytes_read += other.bytes_read;
  for (size_t i = 0; i < status.size(); ++i) status[i] += other.status[i];
  null_status += other.null_status;
  for (size_t i = 0; i < rejects.size(); ++i) rejects[i] += other.rejects[i];
  truncated += other.truncated;
  for (size_t i = 0; i < rule_matches.size(); ++i) rule_matches[i] += other.rule_matches[i];
  for (const MinuteTally& theirs : other.minutes) {
    MinuteTally& ours = minute_tally(theirs.minute);
    ours.accepted += theirs.accepted;
    for (size_t i = 0; i < kMaxLineRules; ++i) ours.matches[i] += theirs.matches[i];
  }
}

}  // namespace logstream
