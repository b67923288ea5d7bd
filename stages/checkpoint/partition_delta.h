// What a Kafka worker publishes to the state topic after each batch, per source partition it counted:
// the batch's partial aggregate of that partition and the offset range it covers; and the rule that
// decides, from the state topic read in order, which of those deltas count.
//
// The rule (DeltaChain): a partition's accepted deltas form one contiguous chain of offset ranges. A delta
// counts only if it starts exactly where the partition's chain ends (the first one: wherever it starts)
// and covers at least one offset; it then moves the chain's end to where it ends. Everything else — a
// zombie's delta for a range another worker's delta already covered, a delta that leaves a gap — is
// ignored. Every reader of the state topic (each worker, the merger, a restarted merger) reads the same
// records in the same order, so each decides the same: no offset is counted twice, and a worker resumes
// a partition where its chain ends, so none is skipped.
//
// The record is text, one field per line, then the groups' bytes (GroupTable::serialize):
//   logstream-delta 1
//   query <escaped description of the query>
//   partition <source topic partition> <first offset> <end offset, exclusive>
//   worker <escaped worker id>
//   lost <offsets>                        (only when the broker had dropped some of the range)
//   lines <read> <bytes> <null-status> <reject0> ... <reject7>
//   status <code> <count>                 (one per nonzero status)
//   groups <byte count>                   (the bytes follow the newline; absent for the seed's query)
//   end
// Records come from the network: anything else is an error naming what is wrong, never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "stages/core/expected.h"
#include "stages/core/line_counts.h"

namespace logstream {

struct PartitionDelta {
  std::string query;  // StatusQuery's description: workers and the merger must run the same query
  int32_t partition = 0;
  int64_t first_offset = 0;  // the first source offset the delta covers
  int64_t end_offset = 0;    // one past the last (a gap in the offsets, e.g. a transaction marker, is
                             // inside the range: the range is where the worker read from and to)
  std::string worker;        // which process published it, for messages
  // Offsets of the range the broker no longer had when the worker came to them (retention): lost lines,
  // which every reader reports.
  uint64_t lost_offsets = 0;
  LineCounts counts;
  std::optional<std::string> groups;  // the partial aggregate; none for the status table's query
};

std::string serialize_delta(const PartitionDelta& delta);
// `source` names the record in errors ("TOPIC[0]@17").
Expected<PartitionDelta> parse_delta(std::string_view record, const std::string& source);

class DeltaChain {
 public:
  // Whether `delta` counts (and if so, the chain now ends where it ends).
  bool accept(const PartitionDelta& delta);
  // Where the partition's chain ends: the offset its next delta must start at; nullopt before its first.
  std::optional<int64_t> end(int32_t partition) const;
  uint64_t accepted() const noexcept { return accepted_; }
  uint64_t ignored() const noexcept { return ignored_; }

 private:
  std::map<int32_t, int64_t> ends_;
  uint64_t accepted_ = 0;
  uint64_t ignored_ = 0;
};

}  // namespace logstream
