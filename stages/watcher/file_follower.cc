#include "stages/watcher/file_follower.h"

#include <algorithm>
#include <set>

namespace logstream {
namespace {

// Enough to recognise the compressed copies logrotate makes of the last few rotations.
constexpr size_t kRetiredKept = 64;

}  // namespace

std::vector<FileTask> FileFollower::plan(const std::vector<ListedFile>& listing, Clock::time_point now) {
  // Forget files no longer listed first, so that a compressed copy planned below can be matched to them.
  // readdir() during a rename may return the file under neither name, so one listing without a file is
  // not enough: it must be missing from two listings at least the quiet period apart.
  std::set<Key> listed;
  for (const ListedFile& file : listing) listed.insert({file.device, file.inode});
  for (auto it = files_.begin(); it != files_.end();) {
    Followed& f = it->second;
    if (listed.count(it->first)) {
      f.missing_listings = 0;
      ++it;
      continue;
    }
    if (f.missing_listings++ == 0) f.missing_since = now;
    if (f.missing_listings < 2 || now - f.missing_since < quiet_period_) {
      ++it;
      continue;
    }
    if (!f.compressed && f.identity_read) {
      retired_.push_back(f.counted);
      if (retired_.size() > kRetiredKept) retired_.pop_front();
    }
    it = files_.erase(it);
  }
  std::vector<FileTask> tasks;
  std::set<Key> planned;
  for (const ListedFile& file : listing) {
    const Key key{file.device, file.inode};
    // A file renamed while the directory was being read can be listed under both names: read it once.
    if (!planned.insert(key).second) continue;
    auto [it, is_new] = files_.try_emplace(key);
    Followed& f = it->second;
    f.counted.path = file.path;
    if (is_new) {
      f.counted.identity.device = file.device;
      f.counted.identity.inode = file.inode;
      f.compressed = is_compressed_name(file.name);
      f.last_change = now;
    }
    // A file restored from a checkpoint has no size or time to compare with until its first listing.
    const bool changed_in_place =
        f.listed_before && (file.size != f.last_size || file.mtime_ns != f.last_mtime_ns);
    if (changed_in_place) f.last_change = now;
    f.listed_before = true;
    f.last_size = file.size;
    f.last_mtime_ns = file.mtime_ns;

    if (f.compressed) {
      // A compressed file cannot be read in parts: once, whole, when it has stopped changing.
      if (f.compressed_done || now - f.last_change < quiet_period_) continue;
      FileTask task{file.path, UINT64_MAX, 0, std::nullopt, true, true, {}};
      task.compressed_copy_of.assign(retired_.begin(), retired_.end());
      for (const auto& [other_key, other] : files_) {
        if (!other.compressed && other.identity_read) task.compressed_copy_of.push_back(other.counted);
      }
      f.compressed_done = true;
      task.must_be_listed_file = true;
      task.listed_device = file.device;
      task.listed_inode = file.inode;
      tasks.push_back(std::move(task));
      continue;
    }
    if (file.size < f.counted.offset) {
      warn_(file.path + ": shrank from " + std::to_string(f.counted.offset) + " to " +
            std::to_string(file.size) +
            " bytes (truncated in place, as copytruncate does): counting it again from the start");
      f.counted.offset = 0;
      f.identity_read = false;
      f.tail_waiting = false;
    }
    if (file.size == f.counted.offset && !(changed_in_place && f.identity_read && f.counted.offset > 0))
      continue;
    // Same size but rewritten (truncated and refilled to the old size): the read checks the first bytes
    // against the fingerprint and starts over from 0 when they differ.
    FileTask task{file.path, file.size, f.counted.offset, std::nullopt, false, false, {}};
    if (f.identity_read && f.counted.offset > 0) task.expected_identity = f.counted.identity;
    if (f.tail_waiting && file.size == f.planned_size) {
      // Nothing new but an unfinished last line: it counts once the file has been left alone long enough.
      if (now - f.tail_since < partial_line_wait_) continue;
      task.count_unfinished_tail = true;
    }
    f.planned_size = file.size;
    task.must_be_listed_file = true;
    task.listed_device = file.device;
    task.listed_inode = file.inode;
    tasks.push_back(std::move(task));
  }
  return tasks;
}

void FileFollower::record(const std::vector<CountedFile>& counted, Clock::time_point now) {
  for (const CountedFile& c : counted) {
    auto it = files_.find(Key{c.identity.device, c.identity.inode});
    if (it == files_.end()) continue;  // gone while it was read
    Followed& f = it->second;
    if (f.compressed) continue;
    f.counted.identity = c.identity;
    f.counted.offset = c.offset;
    f.identity_read = true;
    f.tail_waiting = c.offset < f.planned_size;
    // The unfinished line must stay unchanged for the partial-line wait: count from the file's last change.
    if (f.tail_waiting) f.tail_since = std::min(f.last_change, now);
  }
}

std::vector<CountedFile> FileFollower::snapshot() const {
  std::vector<CountedFile> files;
  for (const auto& [key, f] : files_) {
    if (f.compressed) {
      // Read whole or not at all: the offset tells which.
      if (f.compressed_done) files.push_back({f.counted.path, f.counted.identity, UINT64_MAX});
      continue;
    }
    if (f.identity_read) files.push_back(f.counted);
  }
  return files;
}

void FileFollower::restore(const std::vector<CountedFile>& files) {
  for (const CountedFile& c : files) {
    Followed& f = files_[Key{c.identity.device, c.identity.inode}];
    f.counted = c;
    f.identity_read = true;
    f.compressed = c.offset == UINT64_MAX;
    f.compressed_done = f.compressed;
    f.planned_size = c.offset;
  }
}

FileFollower::Clock::time_point FileFollower::next_due(Clock::time_point otherwise) const {
  Clock::time_point due = otherwise;
  for (const auto& [key, f] : files_) {
    if (f.tail_waiting) due = std::min(due, f.tail_since + partial_line_wait_);
    if (f.compressed && !f.compressed_done) due = std::min(due, f.last_change + quiet_period_);
  }
  return due;
}

}  // namespace logstream
