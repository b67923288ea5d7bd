#include "stages/checkpoint/partition_delta.h"

#include <charconv>
#include <vector>

#include "stages/checkpoint/checkpoint.h"
#include "stages/core/text_escape.h"

namespace logstream {
namespace {

constexpr std::string_view kMagic = "logstream-delta 1";
// A record bigger than this is not one of ours (Kafka's own default message limit is 1 MB; a state topic
// configured for more still has a bound).
constexpr size_t kMaxGroupBytes = size_t{1} << 31;

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string serialize_delta(const PartitionDelta& delta) {
  std::string text;
  text.append(kMagic).append("\n");
  text.append("query ").append(escape_field(delta.query)).append("\n");
  text.append("partition ").append(std::to_string(delta.partition)).append(" ");
  text.append(std::to_string(delta.first_offset)).append(" ").append(std::to_string(delta.end_offset));
  text.append("\nworker ").append(escape_field(delta.worker)).append("\n");
  if (delta.lost_offsets > 0) text.append("lost ").append(std::to_string(delta.lost_offsets)).append("\n");
  append_line_counts(text, delta.counts);
  if (delta.groups) {
    text.append("groups ").append(std::to_string(delta.groups->size())).append("\n");
    text.append(*delta.groups);
  }
  text.append("end\n");
  return text;
}

Expected<PartitionDelta> parse_delta(std::string_view record, const std::string& source) {
  auto fail = [&](size_t line_number, const std::string& reason) {
    return Error{source + ": line " + std::to_string(line_number) + ": " + reason};
  };
  if (record.substr(0, kMagic.size()) != kMagic || record.size() == kMagic.size() ||
      record[kMagic.size()] != '\n') {
    return Error{source + ": not a logstream delta (version 1)"};
  }
  PartitionDelta delta;
  bool have_query = false, have_partition = false, have_worker = false, have_lines = false;
  size_t line_number = 1;
  size_t at = kMagic.size() + 1;
  while (at < record.size()) {
    ++line_number;
    const size_t newline = record.find('\n', at);
    if (newline == std::string_view::npos) return fail(line_number, "truncated (no end line)");
    const std::vector<std::string_view> f = split_record_fields(record.substr(at, newline - at));
    at = newline + 1;
    const std::string_view kind = f[0];
    if (kind == "end" && f.size() == 1) {
      if (at != record.size()) return fail(line_number + 1, "data after the end line");
      if (!have_query || !have_partition || !have_worker || !have_lines)
        return fail(line_number, "a required line is missing");
      if (!line_counts_add_up(delta.counts))
        return fail(line_number, "counts do not add up (lines read != accepted + rejected)");
      return delta;
    }
    if (kind == "query" && f.size() == 2 && !have_query) {
      auto query = unescape_field(f[1]);
      if (!query) return fail(line_number, "malformed query");
      delta.query = std::move(*query);
      have_query = true;
    } else if (kind == "partition" && f.size() == 4 && !have_partition) {
      if (!parse_number(f[1], delta.partition) || delta.partition < 0 ||
          !parse_number(f[2], delta.first_offset) || !parse_number(f[3], delta.end_offset) ||
          delta.first_offset < 0 || delta.end_offset <= delta.first_offset) {
        return fail(line_number, "malformed partition and offset range");
      }
      have_partition = true;
    } else if (kind == "worker" && f.size() == 2 && !have_worker) {
      auto worker = unescape_field(f[1]);
      if (!worker) return fail(line_number, "malformed worker id");
      delta.worker = std::move(*worker);
      have_worker = true;
    } else if (kind == "lost" && f.size() == 2 && have_partition && delta.lost_offsets == 0) {
      if (!parse_number(f[1], delta.lost_offsets) || delta.lost_offsets == 0 ||
          delta.lost_offsets > static_cast<uint64_t>(delta.end_offset - delta.first_offset)) {
        return fail(line_number, "malformed lost offsets");
      }
    } else if (kind == "lines" && !have_lines) {
      if (!parse_lines_fields(f, delta.counts)) return fail(line_number, "malformed line counts");
      have_lines = true;
    } else if (kind == "status" && have_lines) {
      // Each status once: a record is either exactly what serialize_delta wrote or refused.
      uint64_t code = 0;
      if (f.size() != 3 || !parse_number(f[1], code) || code >= kStatusSlots ||
          delta.counts.status[code] != 0 || !parse_status_fields(f, delta.counts)) {
        return fail(line_number, "malformed status row");
      }
    } else if (kind == "groups" && f.size() == 2 && !delta.groups) {
      size_t bytes = 0;
      if (!parse_number(f[1], bytes) || bytes > kMaxGroupBytes || bytes > record.size() - at)
        return fail(line_number, "malformed or truncated groups");
      delta.groups.emplace(record.substr(at, bytes));
      at += bytes;
    } else {
      return fail(line_number, "unexpected line '" + escape_for_terminal(kind.substr(0, 40)) + "'");
    }
  }
  return fail(line_number, "truncated (no end line)");
}

bool DeltaChain::accept(const PartitionDelta& delta) {
  const auto it = ends_.find(delta.partition);
  const bool extends = it == ends_.end() ? delta.first_offset >= 0 : delta.first_offset == it->second;
  if (!extends || delta.end_offset <= delta.first_offset) {
    ++ignored_;
    return false;
  }
  ends_[delta.partition] = delta.end_offset;
  ++accepted_;
  return true;
}

std::optional<int64_t> DeltaChain::end(int32_t partition) const {
  const auto it = ends_.find(partition);
  if (it == ends_.end()) return std::nullopt;
  return it->second;
}

}  // namespace logstream
