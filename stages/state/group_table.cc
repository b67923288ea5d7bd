#include "stages/state/group_table.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <utility>

#include "stages/core/invariant.h"
#include "stages/query/state_codec.h"

namespace logstream {
namespace {

constexpr size_t kBlockBytes = 64 * 1024;
constexpr uint32_t kMaxKeys = 64;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// A fast hash of the encoded keys, eight bytes at a time (the index needs spread, not cryptography).
uint64_t hash_bytes(std::string_view bytes) noexcept {
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
  auto mix = [&h](uint64_t word) {
    h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
  };
  const size_t size = n;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word = 0;
    std::memcpy(&word, p, 8);
    mix(word);
  }
  if (n > 0) {
    // The last eight bytes of a key of eight or more, overlapping the word before: a fixed-size load,
    // where a copy of n bytes is a loop (it was a sixth of a probe's time).
    uint64_t word = 0;
    if (size >= 8)
      std::memcpy(&word, p + n - 8, 8);
    else
      std::memcpy(&word, p, n);
    mix(word ^ 0xff);
  }
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 32);
}

// Whether two encoded keys are equal: eight bytes at a time, inline. Keys are short (a status, an
// endpoint, a minute), and the probes compare one for nearly every row, where a call into memcmp costs
// more than the compare.
bool same_bytes(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  size_t n = a.size();
  for (; n >= 8; p += 8, q += 8, n -= 8) {
    uint64_t x = 0, y = 0;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, q, 8);
    if (x != y) return false;
  }
  for (; n > 0; ++p, ++q, --n) {
    if (*p != *q) return false;
  }
  return true;
}

void put_payload(uint64_t v, std::string& out) {
  char bytes[8];
  std::memcpy(bytes, &v, 8);
  out.append(bytes, 8);
}

}  // namespace

// One key: a tag byte (type << 1 | null), then nothing for a null, u32 length + bytes for a string, or 8
// bytes (little-endian) for the rest.
void GroupTable::encode_key(const Value& key, std::string& out) {
  out.push_back(static_cast<char>(static_cast<uint8_t>(key.type) << 1 | (key.null ? 1 : 0)));
  if (key.null) return;
  switch (key.type) {
    case DataType::kString: {
      const auto length = static_cast<uint32_t>(key.text.size());
      char bytes[4];
      std::memcpy(bytes, &length, 4);
      out.append(bytes, 4);
      out.append(key.text);
      break;
    }
    case DataType::kDouble: {
      // Equal keys must encode alike: -0.0 as 0.0, every NaN as one (Value::operator==).
      const double d = std::isnan(key.real) ? std::nan("") : key.real == 0 ? 0.0 : key.real;
      put_payload(state_codec::bits_of(d), out);
      break;
    }
    case DataType::kWindow:
      put_payload(static_cast<uint64_t>(key.integer), out);
      put_payload(static_cast<uint64_t>(key.end), out);
      break;
    default:
      put_payload(static_cast<uint64_t>(key.integer), out);
  }
}

namespace {

// Calls on_key with each key of an encoding made by encode_key, in order, as a view into it.
template <typename OnKey>
void decode_keys(std::string_view in, OnKey&& on_key) {
  while (!in.empty()) {
    ValueView key;
    key.type = static_cast<DataType>(static_cast<uint8_t>(in[0]) >> 1);
    key.null = (in[0] & 1) != 0;
    in.remove_prefix(1);
    if (!key.null) {
      if (key.type == DataType::kString) {
        uint32_t length = 0;
        std::memcpy(&length, in.data(), 4);
        key.text = in.substr(4, length);
        in.remove_prefix(4 + length);
      } else {
        uint64_t payload = 0;
        std::memcpy(&payload, in.data(), 8);
        in.remove_prefix(8);
        if (key.type == DataType::kDouble)
          key.real = state_codec::double_of(payload);
        else
          key.integer = static_cast<int64_t>(payload);
        if (key.type == DataType::kWindow) {
          std::memcpy(&payload, in.data(), 8);
          in.remove_prefix(8);
          key.end = static_cast<int64_t>(payload);
        }
      }
    }
    on_key(key);
  }
}

}  // namespace

void GroupTable::key_views(size_t group, std::vector<ValueView>& out) const {
  out.clear();
  decode_keys(encoded(group), [&](const ValueView& key) { out.push_back(key); });
}

size_t GroupTable::assign_keys(size_t group, std::vector<Value>& row) const {
  size_t k = 0;
  decode_keys(encoded(group), [&](const ValueView& v) {
    if (k == row.size()) row.emplace_back();
    Value& key = row[k++];
    key.type = v.type;
    key.null = v.null;
    key.integer = v.integer;
    key.real = v.real;
    key.text.assign(v.text);
    key.end = v.end;
  });
  return k;
}

std::vector<Value> GroupTable::keys(size_t group) const {
  std::vector<Value> keys;
  keys.resize(assign_keys(group, keys));
  return keys;
}

GroupTable::GroupTable(std::vector<const AggregateFunction*> functions) : functions_(std::move(functions)) {
  for (const AggregateFunction* function : functions_) {
    const size_t align = function->state_align();
    if (align > alignof(std::max_align_t)) fail_invariant("an aggregate state needs more than max_align_t");
    row_align_ = std::max(row_align_, align);
    row_size_ = round_up(row_size_, align);
    offsets_.push_back(row_size_);
    row_size_ += function->state_size();
  }
  row_size_ = round_up(std::max<size_t>(row_size_, 1), row_align_);
  rows_per_block_ = std::max<size_t>(1, kBlockBytes / row_size_);
}

GroupTable::~GroupTable() { destroy_states(); }

GroupTable::GroupTable(GroupTable&& other) noexcept { *this = std::move(other); }

GroupTable& GroupTable::operator=(GroupTable&& other) noexcept {
  if (this != &other) {
    destroy_states();  // all the rest is replaced
    functions_ = std::move(other.functions_);
    offsets_ = std::move(other.offsets_);
    row_size_ = other.row_size_;
    row_align_ = other.row_align_;
    rows_per_block_ = other.rows_per_block_;
    blocks_ = std::move(other.blocks_);
    key_blocks_ = std::move(other.key_blocks_);
    key_block_ = std::exchange(other.key_block_, SIZE_MAX);
    key_starts_ = std::move(other.key_starts_);
    slots_ = std::move(other.slots_);
    updated_ = std::move(other.updated_);
    other.blocks_.clear();
    other.key_blocks_.clear();
    other.key_starts_.clear();
    other.slots_.clear();
    other.updated_.clear();
  }
  return *this;
}

void GroupTable::destroy_states() noexcept {
  for (size_t group = 0; group < size(); ++group) {
    for (size_t a = 0; a < functions_.size(); ++a) {
      if (!functions_[a]->has_trivial_destroy()) functions_[a]->destroy(state(group, a));
    }
  }
}

void GroupTable::destroy_all() noexcept {
  destroy_states();
  // The first block is kept for the table's next use (a parser thread's partial, batch after batch).
  if (key_blocks_.size() > 1) key_blocks_.resize(1);
  if (!key_blocks_.empty()) key_blocks_[0].used = 0;
  key_block_ = key_blocks_.empty() ? SIZE_MAX : 0;
  key_starts_.clear();
  std::fill(slots_.begin(), slots_.end(), uint64_t{0});
  updated_.clear();
}

size_t GroupTable::find_or_insert(const std::vector<Value>& keys) {
  scratch_.clear();
  for (const Value& key : keys) encode_key(key, scratch_);
  return find_or_insert_encoded(scratch_);
}

size_t GroupTable::find_or_insert_encoded(std::string_view encoded_keys) {
  // Rows come in runs of one group (a log's lines in time order share their minute, most their status):
  // the group found last is compared first, by its bytes, so a stale index can only miss.
  if (last_found_ < size() && same_bytes(encoded(last_found_), encoded_keys)) return last_found_;
  last_found_ = find_or_insert_with_hash(encoded_keys, hash_bytes(encoded_keys));
  return last_found_;
}

void GroupTable::find_or_insert_batch(std::span<const std::string_view> keys, size_t* groups) {
  const size_t n = keys.size();
  if (n > kProbeBatch) fail_invariant("a probe batch larger than kProbeBatch");
  // The index grows only when a probe inserts (find_or_insert_with_hash), so that finding groups the
  // table has never grows it; a growth in the middle of the batch only makes the hints below stale.
  if (slots_.empty()) grow_index();
  const size_t mask = slots_.size() - 1;
  uint64_t hashes[kProbeBatch];
  size_t candidates[kProbeBatch];  // the group a key's first slot names when the tags agree, else SIZE_MAX
  bool repeats[kProbeBatch];       // the key is the one before it: its group is that one's, no probe
  for (size_t i = 0; i < n; ++i) {
    repeats[i] = i > 0 && same_bytes(keys[i], keys[i - 1]);
    if (repeats[i]) continue;
    hashes[i] = hash_bytes(keys[i]);
    __builtin_prefetch(slots_.data() + (hashes[i] & mask));
  }
  for (size_t i = 0; i < n; ++i) {
    candidates[i] = SIZE_MAX;
    if (repeats[i]) continue;
    const uint64_t entry = slots_[hashes[i] & mask];
    candidates[i] =
        entry != 0 && (entry >> 32) == (hashes[i] >> 32) ? static_cast<uint32_t>(entry) - 1 : SIZE_MAX;
    if (candidates[i] != SIZE_MAX) {
      prefetch_offset(candidates[i]);
      __builtin_prefetch(row(candidates[i]));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (candidates[i] != SIZE_MAX) __builtin_prefetch(key_data(key_starts_[candidates[i]]));
  }
  // The probes proper, in order; the prefetches were only hints.
  for (size_t i = 0; i < n; ++i) {
    if (repeats[i] || (last_found_ < size() && same_bytes(encoded(last_found_), keys[i]))) {
      groups[i] = last_found_;
      continue;
    }
    groups[i] = last_found_ = find_or_insert_with_hash(keys[i], hashes[i]);
  }
}

size_t GroupTable::find_or_insert_with_hash(std::string_view encoded_keys, uint64_t hash) {
  if (slots_.empty()) grow_index();
  const size_t mask = slots_.size() - 1;
  // A slot holds the group and the high half of its hash, so a probe past another group's slot costs
  // no look at that group's keys (a cache miss each, in a table of a million groups).
  const uint64_t tag = hash >> 32;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const uint64_t entry = slots_[slot];
    if (entry == 0) {
      // A new group. The index grows here and not before the probe, so that finding the groups a table
      // has (a batch's partial merged into the state) never grows it: a table exactly half full did.
      if (2 * (size() + 1) > slots_.size()) {
        grow_index();
        slot = free_slot(hash);
      }
      return insert_new(encoded_keys, hash, slot);
    }
    if ((entry >> 32) != tag) continue;
    const size_t group = static_cast<uint32_t>(entry) - 1;
    if (same_bytes(encoded(group), encoded_keys)) return group;
  }
}

uint32_t GroupTable::store_key(std::string_view encoded_keys) {
  const size_t length = encoded_keys.size();
  if (key_block_ == SIZE_MAX || key_blocks_[key_block_].used + length > kKeyBlockBytes) {
    // The next block: a new one, but for the first one clear() keeps. A key longer than a block has one
    // of its own (encoded() ends a block's last key where the block's bytes end, whatever their number).
    const size_t block = key_block_ == SIZE_MAX ? 0 : key_block_ + 1;
    if (block >= (size_t{1} << (32 - kKeyBlockBits)))
      fail_at_runtime("more than 4 GiB of group keys in one table");
    if (block == key_blocks_.size()) key_blocks_.emplace_back();
    KeyBlock& into = key_blocks_[block];
    if (!into.bytes || length > into.capacity) {
      into.capacity = std::max(length, kKeyBlockBytes);
      into.bytes.reset(new char[into.capacity]);
    }
    into.used = 0;
    key_block_ = block;
  }
  KeyBlock& into = key_blocks_[key_block_];
  const auto place = static_cast<uint32_t>((key_block_ << kKeyBlockBits) + into.used);
  std::memcpy(into.bytes.get() + into.used, encoded_keys.data(), length);
  into.used += length;
  return place;
}

size_t GroupTable::insert_new(std::string_view encoded_keys, uint64_t hash, size_t slot) {
  const size_t group = size();
  if (group >= UINT32_MAX - 1) fail_at_runtime("more than 4 billion groups in one table");
  if (group / rows_per_block_ >= blocks_.size()) blocks_.emplace_back(new char[rows_per_block_ * row_size_]);
  for (size_t a = 0; a < functions_.size(); ++a) functions_[a]->create(state(group, a));
  key_starts_.push_back(store_key(encoded_keys));
  updated_.push_back(0);
  slots_[slot] = (hash >> 32) << 32 | (group + 1);
  return group;
}

void GroupTable::reserve(size_t groups) {
  // Group number s goes in while 2 * (s + 1) <= slots_.size() (find_or_insert_with_hash).
  while (slots_.size() < 2 * groups) grow_index();
  key_starts_.reserve(groups);
  updated_.reserve(groups);
}

void GroupTable::grow_index() {
  slots_.assign(std::max<size_t>(16, slots_.size() * 2), 0);
  for (size_t group = 0; group < size(); ++group) {
    const uint64_t hash = hash_bytes(encoded(group));
    slots_[free_slot(hash)] = (hash >> 32) << 32 | (group + 1);
  }
}

size_t GroupTable::free_slot(uint64_t hash) const noexcept {
  const size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  while (slots_[slot] != 0) slot = (slot + 1) & mask;
  return slot;
}

void GroupTable::merge_from(const GroupTable& other) {
  if (other.functions_ != functions_) fail_invariant("merging group tables of different aggregates");
  // Their groups' slots in our index are random, a cache miss or three each in a large table (the slot,
  // the group's key place, the key, the states): probed a batch at a time, so that the misses overlap.
  std::array<std::string_view, kProbeBatch> keys;
  std::array<size_t, kProbeBatch> ours;
  const size_t count = other.size();
  for (size_t first = 0; first < count; first += kProbeBatch) {
    const size_t n = std::min(kProbeBatch, count - first);
    for (size_t i = 0; i < n; ++i) keys[i] = other.encoded(first + i);
    find_or_insert_batch(std::span(keys.data(), n), ours.data());
    for (size_t i = 0; i < n; ++i) {
      for (size_t a = 0; a < functions_.size(); ++a)
        functions_[a]->merge(state(ours[i], a), other.state(first + i, a));
      updated_[ours[i]] = 1;
    }
  }
}

void GroupTable::take_or_merge(GroupTable& other) {
  if (other.functions_ != functions_) fail_invariant("merging group tables of different aggregates");
  if (size() == 0) {
    std::swap(*this, other);
    std::fill(updated_.begin(), updated_.end(), uint8_t{1});
    return;
  }
  merge_from(other);
}

void GroupTable::absorb(GroupTable& other) {
  take_or_merge(other);
  other.clear();
}

void GroupTable::absorb(GroupTable&& other) { take_or_merge(other); }

void GroupTable::clear() { destroy_all(); }

GroupTable GroupTable::split_off(const std::function<bool(size_t group)>& take) {
  GroupTable kept(functions_), taken(functions_);
  std::string bytes;
  for (size_t g = 0; g < size(); ++g) {
    GroupTable& into = take(g) ? taken : kept;
    const size_t ours = into.find_or_insert_encoded(encoded(g));
    for (size_t a = 0; a < functions_.size(); ++a) {
      bytes.clear();
      functions_[a]->serialize(state(g, a), bytes);
      std::string why;
      if (!functions_[a]->deserialize(into.state(ours, a), bytes, why))
        fail_invariant("an aggregate state does not read back its own encoding: " + why);
    }
    into.updated_[ours] = updated_[g];
  }
  std::swap(*this, kept);
  return taken;
}

std::vector<Value> GroupTable::result_row(size_t group) const {
  std::vector<Value> row;
  result_row(group, row);
  return row;
}

void GroupTable::result_row(size_t group, std::vector<Value>& row) const {
  const size_t k = assign_keys(group, row);
  row.resize(k + functions_.size());
  for (size_t a = 0; a < functions_.size(); ++a) row[k + a] = functions_[a]->finalize(state(group, a));
}

std::vector<size_t> GroupTable::take_updated() {
  std::vector<size_t> groups;
  for (size_t group = 0; group < updated_.size(); ++group) {
    if (!updated_[group]) continue;
    groups.push_back(group);
    updated_[group] = 0;
  }
  return groups;
}

size_t GroupTable::take_updated_count() {
  const auto count = static_cast<size_t>(std::count(updated_.begin(), updated_.end(), uint8_t{1}));
  std::fill(updated_.begin(), updated_.end(), uint8_t{0});
  return count;
}

size_t GroupTable::memory_bytes() const noexcept {
  size_t bytes = blocks_.size() * rows_per_block_ * row_size_ + key_starts_.capacity() * sizeof(uint32_t) +
                 slots_.capacity() * sizeof(uint64_t) + updated_.capacity();
  for (const KeyBlock& block : key_blocks_) bytes += block.capacity;
  for (size_t group = 0; group < size(); ++group) {
    for (size_t a = 0; a < functions_.size(); ++a) bytes += functions_[a]->allocated_bytes(state(group, a));
  }
  return bytes;
}

// Layout: u32 groups, u32 keys per group, u32 aggregates; then per group its keys (u8 type, u8 null,
// then 8 bytes for booleans, numbers and timestamps or u32 length + bytes for strings) and per
// aggregate u32 length + the state's own encoding.
void GroupTable::serialize(std::string& out) const {
  using namespace state_codec;
  put_u32(out, static_cast<uint32_t>(size()));
  put_u32(out, size() == 0 ? 0 : static_cast<uint32_t>(keys(0).size()));
  put_u32(out, static_cast<uint32_t>(functions_.size()));
  std::string encoded;
  for (size_t group = 0; group < size(); ++group) {
    for (const Value& key : keys(group)) {
      put_u8(out, static_cast<uint8_t>(key.type));
      put_u8(out, key.null ? 1 : 0);
      if (key.null) continue;
      if (key.type == DataType::kString) {
        put_u32(out, static_cast<uint32_t>(key.text.size()));
        out += key.text;
      } else {
        put_u64(out, key.type == DataType::kDouble ? bits_of(key.real) : static_cast<uint64_t>(key.integer));
        if (key.type == DataType::kWindow) put_u64(out, static_cast<uint64_t>(key.end));
      }
    }
    for (size_t a = 0; a < functions_.size(); ++a) {
      encoded.clear();
      functions_[a]->serialize(state(group, a), encoded);
      put_u32(out, static_cast<uint32_t>(encoded.size()));
      out += encoded;
    }
  }
}

bool GroupTable::deserialize(std::string_view in, std::string& why) {
  using namespace state_codec;
  destroy_all();
  Reader reader(in);
  uint32_t groups = 0, key_count = 0, aggregates = 0;
  auto fail = [&](const std::string& reason) {
    destroy_all();
    why = reason;
    return false;
  };
  if (!reader.u32(groups) || !reader.u32(key_count) || !reader.u32(aggregates))
    return fail("group table truncated");
  if (aggregates != functions_.size())
    return fail("group table of " + std::to_string(aggregates) + " aggregates, the query has " +
                std::to_string(functions_.size()));
  if (key_count > kMaxKeys || (groups > 0 && key_count == 0 && groups != 1))
    return fail("group table with an impossible key count");
  std::vector<Value> keys;
  for (uint32_t g = 0; g < groups; ++g) {
    keys.assign(key_count, Value{});
    for (Value& key : keys) {
      uint8_t type = 0, null = 0;
      if (!reader.u8(type) || !reader.u8(null)) return fail("group key truncated");
      if (type > static_cast<uint8_t>(DataType::kWindow) || null > 1) return fail("malformed group key");
      key.type = static_cast<DataType>(type);
      key.null = null == 1;
      if (key.null) continue;
      if (key.type == DataType::kString) {
        uint32_t length = 0;
        std::string_view text;
        if (!reader.u32(length) || !reader.bytes(length, text)) return fail("group key truncated");
        key.text = std::string(text);
      } else {
        uint64_t payload = 0;
        if (!reader.u64(payload)) return fail("group key truncated");
        if (key.type == DataType::kDouble)
          key.real = double_of(payload);
        else
          key.integer = static_cast<int64_t>(payload);
        if (key.type == DataType::kWindow) {
          if (!reader.u64(payload)) return fail("group key truncated");
          key.end = static_cast<int64_t>(payload);
        }
      }
    }
    const size_t before = size();
    const size_t group = find_or_insert(keys);
    if (size() == before) return fail("a group appears twice");
    for (size_t a = 0; a < functions_.size(); ++a) {
      uint32_t length = 0;
      std::string_view encoded;
      if (!reader.u32(length) || !reader.bytes(length, encoded)) return fail("aggregate state truncated");
      std::string reason;
      if (!functions_[a]->deserialize(state(group, a), encoded, reason)) return fail(reason);
    }
  }
  if (reader.left() != 0) return fail("bytes after the group table");
  return true;
}

}  // namespace logstream
