#include "stages/checkpoint/partition_delta.h"

#include <charconv>
#include <vector>

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

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at <= line.size()) {
    const size_t space = line.find(' ', at);
    const size_t end = space == std::string_view::npos ? line.size() : space;
    fields.push_back(line.substr(at, end - at));
    if (space == std::string_view::npos) break;
    at = space + 1;
  }
  return fields;
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
  const LineCounts& c = delta.counts;
  text.append("lines ").append(std::to_string(c.lines_read)).append(" ").append(std::to_string(c.bytes_read));
  text.append(" ").append(std::to_string(c.null_status));
  for (const uint64_t n : c.rejects) text.append(" ").append(std::to_string(n));
  text.append("\n");
  for (size_t code = 0; code < c.status.size(); ++code) {
    if (c.status[code] == 0) continue;
    text.append("status ").append(std::to_string(code)).append(" ").append(std::to_string(c.status[code]));
    text.append("\n");
  }
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
    const std::vector<std::string_view> f = split_fields(record.substr(at, newline - at));
    at = newline + 1;
    const std::string_view kind = f[0];
    if (kind == "end" && f.size() == 1) {
      if (at != record.size()) return fail(line_number + 1, "data after the end line");
      if (!have_query || !have_partition || !have_worker || !have_lines)
        return fail(line_number, "a required line is missing");
      const LineCounts& c = delta.counts;
      uint64_t with_status = c.null_status;
      for (const uint64_t n : c.status) with_status += n;
      if (c.rejected() > c.lines_read || with_status != c.accepted())
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
    } else if (kind == "lines" && f.size() == 4 + kRejectReasonCount && !have_lines) {
      LineCounts& c = delta.counts;
      bool ok = parse_number(f[1], c.lines_read) && parse_number(f[2], c.bytes_read) &&
                parse_number(f[3], c.null_status);
      for (size_t r = 0; r < kRejectReasonCount; ++r) ok = ok && parse_number(f[4 + r], c.rejects[r]);
      if (!ok) return fail(line_number, "malformed line counts");
      have_lines = true;
    } else if (kind == "status" && f.size() == 3 && have_lines) {
      size_t code = 0;
      uint64_t count = 0;
      if (!parse_number(f[1], code) || code >= kStatusSlots || !parse_number(f[2], count) ||
          delta.counts.status[code] != 0) {
        return fail(line_number, "malformed status row");
      }
      delta.counts.status[code] = count;
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
