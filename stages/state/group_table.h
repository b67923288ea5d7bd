// The groups of an aggregation and their aggregate states: what a parser thread fills for its chunk (a
// partial), what the merge stage folds partials into, and what the state store keeps since the start
// (complete mode). Keys are typed values; each group's states live in one block of an arena laid out
// once for the query's aggregate functions (aggregates.h), so adding a row to a known group allocates
// nothing. Groups keep their insertion order; the result's row order is the sink's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/value.h"
#include "stages/query/aggregates.h"

namespace logstream {

class GroupTable {
 public:
  // `functions` outlive the table (the plan owns them).
  explicit GroupTable(std::vector<const AggregateFunction*> functions);
  ~GroupTable();
  GroupTable(GroupTable&&) noexcept;
  GroupTable& operator=(GroupTable&&) noexcept;
  GroupTable(const GroupTable&) = delete;
  GroupTable& operator=(const GroupTable&) = delete;

  // The group of `keys`, created (with fresh states) when new; the index is stable for the table's life.
  size_t find_or_insert(const std::vector<Value>& keys);
  // The same for keys already encoded with encode_key, one after another (the engine's hot path: no
  // Value is built for a key that is a column).
  size_t find_or_insert_encoded(std::string_view encoded);
  static void encode_key(const Value& key, std::string& out);
  // find_or_insert_encoded for up to kProbeBatch keys at once, in order (the groups it creates are
  // numbered as one call per key would number them), into groups[0, keys.size()). In a table of a million
  // groups nearly every probe misses the cache two or three times (its slot, the group's key offset, the
  // key): the batch fetches each of those for all its keys before it compares any, so the misses overlap.
  static constexpr size_t kProbeBatch = 32;
  void find_or_insert_batch(std::span<const std::string_view> keys, size_t* groups);
  // The state of aggregate `aggregate` in group `group`, for AggregateFunction::add_*.
  char* state(size_t group, size_t aggregate) noexcept { return row(group) + offsets_[aggregate]; }
  const char* state(size_t group, size_t aggregate) const noexcept {
    return const_cast<GroupTable*>(this)->row(group) + offsets_[aggregate];
  }

  // Folds every group of `other` (same functions) into this table: its keys found or inserted, its
  // states merged. Marks the groups it touched as updated.
  void merge_from(const GroupTable& other);
  // merge_from, then other.clear(); when this table is empty, the two are swapped instead (a batch's first
  // partial, `run`'s one batch: nothing is copied).
  void absorb(GroupTable& other);
  // The same for a table about to be destroyed: not cleared first (clearing zero-fills its index).
  void absorb(GroupTable&& other);
  // Room for `groups` groups without a growth of the index.
  void reserve(size_t groups);
  // Drops every group (a partial table is reused for the next chunk).
  void clear();
  // Moves the groups `take` picks (a watermark's finished windows) into a table of their own, returned;
  // the others stay, in their order and with their updated marks (so indices change). States move
  // through their own encoding (serialize/deserialize), so that they stay exactly what they were. One
  // pass over the table.
  GroupTable split_off(const std::function<bool(size_t group)>& take);

  size_t size() const noexcept { return key_starts_.size(); }
  std::vector<Value> keys(size_t group) const;
  // The same as views into the table's key arena (valid until the table changes), into `out`.
  void key_views(size_t group, std::vector<ValueView>& out) const;
  // Asks the CPU to fetch a group's keys and states before they are read. The result reads groups in
  // Spark's partition order, not the table's, so without it every group costs a cache miss or two in a
  // table of a million groups; callers prefetch a few groups ahead of the one they read.
  void prefetch(size_t group) const noexcept {
    __builtin_prefetch(key_data(key_starts_[group]));
    __builtin_prefetch(const_cast<GroupTable*>(this)->row(group));
  }
  // Asks for where the group's keys start in the arena, which prefetch() reads: called a few groups
  // further ahead than prefetch(), so that the offset is there when prefetch() needs it.
  void prefetch_offset(size_t group) const noexcept { __builtin_prefetch(key_starts_.data() + group); }
  // The group's keys followed by its finalized aggregates: one row of the result.
  std::vector<Value> result_row(size_t group) const;
  // The same into `row`, whose values' buffers are reused.
  void result_row(size_t group, std::vector<Value>& row) const;
  // Groups that merge_from created or changed since the last call (update mode), in insertion order.
  std::vector<size_t> take_updated();
  // The same, counted only.
  size_t take_updated_count();
  // Bytes held: keys (strings included), state blocks and what the states allocated themselves. For a
  // count by one string column, about 37 bytes a group plus its key's encoding (bench/RESULTS.md).
  size_t memory_bytes() const noexcept;

  // The whole table as bytes, and back: keys and every state's own encoding (aggregates.h), with lengths
  // checked, for the checkpoint. deserialize replaces the content or, on error, leaves the table empty.
  void serialize(std::string& out) const;
  bool deserialize(std::string_view in, std::string& why);

 private:
  char* row(size_t group) noexcept {
    return blocks_[group / rows_per_block_].get() + (group % rows_per_block_) * row_size_;
  }
  // absorb() but for clearing `other`: its groups taken whole when this table is empty, else merged.
  void take_or_merge(GroupTable& other);
  void destroy_states() noexcept;  // the aggregates' own destruction, nothing else
  void destroy_all() noexcept;     // that, and every group dropped, the index emptied for reuse
  // Keys live in blocks of kKeyBlockBytes that never move (a key longer than that has a block of its own),
  // so that a table of a million groups never holds its keys twice while it copies them into a larger
  // buffer, as one growing string did at each doubling. A key's place is 32 bits: its block's number
  // times kKeyBlockBytes plus its offset in the block.
  static constexpr unsigned kKeyBlockBits = 16;
  static constexpr size_t kKeyBlockBytes = size_t{1} << kKeyBlockBits;
  const char* key_data(uint32_t place) const noexcept {
    return key_blocks_[place >> kKeyBlockBits].bytes.get() + (place & (kKeyBlockBytes - 1));
  }
  std::string_view encoded(size_t group) const noexcept {
    const uint32_t start = key_starts_[group];
    const size_t block = start >> kKeyBlockBits;
    // A key ends where the next begins when that one is in the same block, else where its block's bytes do.
    const uint64_t end = group + 1 < key_starts_.size() && key_starts_[group + 1] >> kKeyBlockBits == block
                             ? key_starts_[group + 1]
                             : (uint64_t{block} << kKeyBlockBits) + key_blocks_[block].used;
    return std::string_view(key_data(start), end - start);
  }
  // Copies a group's encoded keys into the blocks; returns their place.
  uint32_t store_key(std::string_view encoded);
  size_t insert_new(std::string_view encoded, uint64_t hash, size_t slot);
  void grow_index();
  // The first empty slot on `hash`'s probe path (the index has one: it is at most half full).
  size_t free_slot(uint64_t hash) const noexcept;
  size_t find_or_insert_with_hash(std::string_view encoded, uint64_t hash);
  // The group's keys as values into row[0, k), reusing what row holds; returns k (row may be longer).
  size_t assign_keys(size_t group, std::vector<Value>& row) const;

  std::vector<const AggregateFunction*> functions_;
  std::vector<size_t> offsets_;  // of each aggregate's state inside a row
  size_t row_size_ = 0;
  size_t row_align_ = 1;
  size_t rows_per_block_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;  // fixed-size blocks: a row's address never moves
  struct KeyBlock {
    std::unique_ptr<char[]> bytes;
    size_t used = 0;
    size_t capacity = 0;  // kKeyBlockBytes, or a longer key's length
  };
  std::vector<KeyBlock> key_blocks_;
  size_t key_block_ = SIZE_MAX;       // the block new keys go into
  std::vector<uint32_t> key_starts_;  // the place of each group's keys (key_data)
  // The index's entries hold the high half of each group's hash; the whole hash is computed again from
  // the keys where it is needed (growing the index, a merge), which is cheaper than keeping eight bytes
  // a group for it.
  std::vector<uint64_t> slots_;  // open addressing: hash >> 32 << 32 | group + 1; 0 is empty
  std::vector<uint8_t> updated_;
  std::string scratch_;           // find_or_insert's encoding
  size_t last_found_ = SIZE_MAX;  // the group find_or_insert_encoded returned last (checked by its bytes)
};

}  // namespace logstream
