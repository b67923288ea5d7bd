#include "stages/state/group_table.h"

#include <cmath>
#include <cstddef>

#include "stages/core/invariant.h"
#include "stages/query/state_codec.h"

namespace logstream {
namespace {

constexpr size_t kBlockBytes = 64 * 1024;
constexpr uint32_t kMaxKeys = 64;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

uint64_t mix(uint64_t h, uint64_t v) noexcept {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

}  // namespace

size_t GroupTable::KeyHash::operator()(const std::vector<Value>& keys) const noexcept {
  uint64_t h = 0x84222325cbf29ce4ULL;
  for (const Value& key : keys) {
    h = mix(h, static_cast<uint64_t>(key.type) << 1 | (key.null ? 1 : 0));
    if (key.null) continue;
    switch (key.type) {
      case DataType::kDouble: {
        // Equal keys must hash alike: -0.0 as 0.0, every NaN as one (Value::operator==).
        const double d = std::isnan(key.real) ? std::nan("") : key.real == 0 ? 0.0 : key.real;
        h = mix(h, state_codec::bits_of(d));
        break;
      }
      case DataType::kString:
        for (const char c : key.text) h = mix(h, static_cast<unsigned char>(c));
        h = mix(h, key.text.size());
        break;
      default:
        h = mix(h, static_cast<uint64_t>(key.integer));
    }
  }
  return static_cast<size_t>(h);
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

GroupTable::~GroupTable() { destroy_all(); }

GroupTable::GroupTable(GroupTable&& other) noexcept { *this = std::move(other); }

GroupTable& GroupTable::operator=(GroupTable&& other) noexcept {
  if (this != &other) {
    destroy_all();
    functions_ = std::move(other.functions_);
    offsets_ = std::move(other.offsets_);
    row_size_ = other.row_size_;
    row_align_ = other.row_align_;
    rows_per_block_ = other.rows_per_block_;
    blocks_ = std::move(other.blocks_);
    keys_ = std::move(other.keys_);
    index_ = std::move(other.index_);
    updated_ = std::move(other.updated_);
    key_bytes_ = other.key_bytes_;
    other.keys_.clear();
    other.blocks_.clear();
    other.index_.clear();
  }
  return *this;
}

void GroupTable::destroy_all() noexcept {
  for (size_t group = 0; group < keys_.size(); ++group) {
    for (size_t a = 0; a < functions_.size(); ++a) {
      if (!functions_[a]->has_trivial_destroy()) functions_[a]->destroy(state(group, a));
    }
  }
  keys_.clear();
  index_.clear();
  updated_.clear();
  key_bytes_ = 0;
}

size_t GroupTable::find_or_insert(const std::vector<Value>& keys) {
  const auto found = index_.find(keys);
  if (found != index_.end()) return found->second;
  const size_t group = keys_.size();
  if (group / rows_per_block_ >= blocks_.size()) blocks_.emplace_back(new char[rows_per_block_ * row_size_]);
  for (size_t a = 0; a < functions_.size(); ++a) functions_[a]->create(state(group, a));
  keys_.push_back(keys);
  updated_.push_back(0);
  for (const Value& key : keys) key_bytes_ += sizeof(Value) + key.text.capacity();
  index_.emplace(keys, group);
  return group;
}

void GroupTable::merge_from(const GroupTable& other) {
  if (other.functions_ != functions_) fail_invariant("merging group tables of different aggregates");
  for (size_t theirs = 0; theirs < other.size(); ++theirs) {
    const size_t ours = find_or_insert(other.keys_[theirs]);
    for (size_t a = 0; a < functions_.size(); ++a)
      functions_[a]->merge(state(ours, a), other.state(theirs, a));
    updated_[ours] = 1;
  }
}

void GroupTable::clear() { destroy_all(); }

std::vector<Value> GroupTable::result_row(size_t group) const {
  std::vector<Value> row = keys_[group];
  for (size_t a = 0; a < functions_.size(); ++a) row.push_back(functions_[a]->finalize(state(group, a)));
  return row;
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

size_t GroupTable::memory_bytes() const noexcept {
  size_t bytes = blocks_.size() * rows_per_block_ * row_size_ + key_bytes_ +
                 index_.size() * (sizeof(std::vector<Value>) + 2 * sizeof(void*) + sizeof(size_t));
  for (size_t group = 0; group < keys_.size(); ++group) {
    for (size_t a = 0; a < functions_.size(); ++a) bytes += functions_[a]->allocated_bytes(state(group, a));
  }
  return bytes;
}

// Layout: u32 groups, u32 keys per group, u32 aggregates; then per group its keys (u8 type, u8 null,
// then 8 bytes for booleans, numbers and timestamps or u32 length + bytes for strings) and per
// aggregate u32 length + the state's own encoding.
void GroupTable::serialize(std::string& out) const {
  using namespace state_codec;
  put_u32(out, static_cast<uint32_t>(keys_.size()));
  put_u32(out, keys_.empty() ? 0 : static_cast<uint32_t>(keys_.front().size()));
  put_u32(out, static_cast<uint32_t>(functions_.size()));
  std::string encoded;
  for (size_t group = 0; group < keys_.size(); ++group) {
    for (const Value& key : keys_[group]) {
      put_u8(out, static_cast<uint8_t>(key.type));
      put_u8(out, key.null ? 1 : 0);
      if (key.null) continue;
      if (key.type == DataType::kString) {
        put_u32(out, static_cast<uint32_t>(key.text.size()));
        out += key.text;
      } else {
        put_u64(out, key.type == DataType::kDouble ? bits_of(key.real) : static_cast<uint64_t>(key.integer));
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
      if (type > static_cast<uint8_t>(DataType::kTimestamp) || null > 1) return fail("malformed group key");
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
      }
    }
    if (index_.count(keys)) return fail("a group appears twice");
    const size_t group = find_or_insert(keys);
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
