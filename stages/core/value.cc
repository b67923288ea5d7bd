#include "stages/core/value.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace logstream {

std::string_view data_type_name(DataType type) noexcept {
  switch (type) {
    case DataType::kNull:
      return "void";
    case DataType::kBoolean:
      return "boolean";
    case DataType::kInt:
      return "int";
    case DataType::kBigint:
      return "bigint";
    case DataType::kDouble:
      return "double";
    case DataType::kString:
      return "string";
    case DataType::kTimestamp:
      return "timestamp";
    case DataType::kWindow:
      return "struct<start:timestamp,end:timestamp>";
  }
  return "void";
}

std::string_view data_type_sql(DataType type) noexcept {
  switch (type) {
    case DataType::kBoolean:
      return "BOOLEAN";
    case DataType::kInt:
      return "INT";
    case DataType::kBigint:
      return "BIGINT";
    case DataType::kDouble:
      return "DOUBLE";
    case DataType::kString:
      return "STRING";
    case DataType::kTimestamp:
      return "TIMESTAMP";
    case DataType::kWindow:
      return "STRUCT<start: TIMESTAMP, end: TIMESTAMP>";
    case DataType::kNull:
      break;
  }
  return "VOID";
}

bool is_numeric(DataType type) noexcept {
  return type == DataType::kInt || type == DataType::kBigint || type == DataType::kDouble;
}

bool is_integral(DataType type) noexcept { return type == DataType::kInt || type == DataType::kBigint; }

bool Value::operator==(const Value& other) const noexcept {
  if (type != other.type || null != other.null) return false;
  if (null) return true;
  switch (type) {
    case DataType::kDouble:
      if (std::isnan(real) || std::isnan(other.real)) return std::isnan(real) && std::isnan(other.real);
      return real == other.real;  // -0.0 == 0.0
    case DataType::kString:
      return text == other.text;
    case DataType::kWindow:
      return integer == other.integer && end == other.end;
    default:
      return integer == other.integer;
  }
}

std::strong_ordering compare_for_sort(const ValueView& a, const ValueView& b) noexcept {
  if (a.type != b.type) return a.type <=> b.type;
  if (a.null || b.null) return b.null <=> a.null;  // null first
  switch (a.type) {
    case DataType::kDouble: {
      const bool a_nan = std::isnan(a.real), b_nan = std::isnan(b.real);
      if (a_nan || b_nan) return a_nan <=> b_nan;  // NaN is larger than any other value
      if (a.real < b.real) return std::strong_ordering::less;
      if (a.real > b.real) return std::strong_ordering::greater;
      return std::strong_ordering::equal;
    }
    case DataType::kString: {
      const size_t n = std::min(a.text.size(), b.text.size());
      const int c = n == 0 ? 0 : std::memcmp(a.text.data(), b.text.data(), n);  // memcmp is unsigned
      if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
      return a.text.size() <=> b.text.size();
    }
    case DataType::kWindow:
      return a.integer != b.integer ? a.integer <=> b.integer : a.end <=> b.end;
    default:
      return a.integer <=> b.integer;
  }
}

void order_strings_for_sort(std::span<const std::string_view> texts, std::vector<uint32_t>& order) {
  struct Entry {
    uint64_t high, low;  // bytes 0-7 and 8-15, big-endian, zero past the end
    std::string_view text;
    uint32_t index;
  };
  auto word = [](std::string_view text, size_t from) {
    uint64_t w = 0;
    for (size_t b = from; b < from + 8; ++b)
      w = w << 8 | (b < text.size() ? static_cast<uint8_t>(text[b]) : 0);
    return w;
  };
  std::vector<Entry> entries(texts.size());
  for (size_t i = 0; i < texts.size(); ++i)
    entries[i] = {word(texts[i], 0), word(texts[i], 8), texts[i], static_cast<uint32_t>(i)};
  // A tie of the numbers leaves the bytes past them, or the lengths ("ab" against "ab\0"), to decide:
  // char_traits<char>::compare is memcmp (unsigned bytes), then the shorter first.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    return a.text < b.text;
  });
  order.resize(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) order[i] = entries[i].index;
}

int find_column(const Schema& schema, std::string_view name) noexcept {
  for (size_t i = 0; i < schema.size(); ++i) {
    const std::string& candidate = schema[i].name;
    if (candidate.size() != name.size()) continue;
    bool same = true;
    for (size_t j = 0; j < name.size() && same; ++j) {
      auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
      same = lower(candidate[j]) == lower(name[j]);
    }
    if (same) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace logstream
