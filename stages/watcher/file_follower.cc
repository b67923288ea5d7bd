#include "stages/watcher/file_follower.h"

#include <algorithm>

namespace logstream {
namespace {

// Enough to recognise the copies logrotate makes of the last few rotations.
constexpr size_t kEarlierKept = 64;

}  // namespace

void FileFollower::remember_earlier(const CountedFile& counted) {
  if (counted.identity.fingerprint_length == 0 || counted.offset == 0) return;  // nothing to recognise
  earlier_.push_back(counted);
  if (earlier_.size() > kEarlierKept) earlier_.pop_front();
}

// What a file read from its start may be a copy of: earlier states of plain files, and the plain files
// followed now whose first kFingerprintBytes are known (their offsets after this batch's reads of them
// are not known yet: `reading`).
std::shared_ptr<const std::vector<PossibleOriginal>> FileFollower::possible_originals(
    const std::set<Key>& reading) const {
  auto originals = std::make_shared<std::vector<PossibleOriginal>>();
  for (const CountedFile& earlier : earlier_) originals->push_back({earlier});
  // A file followed now whose counted part is shorter than a whole fingerprint is a copy's original only
  // when the copy also has its size (see PossibleOriginal): two live logs often start alike (a lone empty
  // line). A truncated or deleted file (earlier_) has the truncation as its evidence.
  for (const auto& [key, f] : files_) {
    if (f.compressed || !f.identity_read) continue;
    const bool short_start = f.counted.identity.fingerprint_length < kFingerprintBytes;
    originals->push_back({f.counted, reading.count(key) > 0, short_start ? f.last_size : UINT64_MAX});
  }
  return originals;
}

std::vector<FileTask> FileFollower::plan(const std::vector<ListedFile>& listing, Clock::time_point now,
                                         const CanOpen& can_open) {
  auto may_open = [&](const std::string& path) { return !can_open || can_open(path); };
  // Forget files no longer listed first, so that a copy planned below can be matched to them.
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
    if (!f.compressed && f.identity_read) remember_earlier(f.counted);
    it = files_.erase(it);
  }
  std::vector<FileTask> tasks;
  std::vector<Key> task_keys;  // whose file each task reads
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
    }
    // A file first listed now (new, or restored from a checkpoint) has changed as far as anyone knows:
    // the waits for an unfinished line and a compressed file run from here. Left at the clock's zero, a
    // restored file's unfinished line looked as if it had waited for ever and was counted at once, cut.
    if (!f.listed_before) f.last_change = now;
    // A file restored from a checkpoint has no size or time to compare with until its first listing.
    const bool changed_in_place =
        f.listed_before && (file.size != f.last_size || file.mtime_ns != f.last_mtime_ns);
    if (changed_in_place) f.last_change = now;
    f.listed_before = true;
    f.last_size = file.size;
    f.last_mtime_ns = file.mtime_ns;
    // A read that recorded nothing (a copy not complete yet, a file gone at open) is not repeated until
    // the file changes, unless it was held back only for its original's read in the same batch.
    const bool retry = f.read_unrecorded && f.judge_again;
    if (f.read_unrecorded && !retry && !changed_in_place) continue;

    FileTask task;
    task.path = file.path;
    task.must_be_listed_file = true;
    task.listed_device = file.device;
    task.listed_inode = file.inode;
    if (f.compressed) {
      // A compressed file cannot be read in parts: once, whole, when it has stopped changing.
      if ((f.compressed_done && !retry) || now - f.last_change < quiet_period_) continue;
      if (!may_open(file.path)) continue;
      task.decompress = true;
      f.compressed_done = true;
      tasks.push_back(std::move(task));
      task_keys.push_back(key);
      continue;
    }
    if (file.size < f.counted.offset) {
      warn_(file.path + ": shrank from " + std::to_string(f.counted.offset) + " to " +
            std::to_string(file.size) +
            " bytes (truncated in place, as copytruncate does): counting it again from the start");
      if (f.identity_read) remember_earlier(f.counted);  // its copy may turn up (copytruncate)
      f.counted.offset = 0;
      f.identity_read = false;
      f.tail_waiting = false;
    }
    if (file.size == f.counted.offset && !(changed_in_place && f.identity_read && f.counted.offset > 0))
      continue;
    // Same size but rewritten (truncated and refilled to the old size): the read checks the first bytes
    // against the fingerprint and starts over from 0 when they differ.
    task.size_limit = file.size;
    task.start_offset = f.counted.offset;
    task.count_unfinished_tail = false;
    if (f.identity_read && f.counted.offset > 0) task.expected_identity = f.counted.identity;
    if (f.tail_waiting && file.size == f.planned_size) {
      // Nothing new but an unfinished last line: it counts once the file has been left alone long enough.
      if (now - f.tail_since < partial_line_wait_) continue;
      task.count_unfinished_tail = true;
    }
    if (!may_open(file.path)) continue;
    f.planned_size = file.size;
    tasks.push_back(std::move(task));
    task_keys.push_back(key);
  }
  // Only now is it known which followed files this batch reads: a copy of one of them waits for that read.
  const std::set<Key> reading(task_keys.begin(), task_keys.end());
  std::shared_ptr<const std::vector<PossibleOriginal>> originals;  // built for the first new file
  bool any_original_read = false;
  for (size_t i = 0; i < tasks.size(); ++i) {
    Followed& f = files_.at(task_keys[i]);
    f.read_unrecorded = true;
    f.judge_again = false;
    if (f.identity_read || tasks[i].start_offset != 0) continue;  // counted before: not a new copy
    if (!originals) {
      originals = possible_originals(reading);
      any_original_read = std::any_of(originals->begin(), originals->end(),
                                      [](const PossibleOriginal& p) { return p.read_in_this_batch; });
    }
    tasks[i].possible_originals = originals;
    f.judge_again = any_original_read;
  }
  return tasks;
}

void FileFollower::record(const std::vector<CountedFile>& counted, Clock::time_point now) {
  for (const CountedFile& c : counted) {
    auto it = files_.find(Key{c.identity.device, c.identity.inode});
    if (it == files_.end()) continue;  // gone while it was read
    Followed& f = it->second;
    f.read_unrecorded = false;
    f.judge_again = false;
    if (f.compressed) continue;
    if (f.identity_read) {
      // The read started over from 0 (the first bytes changed: rewritten in place, or truncated just
      // before it): what was counted of the old content stays recognisable in a copy of it. A file's
      // fingerprint only ever covers more bytes as it grows, never fewer or other ones.
      const FileIdentity& before = f.counted.identity;
      const bool started_over = c.offset < f.counted.offset ||
                                c.identity.fingerprint_length < before.fingerprint_length ||
                                (c.identity.fingerprint_length == before.fingerprint_length &&
                                 c.identity.fingerprint != before.fingerprint);
      if (started_over) remember_earlier(f.counted);
    }
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
      if (f.compressed_done)
        files.push_back({f.counted.path, f.counted.identity, UINT64_MAX, f.counted.modified_ns});
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
