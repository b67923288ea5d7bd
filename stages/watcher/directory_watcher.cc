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

constexpr uint32_t kWatchMask =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM;

}  // namespace

Expected<DirectoryWatcher> DirectoryWatcher::create(std::string directory, WatchOptions options,
                                                    WarningHandler warn) {
  struct stat st {};
  if (::stat(directory.c_str(), &st) != 0) return Error{directory + ": " + std::strerror(errno)};
  if (!S_ISDIR(st.st_mode)) return Error{directory + ": not a directory"};
  DirectoryWatcher watcher(std::move(directory), options, std::move(warn));
  if (options.follow)
    watcher.follower_.emplace(options.quiet_period, options.partial_line_wait, watcher.warn_);
  if (options.use_inotify) {
    watcher.inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (watcher.inotify_fd_ < 0 ||
        inotify_add_watch(watcher.inotify_fd_, watcher.directory_.c_str(), kWatchMask) < 0) {
      watcher.warn_(watcher.directory_ + ": inotify unavailable (" + std::strerror(errno) +
                    "), falling back to rescans every " + std::to_string(options.rescan_interval.count()) +
                    " ms");
      if (watcher.inotify_fd_ >= 0) ::close(watcher.inotify_fd_);
      watcher.inotify_fd_ = -1;
    }
  }
  return watcher;
}

DirectoryWatcher::DirectoryWatcher(DirectoryWatcher&& other) noexcept
    : directory_(std::move(other.directory_)),
      options_(other.options_),
      warn_(std::move(other.warn_)),
      inotify_fd_(std::exchange(other.inotify_fd_, -1)),
      first_listing_(other.first_listing_),
      candidates_(std::move(other.candidates_)),
      seen_(std::move(other.seen_)),
      warned_(std::move(other.warned_)),
      listing_error_(std::move(other.listing_error_)),
      follower_(std::move(other.follower_)) {}

DirectoryWatcher::~DirectoryWatcher() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

void DirectoryWatcher::note_event(const std::string& name, uint32_t mask, SteadyClock::time_point now) {
  if (is_hidden_name(name) || seen_.count(name)) return;
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
      if (event->len > 0) note_event(event->name, event->mask, now);
      at += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
    }
  }
}

bool DirectoryWatcher::ends_with_terminator(const std::string& path, uint64_t size) const {
  if (size == 0) return false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return false;
  char last = 0;
  const bool ok = ::pread(fd, &last, 1, static_cast<off_t>(size - 1)) == 1;
  ::close(fd);
  return ok && (last == '\n' || last == '\r');
}

SteadyClock::duration DirectoryWatcher::wait_needed(const Candidate& c, bool ends_with_newline) const {
  if (c.closed && ends_with_newline) return SteadyClock::duration::zero();
  if (c.closed || ends_with_newline || c.present_at_start) return options_.quiet_period;
  return options_.partial_line_wait;
}

std::vector<FileTask> DirectoryWatcher::take_ready(SteadyClock::time_point now) {
  auto listing = list_visible_files(directory_, [this](const std::string& path) {
    if (warned_.insert(path).second) warn_(path + ": not a regular file, ignored");
  });
  if (!listing) {
    // Said once per distinct error, not on every trigger while the directory stays unreadable.
    if (listing.error() != listing_error_) warn_(listing.error());
    listing_error_ = listing.error();
    return {};
  }
  listing_error_.clear();
  if (follower_) return follower_->plan(listing.value(), now);
  std::set<std::string> listed;
  std::vector<FileTask> ready;  // the listing is oldest first, and so is this
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
    c.wait = wait_needed(c, ends_with_terminator(file.path, file.size));
    if (now - c.last_change >= c.wait) ready.push_back(whole_file_task(file.path, file.size));
  }
  first_listing_ = false;
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
    // A change after the last listing comes with an event, which wakes the trigger loop anyway.
    deadline = std::min(deadline, std::max(c.last_change + c.wait, now + std::chrono::milliseconds(1)));
  }
  return deadline;
}

}  // namespace logstream
