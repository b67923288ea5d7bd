// The checkpoint file: what is written is read back exactly, and anything damaged or foreign is refused
// with the file, line and reason, never taken as a fresh start.
#include "stages/checkpoint/checkpoint.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace logstream {
namespace {

namespace fs = std::filesystem;

CheckpointState sample_state() {
  CheckpointState state;
  state.query = "groupBy(status).count() --format combined";
  state.next_batch_id = 7;
  state.query_id = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
  state.totals.lines_read = 110;
  state.totals.bytes_read = 12345;
  state.totals.null_status = 0;
  state.totals.status[200] = 90;
  state.totals.status[404] = 10;
  state.totals.rejects[static_cast<size_t>(RejectReason::kBadTimestamp)] = 10;
  state.files.push_back({"/var/log/a b\n\x1b[31m.log",
                         {2049, 123456, 1024, 0xdeadbeefcafef00dULL},
                         12345,
                         int64_t{1764600000123456789}});
  state.files.push_back({"/var/log/empty",
                         {2049, 99, 0, 0xcbf29ce484222325ULL},
                         0,
                         std::nullopt});  // as written before ages were kept
  state.alerts.push_back({"errors: rate(status >= 500) > 0.05 for 2 batches", 1, 1, true, 0.0625});
  state.alerts.push_back({"admin: count(endpoint ~ \"^/a\\d\") over 5m > 1", 2, 7, true, 1e-300});
  state.alerts.push_back({"new: count(5xx) > 1", 0, 0, false, 0});
  state.alert_latest_time = 1'740'000'000'000'000;
  state.alerts[1].first_minute = -180'000'000;
  state.alerts[1].counts_from = -120'000'000;
  state.alert_panes = {{-180'000'000, 4, {0, 2, 0}}, {1'740'000'000'000'000, 9, {1, 0, 3}}};
  return state;
}

void expect_same(const CheckpointState& a, const CheckpointState& b) {
  EXPECT_EQ(a.query, b.query);
  EXPECT_EQ(a.next_batch_id, b.next_batch_id);
  EXPECT_EQ(a.query_id, b.query_id);
  EXPECT_EQ(a.totals.lines_read, b.totals.lines_read);
  EXPECT_EQ(a.totals.bytes_read, b.totals.bytes_read);
  EXPECT_EQ(a.totals.null_status, b.totals.null_status);
  EXPECT_EQ(a.totals.status, b.totals.status);
  EXPECT_EQ(a.totals.rejects, b.totals.rejects);
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    EXPECT_TRUE(a.files[i].identity.same_file(b.files[i].identity));
    EXPECT_EQ(a.files[i].offset, b.files[i].offset);
    EXPECT_EQ(a.files[i].modified_ns, b.files[i].modified_ns);
  }
  ASSERT_EQ(a.alerts.size(), b.alerts.size());
  for (size_t i = 0; i < a.alerts.size(); ++i) {
    EXPECT_EQ(a.alerts[i].rule_text, b.alerts[i].rule_text);
    EXPECT_EQ(a.alerts[i].state, b.alerts[i].state);
    EXPECT_EQ(a.alerts[i].streak, b.alerts[i].streak);
    EXPECT_EQ(a.alerts[i].evaluated, b.alerts[i].evaluated);
    EXPECT_EQ(a.alerts[i].value, b.alerts[i].value) << "the value's bits are kept exactly";
    EXPECT_EQ(a.alerts[i].first_minute, b.alerts[i].first_minute);
    EXPECT_EQ(a.alerts[i].counts_from, b.alerts[i].counts_from);
  }
  EXPECT_EQ(a.alert_latest_time, b.alert_latest_time);
  ASSERT_EQ(a.alert_panes.size(), b.alert_panes.size());
  for (size_t i = 0; i < a.alert_panes.size(); ++i) {
    EXPECT_EQ(a.alert_panes[i].minute, b.alert_panes[i].minute);
    EXPECT_EQ(a.alert_panes[i].lines, b.alert_panes[i].lines);
    EXPECT_EQ(a.alert_panes[i].counts, b.alert_panes[i].counts);
  }
}

TEST(Checkpoint, WhatIsWrittenIsReadBackExactlyEvenWithHostilePaths) {
  const CheckpointState state = sample_state();
  const std::string text = serialize_checkpoint(state);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  auto parsed = parse_checkpoint(text, "cp");
  ASSERT_TRUE(parsed) << parsed.error();
  expect_same(state, parsed.value());
}

TEST(Checkpoint, EveryTruncationIsRefused) {
  const std::string text = serialize_checkpoint(sample_state());
  for (size_t length = 0; length < text.size(); ++length) {
    EXPECT_FALSE(parse_checkpoint(text.substr(0, length), "cp")) << "accepted a cut at " << length;
  }
}

TEST(Checkpoint, EveryFlippedByteIsRefused) {
  const std::string text = serialize_checkpoint(sample_state());
  for (size_t at = 0; at < text.size(); ++at) {
    std::string damaged = text;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    EXPECT_FALSE(parse_checkpoint(damaged, "cp")) << "accepted a flip at " << at;
  }
}

TEST(Checkpoint, ErrorsNameTheFileLineAndReason) {
  std::string text = serialize_checkpoint(sample_state());
  text[text.find("status 200") + 8] = '1';
  auto parsed = parse_checkpoint(text, "dir/checkpoint");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find("dir/checkpoint: line "), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("checksum"), std::string::npos) << parsed.error();

  auto foreign = parse_checkpoint("{\"offsets\": []}\n", "dir/checkpoint");
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().find("not a logstream checkpoint"), std::string::npos) << foreign.error();
}

TEST(Checkpoint, AlertMemoryOutOfRangeOrOrderIsRefused) {
  const std::string good = serialize_checkpoint(sample_state());
  auto refuse = [&](CheckpointState state, const std::string& reason) {
    auto parsed = parse_checkpoint(serialize_checkpoint(state), "cp");
    ASSERT_FALSE(parsed) << reason;
    EXPECT_NE(parsed.error().find(reason), std::string::npos) << parsed.error();
  };
  CheckpointState bad_state = sample_state();
  bad_state.alerts[0].state = 3;
  refuse(bad_state, "malformed alert entry");
  CheckpointState unordered = sample_state();
  std::swap(unordered.alert_panes[0], unordered.alert_panes[1]);
  refuse(unordered, "alert panes out of order");
  ASSERT_TRUE(parse_checkpoint(good, "cp"));
}

TEST(Checkpoint, CountsThatDoNotAddUpAreRefusedEvenWithAGoodChecksum) {
  CheckpointState state = sample_state();
  state.totals.status[200] = 91;  // one more accepted line than lines read minus rejects
  auto parsed = parse_checkpoint(serialize_checkpoint(state), "cp");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find("do not add up"), std::string::npos) << parsed.error();
}

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("logstream-ckpt-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// A snapshot's changes: every file of `state`, and no groups.
CheckpointChanges whole_files(const CheckpointState& state) {
  CheckpointChanges changes;
  changes.files = state.files;
  changes.files_whole = true;
  changes.groups_whole = true;
  return changes;
}

std::vector<std::string> segment_names(const fs::path& dir, std::string_view prefix) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(CheckpointStoreTest, ANewDirectoryHasNoStateThenHoldsTheLastCommit) {
  auto store = CheckpointStore::open(dir_.string());
  ASSERT_TRUE(store) << store.error();
  auto empty = store.value().load();
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_FALSE(empty.value().has_value());

  CheckpointState state = sample_state();
  EXPECT_TRUE(store.value().snapshot_due());
  ASSERT_TRUE(store.value().commit(state, whole_files(state)));
  state.next_batch_id = 8;
  EXPECT_FALSE(store.value().snapshot_due());
  ASSERT_TRUE(store.value().commit(state, {}));
  auto loaded = store.value().load();
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_TRUE(loaded.value().has_value());
  expect_same(state, *loaded.value());
  EXPECT_FALSE(fs::exists(dir_ / "checkpoint.tmp"));
}

TEST_F(CheckpointStoreTest, ASecondOwnerIsRefusedWhileTheFirstHoldsTheDirectory) {
  auto first = CheckpointStore::open(dir_.string());
  ASSERT_TRUE(first) << first.error();
  auto second = CheckpointStore::open(dir_.string());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
}

TEST_F(CheckpointStoreTest, AnEmptyOrGarbageFileIsAnErrorNotAFreshStart) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "checkpoint") << "";
  auto store = CheckpointStore::open(dir_.string());
  ASSERT_TRUE(store);
  EXPECT_FALSE(store.value().load());
  std::ofstream(dir_ / "checkpoint") << std::string(100, '\0');
  EXPECT_FALSE(store.value().load());
}

TEST_F(CheckpointStoreTest, GroupsAreASnapshotThenOneDeltaPerCommitAndOnlyTheChainStays) {
  auto store = CheckpointStore::open(dir_.string());
  ASSERT_TRUE(store) << store.error();
  CheckpointState state = sample_state();
  CheckpointChanges snapshot = whole_files(state);
  snapshot.groups = std::string(200000, 'a') + std::string(1, '\0') + "\n\xff";  // bytes, not text
  ASSERT_TRUE(store.value().commit(state, snapshot));
  ASSERT_EQ(segment_names(dir_, "groups-").size(), 1u);
  EXPECT_LT(fs::file_size(dir_ / "checkpoint"), 4096u) << "the groups are not inside the checkpoint text";
  std::vector<std::string> expected = {*snapshot.groups};
  // Deltas until a snapshot is due again: each commit adds one segment, in order.
  for (uint32_t i = 1; i < CheckpointStore::kSnapshotInterval; ++i) {
    ASSERT_FALSE(store.value().snapshot_due()) << i;
    CheckpointChanges delta;
    delta.groups = "partial of batch " + std::to_string(i);
    ASSERT_TRUE(store.value().commit(state, delta));
    expected.push_back(*delta.groups);
  }
  EXPECT_EQ(segment_names(dir_, "groups-").size(), CheckpointStore::kSnapshotInterval);
  auto loaded = store.value().load();
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded.value()->groups, expected);
  ASSERT_TRUE(store.value().snapshot_due()) << "a chain is at most kSnapshotInterval segments";

  // The next snapshot starts a new chain, and the old one's files go.
  CheckpointChanges next = whole_files(state);
  next.groups = "the state since the start";
  ASSERT_TRUE(store.value().commit(state, next));
  EXPECT_FALSE(store.value().snapshot_due());
  const std::vector<std::string> names = segment_names(dir_, "groups-");
  ASSERT_EQ(names.size(), 1u);
  loaded = store.value().load();
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded.value()->groups, std::vector<std::string>{*next.groups});

  // A segment that is not the one committed is corruption, not a fresh start.
  std::ofstream(dir_ / names[0], std::ios::binary | std::ios::trunc) << "other bytes";
  auto corrupt = store.value().load();
  ASSERT_FALSE(corrupt);
  EXPECT_NE(corrupt.error().find(names[0] + ": does not match"), std::string::npos) << corrupt.error();
  fs::remove(dir_ / names[0]);
  auto gone = store.value().load();
  ASSERT_FALSE(gone);
  EXPECT_NE(gone.error().find("cannot open"), std::string::npos) << gone.error();
}

TEST_F(CheckpointStoreTest, ACommitWritesWhatTheBatchCountedNotEveryFileCountedBefore) {
  auto store = CheckpointStore::open(dir_.string());
  ASSERT_TRUE(store) << store.error();
  CheckpointState state = sample_state();
  state.files.clear();
  for (uint64_t i = 0; i < 100000; ++i) {
    state.files.push_back(
        {"/var/log/app/access-" + std::to_string(i) + ".log", {2049, 1000 + i, 1024, i}, 4096, -1});
  }
  ASSERT_TRUE(store.value().commit(state, whole_files(state)));
  const uint64_t snapshot_bytes = fs::file_size(dir_ / segment_names(dir_, "files-")[0]);
  EXPECT_GT(snapshot_bytes, 100000u * 40);

  // One new file, and one counted further (a path named again replaces its entry).
  CheckpointChanges delta;
  delta.files.push_back({"/var/log/app/new.log", {2049, 7, 10, 0xabc}, 10, 5});
  delta.files.push_back({"/var/log/app/access-5.log", {2049, 1005, 1024, 5}, 8192, 6});
  const auto before = segment_names(dir_, "files-");
  ASSERT_TRUE(store.value().commit(state, delta));
  std::vector<std::string> added;
  for (const std::string& name : segment_names(dir_, "files-")) {
    if (std::find(before.begin(), before.end(), name) == before.end()) added.push_back(name);
  }
  ASSERT_EQ(added.size(), 1u);
  EXPECT_LT(fs::file_size(dir_ / added[0]), 256u) << "the delta holds only the batch's two files";
  EXPECT_LT(fs::file_size(dir_ / "checkpoint"), 4096u);

  auto loaded = store.value().load();
  ASSERT_TRUE(loaded) << loaded.error();
  const std::vector<CountedFile>& files = loaded.value()->files;
  ASSERT_EQ(files.size(), 100001u);
  EXPECT_EQ(files[5].offset, 8192u);
  EXPECT_EQ(files[6].offset, 4096u);
  EXPECT_EQ(files.back().path, "/var/log/app/new.log");
  EXPECT_FALSE(store.value().snapshot_due()) << "loading keeps the chain's place";
}

TEST_F(CheckpointStoreTest, ACheckpointOfTheEarlierLayoutLoadsAndIsRewrittenWholeOnTheNextCommit) {
  fs::create_directories(dir_);
  CheckpointState legacy = sample_state();  // `file` lines inline
  const std::string groups = "groups of an earlier version";
  legacy.groups_file = SegmentFile{groups.size(), fnv1a64(groups), ""};
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(groups)));
  legacy.groups_file->name = std::string("groups-") + hex + ".bin";
  std::ofstream(dir_ / legacy.groups_file->name, std::ios::binary) << groups;
  std::ofstream(dir_ / "checkpoint", std::ios::binary) << serialize_checkpoint(legacy);

  auto store = CheckpointStore::open(dir_.string());
  ASSERT_TRUE(store) << store.error();
  auto loaded = store.value().load();
  ASSERT_TRUE(loaded) << loaded.error();
  expect_same(legacy, *loaded.value());
  EXPECT_EQ(loaded.value()->groups, std::vector<std::string>{groups});
  EXPECT_TRUE(store.value().snapshot_due()) << "the inline files and the one groups file are rewritten";
  CheckpointChanges rewrite = whole_files(*loaded.value());
  rewrite.groups = groups;
  ASSERT_TRUE(store.value().commit(*loaded.value(), rewrite));
  std::ifstream in(dir_ / "checkpoint");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("\nfile "), std::string::npos) << text;
  EXPECT_EQ(text.find("groups-file"), std::string::npos) << text;
  auto again = store.value().load();
  ASSERT_TRUE(again) << again.error();
  expect_same(legacy, *again.value());
  EXPECT_EQ(again.value()->groups, std::vector<std::string>{groups});
}

// A crash (here: a failure) after the segments are written and before the checkpoint names them leaves
// the committed chain as it was; the orphans go with the next commit that succeeds.
TEST_F(CheckpointStoreTest, ACommitThatFailsBeforeItsCheckpointLeavesThePreviousChainLoadable) {
  auto store = CheckpointStore::open(dir_.string());
  ASSERT_TRUE(store) << store.error();
  CheckpointState state = sample_state();
  CheckpointChanges snapshot = whole_files(state);
  snapshot.groups = "the snapshot";
  ASSERT_TRUE(store.value().commit(state, snapshot));
  const std::vector<std::string> committed = segment_names(dir_, "");
  fs::create_directories(dir_ / "checkpoint.tmp");  // the checkpoint cannot be written
  CheckpointChanges delta;
  delta.files.push_back({"/var/log/new.log", {1, 2, 3, 4}, 5, 6});
  delta.groups = "a delta never committed";
  CheckpointState next = state;
  next.next_batch_id = 8;
  ASSERT_FALSE(store.value().commit(next, delta));
  auto loaded = store.value().load();
  ASSERT_TRUE(loaded) << loaded.error();
  expect_same(state, *loaded.value());
  EXPECT_EQ(loaded.value()->groups, std::vector<std::string>{"the snapshot"});
  EXPECT_GT(segment_names(dir_, "").size(), committed.size()) << "the delta's segments were written";

  fs::remove(dir_ / "checkpoint.tmp");
  std::ofstream(dir_ / "groups-00000000000000aa.bin.tmp") << "a segment cut off by a crash";
  ASSERT_TRUE(store.value().commit(next, {}));
  EXPECT_EQ(segment_names(dir_, ""), committed) << "orphans and cut-off segments are removed";
}

// The bytes an earlier version wrote (inline `file` lines, one groups file), as a literal.
TEST_F(CheckpointStoreTest, ACheckpointWrittenByTheEarlierVersionLoadsAsWritten) {
  fs::create_directories(dir_);
  const std::string groups = "groups of an earlier version";
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(groups)));
  const std::string name = std::string("groups-") + hex + ".bin";
  std::ofstream(dir_ / name, std::ios::binary) << groups;
  std::string text =
      "logstream-checkpoint 1\n"
      "query groupBy(status).count()\\x20--format\\x20combined\n"
      "next-batch 3\n"
      "lines 3 300 0 0 0 0 0 0 0 0 0\n"
      "status 200 3\n"
      "file 2049 77 1024 00000000deadbeef 300 /var/log/a.log\n"
      "groups-file " +
      std::to_string(groups.size()) + " " + hex + " " + name + "\n";
  char end[17];
  std::snprintf(end, sizeof end, "%016llx", static_cast<unsigned long long>(fnv1a64(text)));
  text += std::string("end ") + end + "\n";
  std::ofstream(dir_ / "checkpoint", std::ios::binary) << text;
  auto store = CheckpointStore::open(dir_.string());
  ASSERT_TRUE(store) << store.error();
  auto loaded = store.value().load();
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded.value()->query, "groupBy(status).count() --format combined");
  ASSERT_EQ(loaded.value()->files.size(), 1u);
  EXPECT_EQ(loaded.value()->files[0].path, "/var/log/a.log");
  EXPECT_EQ(loaded.value()->files[0].offset, 300u);
  EXPECT_FALSE(loaded.value()->files[0].modified_ns.has_value());
  EXPECT_EQ(loaded.value()->groups, std::vector<std::string>{groups});
  EXPECT_TRUE(store.value().snapshot_due());
}

TEST(Checkpoint, LinesOutOfTheirWrittenOrderAreRefused) {
  CheckpointState state = sample_state();
  state.file_segments = {SegmentFile{3, 0x1234, "files-0123456789abcdef.log"}};
  std::string text = serialize_checkpoint(state);
  // Move the files-segment line before the first alert line, and seal it again.
  const size_t segment = text.find("files-segment ");
  const std::string line = text.substr(segment, text.find('\n', segment) + 1 - segment);
  text.erase(segment, line.size());
  text.insert(text.find("alert "), line);
  text.erase(text.rfind("end "));
  char end[17];
  std::snprintf(end, sizeof end, "%016llx", static_cast<unsigned long long>(fnv1a64(text)));
  text += std::string("end ") + end + "\n";
  const auto parsed = parse_checkpoint(text, "ckpt");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find("'alert' line out of order"), std::string::npos) << parsed.error();
}

TEST(Checkpoint, AGroupsFileNameThatCouldLeadElsewhereIsRefused) {
  CheckpointState state = sample_state();
  state.groups_file = SegmentFile{3, 0x1234, "groups-0123456789abcdef.bin"};
  const std::string good = serialize_checkpoint(state);
  ASSERT_TRUE(parse_checkpoint(good, "ckpt")) << parse_checkpoint(good, "ckpt").error();
  EXPECT_EQ(serialize_checkpoint(parse_checkpoint(good, "ckpt").value()), good);
  for (const std::string name : {"../groups-0123456789abcdef.bin", "groups-0123456789abcdef.bin/x",
                                 "groups-0123456789ABCDEF.bin", "checkpoint"}) {
    state.groups_file->name = name;
    const auto parsed = parse_checkpoint(serialize_checkpoint(state), "ckpt");
    ASSERT_FALSE(parsed) << name;
    EXPECT_NE(parsed.error().find("malformed groups-file line"), std::string::npos) << parsed.error();
  }
}

TEST(Checkpoint, SegmentNamesThatCouldLeadElsewhereAreRefused) {
  CheckpointState state = sample_state();
  state.file_segments = {SegmentFile{3, 0x1234, "files-0123456789abcdef.log"}};
  state.group_segments = {SegmentFile{3, 0x1234, "groups-0123456789abcdef.bin"},
                          SegmentFile{4, 0x5678, "groups-00000000000000ff.bin"}};
  const std::string good = serialize_checkpoint(state);
  ASSERT_TRUE(parse_checkpoint(good, "ckpt")) << parse_checkpoint(good, "ckpt").error();
  EXPECT_EQ(serialize_checkpoint(parse_checkpoint(good, "ckpt").value()), good);
  for (const std::string name : {"../files-0123456789abcdef.log", "groups-0123456789abcdef.bin",
                                 "files-0123456789ABCDEF.log", "checkpoint"}) {
    CheckpointState bad = state;
    bad.file_segments[0].name = name;
    const auto parsed = parse_checkpoint(serialize_checkpoint(bad), "ckpt");
    ASSERT_FALSE(parsed) << name;
    EXPECT_NE(parsed.error().find("malformed files-segment line"), std::string::npos) << parsed.error();
  }
  CheckpointState bad = state;
  bad.group_segments[1].name = "files-0123456789abcdef.log";
  const auto parsed = parse_checkpoint(serialize_checkpoint(bad), "ckpt");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find("malformed groups-segment line"), std::string::npos) << parsed.error();
  CheckpointState too_long = state;
  too_long.group_segments.assign(CheckpointStore::kSnapshotInterval + 1, state.group_segments[0]);
  EXPECT_FALSE(parse_checkpoint(serialize_checkpoint(too_long), "ckpt")) << "a chain is never that long";
}

TEST_F(CheckpointStoreTest, IdentityTellsAReusedInodeFromTheOriginalByItsFirstBytes) {
  fs::create_directories(dir_);
  const std::string path = (dir_ / "a.log").string();
  std::ofstream(path) << "first line\nsecond line\n";
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  auto identity = identify_open_file(fd);
  ASSERT_TRUE(identity) << identity.error();
  EXPECT_EQ(identity.value().fingerprint_length, 23u);
  EXPECT_TRUE(still_same_file(fd, identity.value()));
  ::close(fd);

  // Same inode, other content: rewritten in place (what a reused inode looks like to us).
  std::ofstream(path, std::ios::trunc) << "other line!\nsecond line\n";
  fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_FALSE(still_same_file(fd, identity.value()));
  ::close(fd);
}

}  // namespace
}  // namespace logstream
