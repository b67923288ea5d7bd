// The values and types of the query engine, as Spark SQL has them: one typed value (null keeps its type),
// and a schema of named, typed columns. Plain data, no threads; the hot paths keep their own dense forms
// and meet these at the edges (keys of the state store, cells of a result table, literals of a query).
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace logstream {

// Spark's names: int is 32 bits, bigint 64, timestamp microseconds since the epoch (UTC). kWindow is the
// struct<start: timestamp, end: timestamp> that window() gives, the one struct a query can hold.
enum class DataType : uint8_t { kNull, kBoolean, kInt, kBigint, kDouble, kString, kTimestamp, kWindow };

// "int", "bigint", "double", "string", "timestamp", "boolean", "void" (the type of a bare NULL).
std::string_view data_type_name(DataType type) noexcept;
// The type as SQL writes it, as in Spark's CAST(x AS INT) names: "INT", "BIGINT", "STRING", ..., "VOID".
std::string_view data_type_sql(DataType type) noexcept;
bool is_numeric(DataType type) noexcept;   // int, bigint, double
bool is_integral(DataType type) noexcept;  // int, bigint

struct Value {
  DataType type = DataType::kNull;
  bool null = true;
  int64_t integer = 0;  // boolean (0/1), int, bigint, timestamp; a window's start
  double real = 0;      // double
  std::string text;     // string (UTF-8 bytes as read)
  int64_t end = 0;      // a window's end (microseconds, exclusive)

  static Value null_of(DataType type) { return Value{type, true, 0, 0, {}}; }
  static Value boolean(bool v) { return Value{DataType::kBoolean, false, v ? 1 : 0, 0, {}}; }
  static Value int32(int32_t v) { return Value{DataType::kInt, false, v, 0, {}}; }
  static Value bigint(int64_t v) { return Value{DataType::kBigint, false, v, 0, {}}; }
  static Value float64(double v) { return Value{DataType::kDouble, false, 0, v, {}}; }
  static Value string(std::string v) { return Value{DataType::kString, false, 0, 0, std::move(v)}; }
  static Value timestamp_micros(int64_t v) { return Value{DataType::kTimestamp, false, v, 0, {}}; }
  static Value window(int64_t start, int64_t end) {
    return Value{DataType::kWindow, false, start, 0, {}, end};
  }

  // Assignment in place that keeps `text`'s buffer, so a row reused line after line allocates nothing
  // per value: a string, or any value without text (a number, a timestamp, a null).
  void set_string(std::string_view v) {
    type = DataType::kString;
    null = false;
    text.assign(v);
  }
  // set_scalar(null_of(t)) and set_scalar(Value{t, integer}) without a Value in between (the parse
  // stage sets a row's cells with them, for every row).
  void set_null_of(DataType t) noexcept {
    type = t;
    null = true;
    integer = 0;
    real = 0;
    end = 0;
  }
  void set_integer(DataType t, int64_t v) noexcept {
    type = t;
    null = false;
    integer = v;
    real = 0;
    end = 0;
  }
  void set_scalar(const Value& v) noexcept {
    type = v.type;
    null = v.null;
    integer = v.integer;
    real = v.real;
    end = v.end;
  }

  // Grouping equality: two nulls of one type are the same group (as in Spark's GROUP BY); doubles by
  // value with -0.0 equal to 0.0 and every NaN equal to every NaN (Spark normalizes both for grouping).
  bool operator==(const Value& other) const noexcept;
};

// A Value that does not own its text: a view into wherever the value is stored (a group table's key
// arena), for ordering and hashing without a copy.
struct ValueView {
  DataType type = DataType::kNull;
  bool null = true;
  int64_t integer = 0;
  double real = 0;
  std::string_view text;
  int64_t end = 0;

  static ValueView of(const Value& v) noexcept { return {v.type, v.null, v.integer, v.real, v.text, v.end}; }
};

// Spark's ascending sort order within one type: null first (NULLS FIRST is the default for ASC), false
// before true, numbers by value with NaN largest, strings by their UTF-8 bytes (unsigned), timestamps by
// time, windows by start and then end. Values of different types compare by type (a plan never mixes them in
// one column).
std::strong_ordering compare_for_sort(const ValueView& a, const ValueView& b) noexcept;
// The order of non-null strings by compare_for_sort, as indices into `texts` (into `order`, resized), for
// sorting many: each string's first sixteen bytes as two big-endian numbers decide nearly every
// comparison of short keys (an endpoint, a host) without a look at the string; the rest is compared on a
// tie.
void order_strings_for_sort(std::span<const std::string_view> texts, std::vector<uint32_t>& order);
inline std::strong_ordering compare_for_sort(const Value& a, const Value& b) noexcept {
  return compare_for_sort(ValueView::of(a), ValueView::of(b));
}

struct Column {
  std::string name;
  DataType type = DataType::kString;
};

using Schema = std::vector<Column>;

// The index of `name` in `schema` (ASCII case-insensitive, as Spark's default resolution), or -1.
int find_column(const Schema& schema, std::string_view name) noexcept;

}  // namespace logstream
