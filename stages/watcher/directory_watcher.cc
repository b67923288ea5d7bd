#include "stages/watcher/directory_watcher.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace logstream {
namespace {

// IN_ATTRIB: a chmod can make a file readable. The *_SELF events say the directory itself went away.
constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE |
                                IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

}  // namespace

Expected<DirectoryWatcher> DirectoryWatcher::create(std::string directory, WatchOptions options,
                                                    WarningHandler warn) {
  struct stat st {};
  if (::stat(directory.c_str(), &st) != 0) return Error{directory + ": " + std::strerror(errno)};
  if (!S_ISDIR(st.st_mode)) return Error{directory + ": not a directory"};
  DirectoryWatcher watcher(std::move(directory), options, std::move(warn));
  watcher.directory_device_ = st.st_dev;
  watcher.directory_inode_ = st.st_ino;
  if (options.follow)
    watcher.follower_.emplace(options.quiet_period, options.partial_line_wait, watcher.warn_);
  if (options.use_inotify) {
    watcher.inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (watcher.inotify_fd_ < 0) {
      watcher.warn_(watcher.directory_ + ": inotify unavailable (" + std::strerror(errno) +
                    "), falling back to rescans every " + std::to_string(options.rescan_interval.count()) +
                    " ms");
    } else {
      watcher.arm_inotify();
    }
  }
  return watcher;
}

void DirectoryWatcher::arm_inotify() {
  if (watch_descriptor_ >= 0) inotify_rm_watch(inotify_fd_, watch_descriptor_);
  watch_descriptor_ = inotify_add_watch(inotify_fd_, directory_.c_str(), kWatchMask);
  if (watch_descriptor_ >= 0) return;
  warn_(directory_ + ": inotify unavailable (" + std::strerror(errno) + "), falling back to rescans every " +
        std::to_string(options_.rescan_interval.count()) + " ms");
  ::close(inotify_fd_);
  inotify_fd_ = -1;
}

bool DirectoryWatcher::directory_present() {
  struct stat st {};
  const bool exists = ::stat(directory_.c_str(), &st) == 0;
  if (!exists || !S_ISDIR(st.st_mode)) {
    if (!directory_gone_) {
      const std::string reason = exists ? "not a directory any more" : std::strerror(errno);
      warn_(directory_ + ": the watched directory is gone (" + reason + "); looking for it again every " +
            std::to_string(options_.rescan_interval.count()) + " ms");
    }
    directory_gone_ = true;
    return false;
  }
  const bool replaced = st.st_dev != directory_device_ || st.st_ino != directory_inode_;
  // Re-armed when the directory is another one, or the kernel dropped the watch (moved away and back);
  // armed before saying so, so that a file closed after the message is seen by its close event.
  if (inotify_fd_ >= 0 && (replaced || directory_gone_ || watch_descriptor_ < 0)) arm_inotify();
  if (directory_gone_) {
    warn_(directory_ + ": the watched directory is back: watching it again");
  } else if (replaced) {
    warn_(directory_ + ": the watched directory was replaced by another one: watching the new one");
  }
  directory_gone_ = false;
  directory_device_ = st.st_dev;
  directory_inode_ = st.st_ino;
  return true;
}

DirectoryWatcher::DirectoryWatcher(DirectoryWatcher&& other) noexcept
    : directory_(std::move(other.directory_)),
      options_(other.options_),
      warn_(std::move(other.warn_)),
      inotify_fd_(std::exchange(other.inotify_fd_, -1)),
      watch_descriptor_(other.watch_descriptor_),
      directory_device_(other.directory_device_),
      directory_inode_(other.directory_inode_),
      directory_gone_(other.directory_gone_),
      first_listing_(other.first_listing_),
      candidates_(std::move(other.candidates_)),
      seen_(std::move(other.seen_)),
      warned_(std::move(other.warned_)),
      unopenable_(std::move(other.unopenable_)),
      listing_error_(std::move(other.listing_error_)),
      follower_(std::move(other.follower_)) {}

DirectoryWatcher::~DirectoryWatcher() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

void DirectoryWatcher::note_event(const std::string& name, uint32_t mask, SteadyClock::time_point now) {
  if (is_hidden_name(name) || seen_.count(name)) return;
  if ((mask & ~IN_ISDIR) == IN_ATTRIB) return;  // wakes the trigger only: the listing sees what changed
  if (mask & (IN_DELETE | IN_MOVED_FROM)) {
    candidates_.erase(name);
    return;
  }
  Candidate& c = candidates_[name];
  if (mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
    c.closed = true;
    c.close_unrecorded = true;
  } else if (mask & (IN_MODIFY | IN_CREATE)) {
    c.closed = false;
    c.close_unrecorded = false;
    c.last_change = now;
  }
}

void DirectoryWatcher::drain_events(SteadyClock::time_point now) {
  if (inotify_fd_ < 0) return;
  alignas(struct inotify_event) char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(inotify_fd_, buffer, sizeof buffer);
    if (n <= 0) return;  // EAGAIN: drained
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + at);
      // On overflow the listing that follows every drain finds what the lost events would have said;
      // files whose close event was lost fall back to the quiet-period rule.
      if (event->wd == watch_descriptor_ && watch_descriptor_ >= 0) {
        if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
          // The directory went away: what this watch says from now on is not about directory_ (a moved
          // directory stays watched under its new name). The next listing says so and re-arms.
          if (!(event->mask & IN_IGNORED)) inotify_rm_watch(inotify_fd_, watch_descriptor_);
          watch_descriptor_ = -1;
        } else if (event->len > 0) {
          note_event(event->name, event->mask, now);
        }
      }
      at += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
    }
  }
}

int DirectoryWatcher::open_for_reading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd >= 0) {
    unopenable_.erase(path);
    return fd;
  }
  if (errno == ENOENT) return -1;  // gone since the listing: the next one does not list it
  const std::string reason = std::strerror(errno);
  auto [it, inserted] = unopenable_.try_emplace(path, reason);
  if (inserted || it->second != reason)
    warn_(path + ": cannot open: " + reason + "; it is counted once it can be read");
  it->second = reason;
  return -1;
}

bool DirectoryWatcher::can_open(const std::string& path) {
  const int fd = open_for_reading(path);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

std::optional<bool> DirectoryWatcher::ends_with_terminator(const std::string& path, uint64_t size) {
  const int fd = open_for_reading(path);
  if (fd < 0) return std::nullopt;
  char last = 0;
  const bool ok = size > 0 && ::pread(fd, &last, 1, static_cast<off_t>(size - 1)) == 1;
  ::close(fd);
  return ok && (last == '\n' || last == '\r');
}

SteadyClock::duration DirectoryWatcher::wait_needed(const Candidate& c, bool ends_with_newline) const {
  if (c.closed && ends_with_newline) return SteadyClock::duration::zero();
  if (c.closed || ends_with_newline || c.present_at_start) return options_.quiet_period;
  return options_.partial_line_wait;
}

std::vector<FileTask> DirectoryWatcher::take_ready(SteadyClock::time_point now) {
  if (!directory_present()) return {};
  auto listing = list_visible_files(
      directory_,
      [this](const std::string& path) {
        if (warned_.insert(path).second) warn_(path + ": not a regular file, ignored");
      },
      [this](const std::string& path, const std::string& reason) {
        if (warned_.insert(path).second)
          warn_(path + ": a symlink to nothing (" + reason + "), ignored until its target exists");
      });
  if (!listing) {
    // Said once per distinct error, not on every trigger while the directory stays unreadable.
    if (listing.error() != listing_error_) warn_(listing.error());
    listing_error_ = listing.error();
    return {};
  }
  listing_error_.clear();
  if (!unopenable_.empty()) {  // forget the reasons given for files no longer there
    std::set<std::string> listed_paths;
    for (const ListedFile& file : listing.value()) listed_paths.insert(file.path);
    std::erase_if(unopenable_, [&](const auto& entry) { return !listed_paths.count(entry.first); });
  }
  if (follower_)
    return follower_->plan(listing.value(), now, [this](const std::string& path) { return can_open(path); });
  std::set<std::string> listed;
  std::vector<FileTask> ready;  // the listing is oldest first, and so is this
  std::vector<int64_t> ready_mtimes;
  // A file that was there when watching began waits out the quiet period; one moved in just after is
  // ready at once. Taken first, the newer one would reorder the stream (and with an event-time
  // watermark, make the older file's lines late): so no file newer than a waiting one from the start
  // is taken before it.
  int64_t oldest_waiting_from_start = INT64_MAX;
  for (const ListedFile& file : listing.value()) {
    if (seen_.count(file.name)) continue;
    listed.insert(file.name);
    auto [it, inserted] = candidates_.try_emplace(file.name);
    Candidate& c = it->second;
    const bool changed = file.size != c.size || file.mtime_ns != c.mtime_ns;
    if (inserted) {
      c.last_change = now;
      c.present_at_start = first_listing_;
    } else if (c.close_unrecorded) {
      c.close_unrecorded = false;  // the writes the close event ended: not a new change
    } else if (changed) {
      c.last_change = now;
      c.closed = false;
      c.present_at_start = false;  // it has a writer after all: wait for its last line like any other
    }
    c.size = file.size;
    c.mtime_ns = file.mtime_ns;
    // One that cannot be opened is left for a later listing (an event or a rescan): no empty batch for it.
    const std::optional<bool> ends_with_newline = ends_with_terminator(file.path, file.size);
    c.unreadable = !ends_with_newline;
    if (c.unreadable) continue;
    c.wait = wait_needed(c, *ends_with_newline);
    if (now - c.last_change >= c.wait) {
      ready.push_back(whole_file_task(file.path, file.size));
      ready_mtimes.push_back(file.mtime_ns);
    } else if (c.present_at_start) {
      oldest_waiting_from_start = std::min(oldest_waiting_from_start, file.mtime_ns);
    }
  }
  first_listing_ = false;
  if (oldest_waiting_from_start != INT64_MAX) {
    std::vector<FileTask> in_order;
    for (size_t i = 0; i < ready.size(); ++i) {
      if (ready_mtimes[i] < oldest_waiting_from_start) in_order.push_back(std::move(ready[i]));
    }
    ready = std::move(in_order);  // the others stay candidates, taken with or after it
  }
  // Forget candidates that disappeared without an event (events lost, or inotify off).
  for (auto it = candidates_.begin(); it != candidates_.end();) {
    it = listed.count(it->first) ? std::next(it) : candidates_.erase(it);
  }
  for (const FileTask& task : ready) {
    const std::string name = task.path.substr(directory_.size() + 1);
    candidates_.erase(name);
    seen_.insert(name);
  }
  return ready;
}

SteadyClock::time_point DirectoryWatcher::next_deadline(SteadyClock::time_point now) const {
  SteadyClock::time_point deadline = now + options_.rescan_interval;
  if (follower_) return std::max(follower_->next_due(deadline), now + std::chrono::milliseconds(1));
  for (const auto& [name, c] : candidates_) {
    if (c.unreadable) continue;  // looked at again on the next event or rescan
    // A change after the last listing comes with an event, which wakes the trigger loop anyway.
    deadline = std::min(deadline, std::max(c.last_change + c.wait, now + std::chrono::milliseconds(1)));
  }
  return deadline;
}

}  // namespace logstream
