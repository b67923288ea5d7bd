// The state that makes a restart exactly-once: the next batch id, which files (and how much of each) are
// already in the table, and the table itself. Committed after every batch, atomically: written to a
// temporary file, fsynced, renamed over the old one, and the directory fsynced; a crash at any moment
// leaves either the old state or the new one, never a mix.
//
// The file is line-based text, so that a user can read it:
//   logstream-checkpoint 1
//   query <escaped description of the query; a restart with another query is refused>
//   next-batch <id>
//   query-id <the query's id, as --progress prints it>        (absent in checkpoints written before it)
//   watermark <next> <last>    (--watermark: the next batch's, and the last batch's, in microseconds)
//   lines <read> <bytes> <null-status> <reject0> ... <reject7>
//   status <code> <count>                                   (one per nonzero status)
//   file <device> <inode> <fingerprint-length> <fingerprint> <offset> [<modified, ns>] <escaped path>
//   alert <state> <streak> <evaluated> <value as IEEE-754 bits, hex> <escaped rule text>
//   alert-minute <minute> <accepted> <matches of slot 0> ... <matches of slot 15>
//   files-forgotten-before <ns>       (--max-file-age: counted files modified before this are forgotten)
//   files-segment <bytes> <FNV-1a 64, hex> <name>   (files-<hash>.log: counted files, see below)
//   groups-segment <bytes> <FNV-1a 64, hex> <name>  (groups-<hash>.bin: a query's groups, see below)
//
// The record of counted files and the query engine's groups grow with the input, so they are kept
// beside this file as segments, committed incrementally as Spark's state store and file-source log are:
// a commit writes a delta (the files this batch counted; the batch's partial aggregate), and every
// kSnapshotInterval-th commit writes a snapshot (every file; the groups since the start) that starts a
// new chain. A commit so costs what the batch changed, and a chain is at most kSnapshotInterval segments
// long. Segments are named by their checksum, written and synced before the checkpoint that names them
// (so a crash leaves either the old chain or the new one), and removed once no committed checkpoint
// names them. Loading applies a chain in order: a files delta replaces the entry with the same path or
// adds one; each groups delta is merged into the state before it (merging is exact, so the state after
// a restart is the state that was committed).
// Checkpoints of earlier versions, with `file` lines inline and one `groups-file` line, still load.
//   end <FNV-1a 64 of every byte before this line, hex>
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/line_counts.h"

namespace logstream {

// Which file this is, beyond its name: a renamed file keeps it, and a new file that got an old file's
// inode number is told apart by the fingerprint of its first bytes.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint32_t fingerprint_length = 0;  // bytes hashed: the first min(size, kFingerprintBytes)
  uint64_t fingerprint = 0;         // FNV-1a 64 of those bytes

  bool same_file(const FileIdentity& other) const noexcept {
    return device == other.device && inode == other.inode && fingerprint_length == other.fingerprint_length &&
           fingerprint == other.fingerprint;
  }
};

inline constexpr uint32_t kFingerprintBytes = 1024;

// The first min(limit, kFingerprintBytes) bytes of `fd` (fewer at its end), read without moving its offset.
std::string read_file_prefix(int fd, uint64_t limit);

// Identity of the open file `fd`, fingerprinting at most `limit` leading bytes (the part judged complete).
Expected<FileIdentity> identify_open_file(int fd, uint64_t limit = UINT64_MAX);

// The same for `identity`'s file as it is now: true when `fd` starts with the bytes that were fingerprinted.
bool still_same_file(int fd, const FileIdentity& identity);

struct CountedFile {
  std::string path;
  FileIdentity identity;
  uint64_t offset = 0;  // bytes counted from the start: the end of the last counted line
  // When the file was last modified, as it was opened (ns since the epoch): how --max-file-age tells an
  // old file. Unknown in entries of earlier versions, which are then never forgotten.
  std::optional<int64_t> modified_ns;
};

// What one alert rule remembers between batches, so that a restart neither fires it again nor forgets a
// streak: keyed by the rule's whole text (a rule that changed starts afresh).
struct AlertRuleMemory {
  std::string rule_text;
  uint8_t state = 0;  // AlertState: 0 inactive, 1 pending, 2 firing
  uint32_t streak = 0;
  bool evaluated = false;
  double value = 0;
  // A rule with a window (INT64_MIN: none yet): the first minute its windows may start at, and the
  // minute from which the panes hold its counts.
  int64_t first_minute = INT64_MIN;
  int64_t counts_from = INT64_MIN;
};

// One event-time minute of the alert rules' windows: its accepted lines and, per rule (in the order of
// CheckpointState::alerts), the lines that met the rule's condition.
struct AlertPaneMemory {
  int64_t minute = 0;  // its start, microseconds since the epoch
  uint64_t lines = 0;
  std::vector<uint64_t> counts;
};

// A file the checkpoint names beside itself: its size and checksum are checked when it is read.
struct SegmentFile {
  uint64_t bytes = 0;
  uint64_t hash = 0;
  std::string name;
};

struct CheckpointState {
  std::string query;
  uint64_t next_batch_id = 0;
  std::string query_id;  // 8-4-4-4-12 lowercase hex, or empty
  // The event-time watermark: the one the next batch runs with, and the one the last batch ran with (its
  // finished windows are out of the groups already).
  struct Watermark {
    int64_t next = 0;
    int64_t last = 0;
  };
  std::optional<Watermark> watermark;
  LineCounts totals;
  // The head's own `file` lines (earlier versions); CheckpointStore::load adds the segments' entries.
  std::vector<CountedFile> files;
  std::vector<AlertRuleMemory> alerts;
  // The alert windows: the latest event time seen (absent before any), and the minutes the windows
  // still to be judged need, ascending.
  std::optional<int64_t> alert_latest_time;
  std::vector<AlertPaneMemory> alert_panes;
  // Every counted file last modified before this (ns since the epoch) has been dropped from the record, so
  // no file older than this may be taken as new again, whatever --max-file-age says now.
  std::optional<int64_t> files_forgotten_before_ns;
  std::vector<SegmentFile> file_segments;   // in chain order: a snapshot, then deltas
  std::vector<SegmentFile> group_segments;  // the same
  std::optional<SegmentFile> groups_file;   // earlier versions: every group in one file
  // Filled by CheckpointStore::load: each groups segment's bytes (GroupTable::serialize) in chain order:
  // the state at the snapshot, then each later batch's partial aggregate to merge into it.
  std::vector<std::string> groups;
};

uint64_t fnv1a64(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325ULL) noexcept;

// The text of a LineCounts that the checkpoint and a Kafka delta (partition_delta.h) both carry: a line
// `lines <read> <bytes> <null-status> <reject0> ... <reject7>`, then `status <code> <count>` per nonzero
// status. Reading takes a line split at spaces (its kind first) and is as strict as writing.
void append_line_counts(std::string& text, const LineCounts& counts);
std::vector<std::string_view> split_record_fields(std::string_view line);
bool parse_lines_fields(const std::vector<std::string_view>& fields, LineCounts& counts);
bool parse_status_fields(const std::vector<std::string_view>& fields, LineCounts& counts);
// Lines read = accepted + rejected, and the accepted ones are the status rows (null included).
bool line_counts_add_up(const LineCounts& counts);

std::string serialize_checkpoint(const CheckpointState& state);

// `source` names the file in errors ("DIR/checkpoint: line 3: ...").
Expected<CheckpointState> parse_checkpoint(std::string_view text, const std::string& source);

// What one commit adds to the segments. The caller asks snapshot_due() first and passes the whole state
// when it is due.
struct CheckpointChanges {
  std::vector<CountedFile> files;     // files_whole: every counted file; else the files the batch counted
  bool files_whole = false;           // (--follow passes its followed files whole on every commit)
  std::optional<std::string> groups;  // groups_whole: the groups since the start; else the batch's partial
  bool groups_whole = false;          // (nullopt: no groups segment this commit)
};

// A checkpoint directory, locked for the life of this object so two processes never share it.
class CheckpointStore {
 public:
  // A snapshot every this many commits, as Spark's file-source log compacts every 10 batches.
  static constexpr uint32_t kSnapshotInterval = 10;

  // Creates the directory if needed; an error when it cannot be created or another process holds it.
  static Expected<CheckpointStore> open(const std::string& directory);

  CheckpointStore(CheckpointStore&&) noexcept;
  CheckpointStore& operator=(CheckpointStore&&) = delete;
  ~CheckpointStore();

  // nullopt when there is no checkpoint yet; an error when there is one that cannot be read or trusted.
  // Every counted file is in `files` (the chain applied); the groups' segments are in `groups`.
  Expected<std::optional<CheckpointState>> load();

  // Whether the next commit must carry the whole state: the first one, every kSnapshotInterval-th, and
  // the first after loading a checkpoint of an earlier version.
  bool snapshot_due() const noexcept {
    return snapshot_needed_ || commits_since_snapshot_ + 1 >= kSnapshotInterval;
  }

  // Atomically replaces the committed state with `head` (its files, segments and groups are ignored)
  // and `changes`; on error the previous state is still the committed one.
  Expected<bool> commit(const CheckpointState& head, const CheckpointChanges& changes);

  const std::string& path() const noexcept { return path_; }
  std::string directory() const { return path_.substr(0, path_.rfind('/')); }

 private:
  CheckpointStore(const std::string& directory, int lock_fd);
  Expected<SegmentFile> write_segment(std::string_view prefix, std::string_view suffix,
                                      std::string_view bytes);

  std::string path_;
  int lock_fd_ = -1;
  std::vector<SegmentFile> file_chain_;  // as last loaded or committed
  std::vector<SegmentFile> group_chain_;
  uint32_t commits_since_snapshot_ = 0;
  bool snapshot_needed_ = true;
};

}  // namespace logstream
