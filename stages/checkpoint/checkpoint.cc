#include "stages/checkpoint/checkpoint.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "stages/core/atomic_file.h"
#include "stages/core/text_escape.h"

namespace logstream {
namespace {

constexpr std::string_view kMagic = "logstream-checkpoint 1";

std::string errno_text() { return std::strerror(errno); }

// Splits on single spaces; the format never has empty fields.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at <= line.size()) {
    const size_t space = line.find(' ', at);
    const size_t end = space == std::string_view::npos ? line.size() : space;
    fields.push_back(line.substr(at, end - at));
    at = end + 1;
  }
  return fields;
}

// Only the form serialize_checkpoint writes: decimal without leading zeros, or lowercase hex. A file is
// either exactly what we wrote or refused, never a near miss read some other way.
bool parse_u64(std::string_view text, uint64_t& out, int base = 10) {
  if (text.empty() || text.size() > 20) return false;
  if (base == 10 && text.size() > 1 && text[0] == '0') return false;
  if (base == 16 && text.find_first_not_of("0123456789abcdef") != std::string_view::npos) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

// A signed decimal as serialize_checkpoint writes it: no '+', no leading zeros, no "-0".
bool parse_i64(std::string_view text, int64_t& out) {
  const bool negative = !text.empty() && text[0] == '-';
  uint64_t magnitude = 0;
  if (!parse_u64(negative ? text.substr(1) : text, magnitude)) return false;
  if (negative && (magnitude == 0 || magnitude > uint64_t{1} << 63)) return false;
  if (!negative && magnitude > static_cast<uint64_t>(INT64_MAX)) return false;
  out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

std::string hex64(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

// A regular file's whole content; an error names the path and the reason. `missing` (may be null) tells
// a file that does not exist from one that cannot be read.
Expected<bool> read_whole_file(const std::string& path, std::string& out, size_t max_bytes = SIZE_MAX,
                               bool* missing = nullptr) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (missing) *missing = errno == ENOENT;
    return Error{path + ": cannot open: " + errno_text()};
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Error{path + ": not a checkpoint file (not a regular file, or over " +
                 std::to_string(max_bytes >> 20) + " MB)"};
  }
  out.clear();
  out.reserve(static_cast<size_t>(st.st_size));
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string reason = errno_text();
      ::close(fd);
      return Error{path + ": read failed: " + reason};
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

constexpr std::string_view kFilesSegmentMagic = "logstream-files 1\n";

// PREFIX<16 hex digits>SUFFIX: the only names a checkpoint may point at (it is read from disk, so a name
// with a '/' or '..' must not lead anywhere else).
bool is_segment_name(std::string_view name, std::string_view prefix, std::string_view suffix) {
  if (name.size() != prefix.size() + 16 + suffix.size() || name.substr(0, prefix.size()) != prefix ||
      name.substr(prefix.size() + 16) != suffix)
    return false;
  for (const char c : name.substr(prefix.size(), 16)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
bool is_groups_segment_name(std::string_view name) { return is_segment_name(name, "groups-", ".bin"); }
bool is_files_segment_name(std::string_view name) { return is_segment_name(name, "files-", ".log"); }

void append_file_line(std::string& text, const CountedFile& f) {
  text.append("file ").append(std::to_string(f.identity.device)).append(" ");
  text.append(std::to_string(f.identity.inode)).append(" ");
  text.append(std::to_string(f.identity.fingerprint_length)).append(" ");
  text.append(hex64(f.identity.fingerprint)).append(" ").append(std::to_string(f.offset)).append(" ");
  if (f.modified_ns) text.append(std::to_string(*f.modified_ns)).append(" ");
  text.append(escape_field(f.path)).append("\n");
}

// The fields of a `file` line (f[0] is "file"); false when it is not exactly what append_file_line writes.
bool parse_file_fields(const std::vector<std::string_view>& f, CountedFile& file) {
  if (f.size() != 7 && f.size() != 8) return false;  // 7: written before the modification time was kept
  uint64_t length = 0;
  auto path = unescape_field(f.back());
  if (!parse_u64(f[1], file.identity.device) || !parse_u64(f[2], file.identity.inode) ||
      !parse_u64(f[3], length) || length > kFingerprintBytes || f[4].size() != 16 ||
      !parse_u64(f[4], file.identity.fingerprint, 16) || !parse_u64(f[5], file.offset) || !path) {
    return false;
  }
  if (f.size() == 8) {
    int64_t modified = 0;
    if (!parse_i64(f[6], modified)) return false;
    file.modified_ns = modified;
  }
  file.identity.fingerprint_length = static_cast<uint32_t>(length);
  file.path = std::move(*path);
  return true;
}

void append_segment_line(std::string& text, std::string_view kind, const SegmentFile& segment) {
  text.append(kind).append(" ").append(std::to_string(segment.bytes)).append(" ");
  text.append(hex64(segment.hash)).append(" ").append(escape_field(segment.name)).append("\n");
}

bool parse_segment_fields(const std::vector<std::string_view>& f, bool (*valid_name)(std::string_view),
                          SegmentFile& segment) {
  if (f.size() != 4) return false;
  auto name = unescape_field(f[3]);
  if (!parse_u64(f[1], segment.bytes) || f[2].size() != 16 || !parse_u64(f[2], segment.hash, 16) || !name ||
      !valid_name(*name))
    return false;
  segment.name = std::move(*name);
  return true;
}

// A files segment: its magic line, then `file` lines; `source` names it in errors.
Expected<bool> parse_files_segment(std::string_view text, const std::string& source,
                                   std::vector<CountedFile>& out) {
  if (text.substr(0, kFilesSegmentMagic.size()) != kFilesSegmentMagic)
    return Error{source + ": not a logstream files segment"};
  size_t at = kFilesSegmentMagic.size();
  size_t line_number = 1;
  while (at < text.size()) {
    ++line_number;
    const size_t newline = text.find('\n', at);
    if (newline == std::string_view::npos)
      return Error{source + ": line " + std::to_string(line_number) + ": truncated"};
    const std::vector<std::string_view> f = split_fields(text.substr(at, newline - at));
    CountedFile file;
    if (f[0] != "file" || !parse_file_fields(f, file))
      return Error{source + ": line " + std::to_string(line_number) + ": malformed file entry"};
    out.push_back(std::move(file));
    at = newline + 1;
  }
  return true;
}

// The place of each kind of line in a checkpoint, as serialize_checkpoint writes them; -1: not a kind.
int line_rank(std::string_view kind) {
  static constexpr std::string_view kOrder[] = {
      "query",       "next-batch",    "query-id",       "watermark",  "lines",      "status",
      "file",        "alert",         "alert-minute",   "alert-time", "alert-pane", "files-forgotten-before",
      "groups-file", "files-segment", "groups-segment", "end"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (kOrder[i] == kind) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::string read_file_prefix(int fd, uint64_t limit) {
  std::string bytes(static_cast<size_t>(std::min<uint64_t>(limit, kFingerprintBytes)), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::pread(fd, bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

uint64_t fnv1a64(std::string_view bytes, uint64_t hash) noexcept {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

Expected<FileIdentity> identify_open_file(int fd, uint64_t limit) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error{"cannot stat: " + errno_text()};
  FileIdentity identity;
  identity.device = st.st_dev;
  identity.inode = st.st_ino;
  const std::string prefix =
      read_file_prefix(fd, std::min<uint64_t>(limit, static_cast<uint64_t>(st.st_size)));
  identity.fingerprint_length = static_cast<uint32_t>(prefix.size());
  identity.fingerprint = fnv1a64(prefix);
  return identity;
}

bool still_same_file(int fd, const FileIdentity& identity) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_dev != identity.device || st.st_ino != identity.inode) return false;
  const std::string prefix = read_file_prefix(fd, identity.fingerprint_length);
  return prefix.size() == identity.fingerprint_length && fnv1a64(prefix) == identity.fingerprint;
}

std::vector<std::string_view> split_record_fields(std::string_view line) { return split_fields(line); }

void append_line_counts(std::string& text, const LineCounts& counts) {
  text.append("lines ").append(std::to_string(counts.lines_read)).append(" ");
  text.append(std::to_string(counts.bytes_read)).append(" ").append(std::to_string(counts.null_status));
  for (const uint64_t n : counts.rejects) text.append(" ").append(std::to_string(n));
  text.append("\n");
  for (size_t code = 0; code < counts.status.size(); ++code) {
    if (counts.status[code] == 0) continue;
    text.append("status ")
        .append(std::to_string(code))
        .append(" ")
        .append(std::to_string(counts.status[code]));
    text.append("\n");
  }
}

bool parse_lines_fields(const std::vector<std::string_view>& f, LineCounts& counts) {
  if (f.size() != 4 + kRejectReasonCount) return false;
  bool ok = parse_u64(f[1], counts.lines_read) && parse_u64(f[2], counts.bytes_read) &&
            parse_u64(f[3], counts.null_status);
  for (size_t r = 0; r < kRejectReasonCount; ++r) ok = ok && parse_u64(f[4 + r], counts.rejects[r]);
  return ok;
}

bool parse_status_fields(const std::vector<std::string_view>& f, LineCounts& counts) {
  uint64_t code = 0, count = 0;
  if (f.size() != 3 || !parse_u64(f[1], code) || code >= kStatusSlots || !parse_u64(f[2], count))
    return false;
  counts.status[code] = count;
  return true;
}

bool line_counts_add_up(const LineCounts& counts) {
  uint64_t with_status = counts.null_status;
  for (const uint64_t n : counts.status) with_status += n;
  return counts.rejected() <= counts.lines_read && with_status == counts.accepted();
}

std::string serialize_checkpoint(const CheckpointState& state) {
  std::string text;
  text.append(kMagic).append("\n");
  text.append("query ").append(escape_field(state.query)).append("\n");
  text.append("next-batch ").append(std::to_string(state.next_batch_id)).append("\n");
  if (!state.query_id.empty()) text.append("query-id ").append(state.query_id).append("\n");
  if (state.watermark) {
    text.append("watermark ").append(std::to_string(state.watermark->next)).append(" ");
    text.append(std::to_string(state.watermark->last)).append("\n");
  }
  append_line_counts(text, state.totals);
  for (const CountedFile& f : state.files) append_file_line(text, f);
  for (const AlertRuleMemory& a : state.alerts) {
    uint64_t bits = 0;
    std::memcpy(&bits, &a.value, sizeof bits);
    text.append("alert ").append(std::to_string(a.state)).append(" ").append(std::to_string(a.streak));
    text.append(a.evaluated ? " 1 " : " 0 ").append(hex64(bits)).append(" ");
    text.append(std::to_string(a.first_minute)).append(" ").append(std::to_string(a.counts_from)).append(" ");
    text.append(escape_field(a.rule_text)).append("\n");
  }
  if (state.alert_latest_time)
    text.append("alert-time ").append(std::to_string(*state.alert_latest_time)).append("\n");
  for (const AlertPaneMemory& pane : state.alert_panes) {
    text.append("alert-pane ")
        .append(std::to_string(pane.minute))
        .append(" ")
        .append(std::to_string(pane.lines));
    for (const uint64_t n : pane.counts) text.append(" ").append(std::to_string(n));
    text.append("\n");
  }
  if (state.files_forgotten_before_ns) {
    text.append("files-forgotten-before ")
        .append(std::to_string(*state.files_forgotten_before_ns))
        .append("\n");
  }
  if (state.groups_file) append_segment_line(text, "groups-file", *state.groups_file);
  for (const SegmentFile& segment : state.file_segments) append_segment_line(text, "files-segment", segment);
  for (const SegmentFile& segment : state.group_segments)
    append_segment_line(text, "groups-segment", segment);
  const uint64_t checksum = fnv1a64(text);
  text.append("end ").append(hex64(checksum)).append("\n");
  return text;
}

Expected<CheckpointState> parse_checkpoint(std::string_view text, const std::string& source) {
  auto fail = [&](size_t line_number, const std::string& reason) {
    return Error{source + ": line " + std::to_string(line_number) + ": " + reason};
  };
  if (text.substr(0, kMagic.size()) != kMagic || text.size() == kMagic.size() || text[kMagic.size()] != '\n')
    return Error{source + ": not a logstream checkpoint (version 1)"};
  CheckpointState state;
  bool have_query = false, have_batch = false, have_lines = false;
  int last_rank = 0;
  size_t line_number = 1;
  size_t at = kMagic.size() + 1;
  while (at < text.size()) {
    ++line_number;
    const size_t newline = text.find('\n', at);
    if (newline == std::string_view::npos) return fail(line_number, "truncated (no end line)");
    const std::string_view line = text.substr(at, newline - at);
    const std::vector<std::string_view> f = split_fields(line);
    const std::string_view kind = f[0];
    // Kinds come in the order serialize_checkpoint writes them, so that what is accepted writes back to
    // the same bytes.
    if (const int rank = line_rank(kind); rank >= 0) {
      if (rank < last_rank) return fail(line_number, "'" + std::string(kind) + "' line out of order");
      last_rank = rank;
    }
    if (kind == "end") {
      uint64_t sum = 0;
      if (f.size() != 2 || f[1].size() != 16 || !parse_u64(f[1], sum, 16))
        return fail(line_number, "malformed end line");
      if (sum != fnv1a64(text.substr(0, at)))
        return fail(line_number, "checksum mismatch: the file is corrupt");
      if (newline + 1 != text.size()) return fail(line_number + 1, "data after the end line");
      if (!have_query || !have_batch || !have_lines) return fail(line_number, "a required line is missing");
      if (!line_counts_add_up(state.totals))
        return fail(line_number, "counts do not add up (lines read != accepted + rejected)");
      return state;
    }
    if (kind == "query" && f.size() == 2 && !have_query) {
      auto query = unescape_field(f[1]);
      if (!query) return fail(line_number, "malformed query");
      state.query = std::move(*query);
      have_query = true;
    } else if (kind == "next-batch" && f.size() == 2 && !have_batch) {
      if (!parse_u64(f[1], state.next_batch_id)) return fail(line_number, "malformed batch id");
      have_batch = true;
    } else if (kind == "query-id" && f.size() == 2 && state.query_id.empty()) {
      if (f[1].size() != 36 || f[1].find_first_not_of("0123456789abcdef-") != std::string_view::npos)
        return fail(line_number, "malformed query id");
      state.query_id = std::string(f[1]);
    } else if (kind == "watermark" && f.size() == 3 && !state.watermark) {
      CheckpointState::Watermark w;
      if (!parse_i64(f[1], w.next) || !parse_i64(f[2], w.last) || w.last > w.next)
        return fail(line_number, "malformed watermark");
      state.watermark = w;
    } else if (kind == "lines" && !have_lines) {
      if (!parse_lines_fields(f, state.totals)) return fail(line_number, "malformed line counts");
      have_lines = true;
    } else if (kind == "status") {
      if (!parse_status_fields(f, state.totals)) return fail(line_number, "malformed status row");
    } else if (kind == "file") {
      CountedFile file;
      if (!parse_file_fields(f, file)) return fail(line_number, "malformed file entry");
      state.files.push_back(std::move(file));
    } else if (kind == "alert" && (f.size() == 6 || f.size() == 8)) {
      // 6 fields: written before windows kept their first minute.
      AlertRuleMemory alert;
      uint64_t alert_state = 0, streak = 0, evaluated = 0, bits = 0;
      auto rule_text = unescape_field(f.back());
      if (!parse_u64(f[1], alert_state) || alert_state > 2 || !parse_u64(f[2], streak) ||
          streak > UINT32_MAX || !parse_u64(f[3], evaluated) || evaluated > 1 || f[4].size() != 16 ||
          !parse_u64(f[4], bits, 16) || !rule_text ||
          (f.size() == 8 && (!parse_i64(f[5], alert.first_minute) || !parse_i64(f[6], alert.counts_from)))) {
        return fail(line_number, "malformed alert entry");
      }
      alert.state = static_cast<uint8_t>(alert_state);
      alert.streak = static_cast<uint32_t>(streak);
      alert.evaluated = evaluated == 1;
      std::memcpy(&alert.value, &bits, sizeof bits);
      alert.rule_text = std::move(*rule_text);
      state.alerts.push_back(std::move(alert));
    } else if (kind == "alert-minute") {
      // Earlier versions' trailing-window tallies: the sliding windows that replaced them start afresh.
    } else if (kind == "alert-time" && f.size() == 2 && !state.alert_latest_time) {
      int64_t latest = 0;
      if (!parse_i64(f[1], latest)) return fail(line_number, "malformed alert-time line");
      state.alert_latest_time = latest;
    } else if (kind == "alert-pane" && f.size() >= 3) {
      AlertPaneMemory pane;
      bool ok = parse_i64(f[1], pane.minute) && parse_u64(f[2], pane.lines);
      pane.counts.resize(f.size() - 3);
      for (size_t i = 3; i < f.size(); ++i) ok = ok && parse_u64(f[i], pane.counts[i - 3]);
      if (!ok) return fail(line_number, "malformed alert pane");
      if (!state.alert_panes.empty() && state.alert_panes.back().minute >= pane.minute)
        return fail(line_number, "alert panes out of order");
      state.alert_panes.push_back(std::move(pane));
    } else if (kind == "groups-file" && !state.groups_file && state.group_segments.empty()) {
      SegmentFile file;
      if (!parse_segment_fields(f, is_groups_segment_name, file))
        return fail(line_number, "malformed groups-file line");
      state.groups_file = std::move(file);
    } else if (kind == "files-forgotten-before" && f.size() == 2 && !state.files_forgotten_before_ns) {
      int64_t before = 0;
      if (!parse_i64(f[1], before)) return fail(line_number, "malformed files-forgotten-before line");
      state.files_forgotten_before_ns = before;
    } else if (kind == "files-segment" && state.file_segments.size() < CheckpointStore::kSnapshotInterval) {
      SegmentFile segment;
      if (!parse_segment_fields(f, is_files_segment_name, segment))
        return fail(line_number, "malformed files-segment line");
      state.file_segments.push_back(std::move(segment));
    } else if (kind == "groups-segment" && !state.groups_file &&
               state.group_segments.size() < CheckpointStore::kSnapshotInterval) {
      SegmentFile segment;
      if (!parse_segment_fields(f, is_groups_segment_name, segment))
        return fail(line_number, "malformed groups-segment line");
      state.group_segments.push_back(std::move(segment));
    } else {
      return fail(line_number, "unexpected line");
    }
    at = newline + 1;
  }
  return fail(line_number, "truncated (no end line)");
}

Expected<CheckpointStore> CheckpointStore::open(const std::string& directory) {
  if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST)
    return Error{directory + ": cannot create checkpoint directory: " + errno_text()};
  struct stat st {};
  if (::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error{directory + ": checkpoint location is not a directory"};
  const std::string lock_path = directory + "/lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error{lock_path + ": cannot open: " + errno_text()};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const std::string reason = errno == EWOULDBLOCK ? "in use by another logstream process" : errno_text();
    ::close(fd);
    return Error{directory + ": checkpoint " + reason};
  }
  return CheckpointStore(directory, fd);
}

CheckpointStore::CheckpointStore(const std::string& directory, int lock_fd)
    : path_(directory + "/checkpoint"), lock_fd_(lock_fd) {}

CheckpointStore::CheckpointStore(CheckpointStore&& other) noexcept
    : path_(std::move(other.path_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      file_chain_(std::move(other.file_chain_)),
      group_chain_(std::move(other.group_chain_)),
      commits_since_snapshot_(other.commits_since_snapshot_),
      snapshot_needed_(other.snapshot_needed_) {}

CheckpointStore::~CheckpointStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

Expected<std::optional<CheckpointState>> CheckpointStore::load() {
  std::string text;
  bool missing = false;
  if (auto read = read_whole_file(path_, text, size_t{64} << 20, &missing); !read) {
    if (missing) return std::optional<CheckpointState>();
    return Error{read.error()};
  }
  auto parsed = parse_checkpoint(text, path_);
  if (!parsed) return Error{parsed.error()};
  CheckpointState& state = parsed.value();
  const bool had_inline_files = !state.files.empty();
  auto read_segment = [&](const SegmentFile& segment, std::string& bytes) -> Expected<bool> {
    const std::string segment_path = directory() + "/" + segment.name;
    if (auto read = read_whole_file(segment_path, bytes, segment.bytes); !read) return Error{read.error()};
    if (bytes.size() != segment.bytes || fnv1a64(bytes) != segment.hash)
      return Error{segment_path + ": does not match " + path_ + " (size or checksum): the file is corrupt"};
    return true;
  };
  // The chain's first segment is the snapshot as written (under --follow, two entries may share a path);
  // each later one replaces the entries of the paths it names.
  std::unordered_map<std::string, size_t> index_of_path;
  for (size_t i = 0; i < state.file_segments.size(); ++i) {
    std::string bytes;
    if (auto read = read_segment(state.file_segments[i], bytes); !read) return Error{read.error()};
    std::vector<CountedFile> entries;
    auto entries_read = parse_files_segment(bytes, directory() + "/" + state.file_segments[i].name, entries);
    if (!entries_read) return Error{entries_read.error()};
    if (i == 0 && state.files.empty()) {
      state.files = std::move(entries);
      continue;
    }
    if (index_of_path.empty()) {
      for (size_t at = 0; at < state.files.size(); ++at) index_of_path[state.files[at].path] = at;
    }
    for (CountedFile& entry : entries) {
      const auto [it, added] = index_of_path.try_emplace(entry.path, state.files.size());
      if (added)
        state.files.push_back(std::move(entry));
      else
        state.files[it->second] = std::move(entry);
    }
  }
  std::vector<SegmentFile> groups = state.group_segments;
  if (state.groups_file) groups.insert(groups.begin(), *state.groups_file);
  for (const SegmentFile& segment : groups) {
    std::string bytes;
    if (auto read = read_segment(segment, bytes); !read) return Error{read.error()};
    state.groups.push_back(std::move(bytes));
  }
  file_chain_ = state.file_segments;
  group_chain_ = state.group_segments;
  // A checkpoint of an earlier version keeps some of its state outside the chains (inline `file` lines,
  // one groups file): the next commit rewrites it whole.
  snapshot_needed_ =
      had_inline_files || state.groups_file.has_value() || (file_chain_.empty() && group_chain_.empty());
  const size_t longest = std::max(file_chain_.size(), group_chain_.size());
  commits_since_snapshot_ = static_cast<uint32_t>(longest == 0 ? 0 : longest - 1);
  return std::optional<CheckpointState>(std::move(parsed).value());
}

Expected<SegmentFile> CheckpointStore::write_segment(std::string_view prefix, std::string_view suffix,
                                                     std::string_view bytes) {
  SegmentFile segment;
  segment.bytes = bytes.size();
  segment.hash = fnv1a64(bytes);
  segment.name = std::string(prefix) + hex64(segment.hash) + std::string(suffix);
  // Named by its content, so rewriting it under a name the committed chain still uses changes nothing.
  if (auto written = replace_file_atomically(directory() + "/" + segment.name, bytes, /*durable=*/true);
      !written)
    return Error{written.error()};
  return segment;
}

Expected<bool> CheckpointStore::commit(const CheckpointState& head, const CheckpointChanges& changes) {
  std::vector<SegmentFile> file_chain = file_chain_;
  std::vector<SegmentFile> group_chain = group_chain_;
  if (changes.files_whole || !changes.files.empty()) {
    std::string text(kFilesSegmentMagic);
    for (const CountedFile& file : changes.files) append_file_line(text, file);
    auto segment = write_segment("files-", ".log", text);
    if (!segment) return Error{segment.error()};
    if (changes.files_whole) file_chain.clear();
    file_chain.push_back(std::move(segment).value());
  }
  if (changes.groups) {
    auto segment = write_segment("groups-", ".bin", *changes.groups);
    if (!segment) return Error{segment.error()};
    if (changes.groups_whole) group_chain.clear();
    group_chain.push_back(std::move(segment).value());
  } else if (changes.groups_whole) {
    group_chain.clear();  // a query without groups
  }
  CheckpointState committed;
  committed.query = head.query;
  committed.next_batch_id = head.next_batch_id;
  committed.query_id = head.query_id;
  committed.watermark = head.watermark;
  committed.totals = head.totals;
  committed.alerts = head.alerts;
  committed.alert_latest_time = head.alert_latest_time;
  committed.alert_panes = head.alert_panes;
  committed.files_forgotten_before_ns = head.files_forgotten_before_ns;
  committed.file_segments = file_chain;
  committed.group_segments = group_chain;
  if (auto written = replace_file_atomically(path_, serialize_checkpoint(committed), /*durable=*/true);
      !written)
    return written;
  file_chain_ = std::move(file_chain);
  group_chain_ = std::move(group_chain);
  if (changes.files_whole && changes.groups_whole) {
    commits_since_snapshot_ = 0;
    snapshot_needed_ = false;
  } else {
    ++commits_since_snapshot_;
  }
  // What the committed checkpoint does not name is what earlier commits left.
  std::unordered_set<std::string> named;
  for (const SegmentFile& segment : file_chain_) named.insert(segment.name);
  for (const SegmentFile& segment : group_chain_) named.insert(segment.name);
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(directory(), ignored)) {
    const std::string name = entry.path().filename().string();
    // A segment's .tmp is what a crash in the middle of writing one left.
    const bool temporary = name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
    const std::string segment = temporary ? name.substr(0, name.size() - 4) : name;
    if ((is_groups_segment_name(segment) || is_files_segment_name(segment)) &&
        (temporary || named.count(name) == 0))
      std::filesystem::remove(entry.path(), ignored);
  }
  return true;
}

}  // namespace logstream
