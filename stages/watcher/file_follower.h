// --follow: beyond Spark's new-files-only rule, the appended bytes of files already counted are counted
// too, like `tail -F`. Files are followed by identity (device and inode, checked against a fingerprint of
// their first bytes), not by name, so rotation by rename keeps each file's offset:
//   - a listed file with bytes past its offset: the complete lines among them are counted; an unfinished
//     last line waits until the file has been unchanged for the partial-line wait, then counts as a line;
//   - rename rotation (access.log -> access.log.1, a new access.log): the renamed file is read to its end
//     from its offset, the new one from 0;
//   - copytruncate (the size drops below the offset): counted again from 0, with a warning;
//   - a new file that is a copy of a file counted before (logrotate's copytruncate or copy makes
//     access.log.1, compress a .gz of it): when its first bytes match that file's fingerprint and it
//     holds the part of it counted so far, only what lies past that part is counted. Candidates are the
//     files followed now, and recently forgotten, truncated or rewritten ones as they were counted; the
//     copy itself is recognised by the reader (FileChunker), which has its bytes. A copy whose original
//     the same batch reads (so whose offset may still move) or that does not hold the counted part yet
//     (still being written) is read nothing of and judged again later, never counted from 0 meanwhile;
//   - a file no longer listed (deleted, or moved out of the directory) is forgotten once two listings at
//     least the quiet period apart have missed it (a listing can miss a file that is being renamed);
//   - a compressed file (*.gz) is read whole, decompressed, once it has been unchanged for the quiet
//     period; as a copy (logrotate's compress), only what its original had beyond its offset is counted;
//   - a file that cannot be opened is not planned until it can be (the caller's probe warns).
// No threads: the watcher calls plan() on each trigger and record() after each batch.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "stages/checkpoint/checkpoint.h"
#include "stages/watcher/directory_listing.h"
#include "stages/watcher/file_chunker.h"

namespace logstream {

class FileFollower {
 public:
  using Clock = std::chrono::steady_clock;
  using Warn = std::function<void(const std::string&)>;

  // Whether `path` can be opened now; a file that cannot is left for a later listing.
  using CanOpen = std::function<bool(const std::string& path)>;

  FileFollower(std::chrono::milliseconds quiet_period, std::chrono::milliseconds partial_line_wait, Warn warn)
      : quiet_period_(quiet_period), partial_line_wait_(partial_line_wait), warn_(std::move(warn)) {}

  // The reads this listing calls for, in listing order (oldest first). `can_open` (none: every file can)
  // is asked about each file a read is planned for, before anything is recorded of the plan.
  std::vector<FileTask> plan(const std::vector<ListedFile>& listing, Clock::time_point now,
                             const CanOpen& can_open = nullptr);

  // What a batch counted: each file's identity (as read) and the offset its counting reached.
  void record(const std::vector<CountedFile>& counted, Clock::time_point now);

  // The files followed now, for a checkpoint; and the way back from one.
  std::vector<CountedFile> snapshot() const;
  void restore(const std::vector<CountedFile>& files);

  // When a waiting unfinished line or compressed file becomes due, if any is waiting.
  Clock::time_point next_due(Clock::time_point otherwise) const;

 private:
  using Key = std::pair<uint64_t, uint64_t>;  // device, inode
  struct Followed {
    CountedFile counted;             // path as last listed, identity as last read, offset reached
    bool identity_read = false;      // counted.identity has a fingerprint (the file was read at least once)
    uint64_t planned_size = 0;       // size the last task was planned for
    bool tail_waiting = false;       // the last read left an unfinished line at planned_size
    Clock::time_point tail_since{};  // when that unfinished line was last seen to change
    bool compressed = false;         // *.gz: read once, whole
    bool compressed_done = false;
    bool listed_before = false;  // last_size and last_mtime_ns hold a listing's values
    uint64_t last_size = 0;      // to tell a change, and the quiet period of a compressed file
    int64_t last_mtime_ns = 0;
    Clock::time_point last_change{};
    int missing_listings = 0;  // consecutive listings without it
    Clock::time_point missing_since{};
    bool read_unrecorded = false;  // the last task planned for it got no record (nothing read)
    bool judge_again = false;      // ... possibly because its original was read in the same batch
  };

  void remember_earlier(const CountedFile& counted);
  std::shared_ptr<const std::vector<PossibleOriginal>> possible_originals(const std::set<Key>& reading) const;

  std::chrono::milliseconds quiet_period_;
  std::chrono::milliseconds partial_line_wait_;
  Warn warn_;
  std::map<Key, Followed> files_;
  // Plain files as they were counted before they were forgotten, truncated or rewritten in place: a new
  // file (a .gz, a copy) may hold their content.
  std::deque<CountedFile> earlier_;
};

}  // namespace logstream
