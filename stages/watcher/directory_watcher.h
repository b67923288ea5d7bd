// Spark's file-source rules for one directory: only new files, names starting with '_' or '.' ignored,
// oldest modification time first, every file found ready by one trigger in one batch. inotify gives low
// latency; a listing on every trigger (and a periodic rescan) is the fallback that never misses a file.
//
// When a file is complete (so no line is counted half):
//   1. closed after writing (IN_CLOSE_WRITE) or moved in (IN_MOVED_TO), last byte a line terminator,
//      unchanged since: ready at once;
//   2. last byte a line terminator and size/mtime unchanged for the quiet period: ready (a writer that
//      keeps the file open, or events lost to a queue overflow);
//   3. last line without a terminator: ready only after the quiet period if it was closed, moved in or
//      already there when watching began, otherwise after the partial-line wait.
// Files already there when watching began (the first listing that succeeds) may still have a writer,
// so none is ready before the quiet period; no file with a later mtime is taken before them, so that a
// restart keeps the stream in its order.
// Only the bytes judged complete are read; what is appended later is not (Spark's new-files-only rule).
// A file that cannot be opened (permissions) and a symlink to nothing are warned about once and taken
// once they can be read. A watched directory that is deleted or replaced is reported when it goes and
// when it is back, and inotify is armed again on the new one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/warning.h"
#include "stages/watcher/directory_listing.h"
#include "stages/watcher/file_chunker.h"
#include "stages/watcher/file_follower.h"

namespace logstream {

using SteadyClock = std::chrono::steady_clock;

struct WatchOptions {
  std::chrono::milliseconds quiet_period{500};
  std::chrono::milliseconds partial_line_wait{10000};
  std::chrono::milliseconds rescan_interval{1000};
  bool use_inotify = true;
  bool follow = false;  // --follow: appended bytes of known files count too (see file_follower.h)
};

class DirectoryWatcher {
 public:
  static Expected<DirectoryWatcher> create(std::string directory, WatchOptions options, WarningHandler warn);

  DirectoryWatcher(DirectoryWatcher&&) noexcept;
  DirectoryWatcher& operator=(DirectoryWatcher&&) = delete;
  ~DirectoryWatcher();

  // The inotify descriptor to poll, or -1 when inotify is not in use.
  int event_fd() const noexcept { return inotify_fd_; }

  // Reads every pending inotify event without blocking.
  void drain_events(SteadyClock::time_point now);

  // Lists the directory and returns the files that are ready, oldest first; they will not be returned again.
  std::vector<FileTask> take_ready(SteadyClock::time_point now);

  // Treats the file `name` of this directory as taken already (a checkpoint counted it before a restart).
  void mark_taken(const std::string& name) { seen_.insert(name); }

  // --follow only: what a batch counted, the files followed now (for a checkpoint), and a restore.
  bool follows() const noexcept { return follower_.has_value(); }
  void record_counted(const std::vector<CountedFile>& counted, SteadyClock::time_point now) {
    if (follower_) follower_->record(counted, now);
  }
  std::vector<CountedFile> followed_files() const {
    return follower_ ? follower_->snapshot() : std::vector<CountedFile>{};
  }
  void restore_followed(const std::vector<CountedFile>& files) {
    if (follower_) follower_->restore(files);
  }

  const std::string& directory() const noexcept { return directory_; }

  // When the next trigger should run even without an event.
  SteadyClock::time_point next_deadline(SteadyClock::time_point now) const;

 private:
  struct Candidate {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    SteadyClock::time_point last_change;
    bool closed = false;            // closed after writing or moved in, unchanged since
    bool present_at_start = false;  // found by the first listing that succeeded
    bool close_unrecorded = false;  // a close event whose final size/mtime the next listing records
    bool unreadable = false;        // could not be opened at the last listing (warned once)
    SteadyClock::duration wait{};   // how long it must stay unchanged, as of the last listing
  };

  DirectoryWatcher(std::string directory, WatchOptions options, WarningHandler warn)
      : directory_(std::move(directory)), options_(options), warn_(std::move(warn)) {}
  void note_event(const std::string& name, uint32_t mask, SteadyClock::time_point now);
  // A descriptor for reading `path`, or -1; a failure other than the file being gone is warned about
  // once per path and reason.
  int open_for_reading(const std::string& path);
  bool can_open(const std::string& path);
  // Whether the last byte ends a line; nullopt when the file cannot be opened.
  std::optional<bool> ends_with_terminator(const std::string& path, uint64_t size);
  SteadyClock::duration wait_needed(const Candidate& c, bool ends_with_newline) const;
  // Is the directory there, and the one inotify watches? Says so when it goes and when it is back.
  bool directory_present();
  void arm_inotify();

  std::string directory_;
  WatchOptions options_;
  WarningHandler warn_;
  int inotify_fd_ = -1;
  int watch_descriptor_ = -1;  // on directory_; -1 once the kernel dropped it (the directory went away)
  uint64_t directory_device_ = 0;
  uint64_t directory_inode_ = 0;
  bool directory_gone_ = false;
  bool first_listing_ = true;
  std::map<std::string, Candidate> candidates_;
  std::set<std::string> seen_;
  std::set<std::string> warned_;
  std::map<std::string, std::string> unopenable_;  // path -> the reason last warned about
  std::string listing_error_;                      // the last listing failure, so that it is reported once
  std::optional<FileFollower> follower_;
};

}  // namespace logstream
