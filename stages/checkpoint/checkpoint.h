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
//   lines <read> <bytes> <null-status> <reject0> ... <reject7>
//   status <code> <count>                                   (one per nonzero status)
//   file <device> <inode> <fingerprint-length> <fingerprint> <offset> <escaped path>
//   alert <state> <streak> <evaluated> <value as IEEE-754 bits, hex> <escaped rule text>
//   alert-minute <minute> <accepted> <matches of slot 0> ... <matches of slot 15>
//   groups-file <bytes> <FNV-1a 64, hex> <name>     (a query with GROUP BY: its groups, in their own file)
//
// The query engine's groups (GroupTable::serialize) can be far larger than the rest, so they go to a file
// of their own beside it, named after its checksum (groups-<hash>.bin): written and synced before the
// checkpoint that names it, so a crash leaves either the old pair or the new one; older files are
// removed after the commit.
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
};

// What one alert rule remembers between batches, so that a restart neither fires it again nor forgets a
// streak: keyed by the rule's whole text (a rule that changed starts afresh).
struct AlertRuleMemory {
  std::string rule_text;
  uint8_t state = 0;  // AlertState: 0 inactive, 1 pending, 2 firing
  uint32_t streak = 0;
  bool evaluated = false;
  double value = 0;
};

struct CheckpointState {
  std::string query;
  uint64_t next_batch_id = 0;
  std::string query_id;  // 8-4-4-4-12 lowercase hex, or empty
  LineCounts totals;
  std::vector<CountedFile> files;
  std::vector<AlertRuleMemory> alerts;
  std::vector<MinuteTally> alert_minutes;  // the event-time minutes the `over` windows still cover, ascending
  // The query engine's state since the start, as bytes: what commit() writes to the groups file and
  // load() reads back from it (checked against groups_file).
  std::optional<std::string> groups;
  struct GroupsFile {
    uint64_t bytes = 0;
    uint64_t hash = 0;
    std::string name;
  };
  std::optional<GroupsFile> groups_file;  // the checkpoint's line naming it
};

uint64_t fnv1a64(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325ULL) noexcept;

std::string serialize_checkpoint(const CheckpointState& state);

// `source` names the file in errors ("DIR/checkpoint: line 3: ...").
Expected<CheckpointState> parse_checkpoint(std::string_view text, const std::string& source);

// A checkpoint directory, locked for the life of this object so two processes never share it.
class CheckpointStore {
 public:
  // Creates the directory if needed; an error when it cannot be created or another process holds it.
  static Expected<CheckpointStore> open(const std::string& directory);

  CheckpointStore(CheckpointStore&&) noexcept;
  CheckpointStore& operator=(CheckpointStore&&) = delete;
  ~CheckpointStore();

  // nullopt when there is no checkpoint yet; an error when there is one that cannot be read or trusted.
  Expected<std::optional<CheckpointState>> load() const;

  // Atomically replaces the committed state; on error the previous state is still the committed one.
  Expected<bool> commit(const CheckpointState& state) const;

  const std::string& path() const noexcept { return path_; }
  std::string directory() const { return path_.substr(0, path_.rfind('/')); }

 private:
  CheckpointStore(const std::string& directory, int lock_fd);

  std::string path_;
  int lock_fd_ = -1;
};

}  // namespace logstream
