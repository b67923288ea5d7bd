#include "stages/query/aggregates.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "stages/core/invariant.h"
#include "stages/query/hyperloglog.h"
#include "stages/query/quantile_sketch.h"
#include "stages/query/state_codec.h"

namespace logstream {
namespace {

using state_codec::bits_of;
using state_codec::double_of;
using state_codec::put_u32;
using state_codec::put_u64;
using state_codec::put_u8;
using state_codec::Reader;

std::string_view kind_name(AggregateKind kind) noexcept {
  switch (kind) {
    case AggregateKind::kCount:
      return "count";
    case AggregateKind::kSum:
      return "sum";
    case AggregateKind::kAvg:
      return "avg";
    case AggregateKind::kMin:
      return "min";
    case AggregateKind::kMax:
      return "max";
    case AggregateKind::kApproxCountDistinct:
      return "approx_count_distinct";
    case AggregateKind::kPercentileApprox:
      return "percentile_approx";
  }
  return "?";
}

// Java's double-to-long conversion (percentile results of bigint and timestamp columns): truncation,
// saturating at the ends, NaN as 0.
int64_t java_to_long(double v) noexcept {
  if (std::isnan(v)) return 0;
  if (v >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (v <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

int32_t java_to_int(double v) noexcept {
  if (std::isnan(v)) return 0;
  if (v >= 2147483647.0) return std::numeric_limits<int32_t>::max();
  if (v <= -2147483648.0) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);
}

// Java's Double.compare order: -0.0 before 0.0, NaN after everything.
bool double_before(double a, double b) noexcept {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  if (a != b) return a < b;
  return std::signbit(a) && !std::signbit(b);
}

// A double as Spark groups it for DISTINCT: -0.0 as 0.0, every NaN as one NaN.
uint64_t normalized_bits(double v) noexcept {
  if (std::isnan(v)) return 0x7FF8000000000000ULL;
  return bits_of(v == 0 ? 0.0 : v);
}

// An integer payload that a value of `type` can carry (boolean 0/1, int in 32 bits).
bool fits(DataType type, int64_t v) noexcept {
  switch (type) {
    case DataType::kBoolean:
      return v == 0 || v == 1;
    case DataType::kInt:
      return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    case DataType::kNull:
      return false;
    default:
      return true;
  }
}

Value integral_value(DataType type, int64_t v) { return Value{type, false, v, 0, {}}; }

// The common part of every function: its state type in the caller's memory, the state tag that opens
// its encoding (the kind, DISTINCT in the high bit, and the argument type), and loud failure when the
// caller feeds a type the function was not made for (a planner bug, never user input).
template <typename State>
class Function : public AggregateFunction {
 public:
  using AggregateFunction::AggregateFunction;

  size_t state_size() const noexcept override { return sizeof(State); }
  size_t state_align() const noexcept override { return alignof(State); }
  bool has_trivial_destroy() const noexcept override { return std::is_trivially_destructible_v<State>; }
  void destroy(char* place) const noexcept override { state(place).~State(); }

 protected:
  static State& state(char* place) noexcept { return *std::launder(reinterpret_cast<State*>(place)); }
  static const State& state(const char* place) noexcept {
    return *std::launder(reinterpret_cast<const State*>(place));
  }

  DataType argument() const noexcept {
    return argument_types().empty() ? DataType::kNull : argument_types().front();
  }

  [[noreturn]] void misfed(std::string_view what) const {
    fail_invariant(std::string(kind_name(kind())) + "(" + std::string(data_type_name(argument())) +
                   ") was fed " + std::string(what));
  }

  void put_tag(std::string& out) const {
    put_u8(out, static_cast<uint8_t>(static_cast<uint8_t>(kind()) | (distinct() ? 0x80 : 0)));
    put_u8(out, static_cast<uint8_t>(argument()));
  }

  bool take_tag(Reader& reader, std::string& why) const {
    uint8_t tag = 0, type = 0;
    if (!reader.u8(tag) || !reader.u8(type)) {
      why = "state truncated before its tag";
      return false;
    }
    const uint8_t expected = static_cast<uint8_t>(static_cast<uint8_t>(kind()) | (distinct() ? 0x80 : 0));
    if (tag != expected || type != static_cast<uint8_t>(argument())) {
      why = "state of another aggregate (tag " + std::to_string(tag) + "/" + std::to_string(type) +
            ", expected " + std::to_string(expected) + "/" + std::to_string(static_cast<int>(argument())) +
            " for " + std::string(kind_name(kind())) + ")";
      return false;
    }
    return true;
  }

  static bool fail(std::string& why, std::string reason) {
    why = std::move(reason);
    return false;
  }

  bool finish(const Reader& reader, std::string& why) const {
    if (reader.left() == 0) return true;
    return fail(why, std::string(kind_name(kind())) + " state with " + std::to_string(reader.left()) +
                         " bytes too many");
  }
};

// count(*) and count(x): one 64-bit count.
class Count final : public Function<int64_t> {
 public:
  Count(bool star, std::vector<DataType> types)
      : Function(AggregateKind::kCount, false, DataType::kBigint, std::move(types)), star_(star) {}

  void create(char* place) const override { new (place) int64_t(0); }
  size_t allocated_bytes(const char*) const noexcept override { return 0; }
  void add_int64(char* place, int64_t) const override { ++state(place); }
  void add_double(char* place, double) const override { ++state(place); }
  void add_string(char* place, std::string_view) const override { ++state(place); }
  void add_null(char* place) const override { state(place) += star_ ? 1 : 0; }
  void merge(char* place, const char* other) const override { state(place) += state(other); }
  Value finalize(const char* place) const override { return Value::bigint(state(place)); }

  void serialize(const char* place, std::string& out) const override {
    put_tag(out);
    put_u64(out, static_cast<uint64_t>(state(place)));
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint64_t count = 0;
    if (!take_tag(reader, why)) return false;
    if (!reader.u64(count)) return fail(why, "count state truncated");
    if (static_cast<int64_t>(count) < 0) return fail(why, "count state with a negative count");
    if (!finish(reader, why)) return false;
    state(place) = static_cast<int64_t>(count);
    return true;
  }

 private:
  bool star_;
};

struct IntegralSum {
  int64_t sum;
  bool any;
};

// sum of int or bigint: a bigint that wraps around on overflow (Spark 3.4 without ANSI mode adds longs
// with Java's +), null until a non-null value arrives.
class SumIntegral final : public Function<IntegralSum> {
 public:
  explicit SumIntegral(std::vector<DataType> types)
      : Function(AggregateKind::kSum, false, DataType::kBigint, std::move(types)) {}

  void create(char* place) const override { new (place) IntegralSum{0, false}; }
  size_t allocated_bytes(const char*) const noexcept override { return 0; }
  void add_int64(char* place, int64_t v) const override {
    IntegralSum& s = state(place);
    s.sum = static_cast<int64_t>(static_cast<uint64_t>(s.sum) + static_cast<uint64_t>(v));
    s.any = true;
  }
  void add_double(char*, double) const override { misfed("a double"); }
  void add_string(char*, std::string_view) const override { misfed("a string"); }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override {
    if (state(other).any) add_int64(place, state(other).sum);
  }
  Value finalize(const char* place) const override {
    return state(place).any ? Value::bigint(state(place).sum) : Value::null_of(DataType::kBigint);
  }

  void serialize(const char* place, std::string& out) const override {
    put_tag(out);
    put_u8(out, state(place).any ? 1 : 0);
    put_u64(out, static_cast<uint64_t>(state(place).sum));
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint8_t any = 0;
    uint64_t sum = 0;
    if (!take_tag(reader, why)) return false;
    if (!reader.u8(any) || !reader.u64(sum)) return fail(why, "sum state truncated");
    if (any > 1 || (!any && sum != 0)) return fail(why, "sum state with an impossible null flag");
    if (!finish(reader, why)) return false;
    state(place) = IntegralSum{static_cast<int64_t>(sum), any == 1};
    return true;
  }
};

struct DoubleSum {
  double sum;
  bool any;
};

// sum of double, in input order (a double sum depends on it, in Spark too). Starts from 0.0 as Spark's
// coalesce(sum, 0) + x does, so a sum of -0.0 alone is 0.0.
class SumDouble final : public Function<DoubleSum> {
 public:
  explicit SumDouble(std::vector<DataType> types)
      : Function(AggregateKind::kSum, false, DataType::kDouble, std::move(types)) {}

  void create(char* place) const override { new (place) DoubleSum{0.0, false}; }
  size_t allocated_bytes(const char*) const noexcept override { return 0; }
  void add_int64(char*, int64_t) const override { misfed("an integer"); }
  void add_double(char* place, double v) const override {
    state(place).sum += v;
    state(place).any = true;
  }
  void add_string(char*, std::string_view) const override { misfed("a string"); }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override {
    if (state(other).any) add_double(place, state(other).sum);
  }
  Value finalize(const char* place) const override {
    return state(place).any ? Value::float64(state(place).sum) : Value::null_of(DataType::kDouble);
  }

  void serialize(const char* place, std::string& out) const override {
    put_tag(out);
    put_u8(out, state(place).any ? 1 : 0);
    put_u64(out, bits_of(state(place).sum));
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint8_t any = 0;
    uint64_t sum = 0;
    if (!take_tag(reader, why)) return false;
    if (!reader.u8(any) || !reader.u64(sum)) return fail(why, "sum state truncated");
    if (any > 1 || (!any && sum != 0)) return fail(why, "sum state with an impossible null flag");
    if (!finish(reader, why)) return false;
    state(place) = DoubleSum{double_of(sum), any == 1};
    return true;
  }
};

struct Average {
  double sum;
  int64_t count;
};

// avg: Spark's buffer, a double sum and a bigint count; sum / count, null for no non-null input.
class Avg final : public Function<Average> {
 public:
  explicit Avg(std::vector<DataType> types)
      : Function(AggregateKind::kAvg, false, DataType::kDouble, std::move(types)) {}

  void create(char* place) const override { new (place) Average{0.0, 0}; }
  size_t allocated_bytes(const char*) const noexcept override { return 0; }
  void add_int64(char* place, int64_t v) const override {
    if (!is_integral(argument())) misfed("an integer");
    state(place).sum += static_cast<double>(v);
    ++state(place).count;
  }
  void add_double(char* place, double v) const override {
    if (argument() != DataType::kDouble) misfed("a double");
    state(place).sum += v;
    ++state(place).count;
  }
  void add_string(char*, std::string_view) const override { misfed("a string"); }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override {
    state(place).sum += state(other).sum;
    state(place).count += state(other).count;
  }
  Value finalize(const char* place) const override {
    const Average& a = state(place);
    return a.count == 0 ? Value::null_of(DataType::kDouble)
                        : Value::float64(a.sum / static_cast<double>(a.count));
  }

  void serialize(const char* place, std::string& out) const override {
    put_tag(out);
    put_u64(out, bits_of(state(place).sum));
    put_u64(out, static_cast<uint64_t>(state(place).count));
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint64_t sum = 0, count = 0;
    if (!take_tag(reader, why)) return false;
    if (!reader.u64(sum) || !reader.u64(count)) return fail(why, "avg state truncated");
    if (static_cast<int64_t>(count) < 0) return fail(why, "avg state with a negative count");
    if (count == 0 && sum != 0) return fail(why, "avg state with a sum but no values");
    if (!finish(reader, why)) return false;
    state(place) = Average{double_of(sum), static_cast<int64_t>(count)};
    return true;
  }
};

struct IntegralExtreme {
  int64_t value;
  bool any;
};

// min / max of boolean, int, bigint, timestamp (and of a bare NULL, which stays null).
template <bool kMax>
class ExtremeIntegral final : public Function<IntegralExtreme> {
 public:
  explicit ExtremeIntegral(std::vector<DataType> types)
      : Function<IntegralExtreme>(kMax ? AggregateKind::kMax : AggregateKind::kMin, false, types.front(),
                                  types) {}

  void create(char* place) const override { new (place) IntegralExtreme{0, false}; }
  size_t allocated_bytes(const char*) const noexcept override { return 0; }
  void add_int64(char* place, int64_t v) const override {
    IntegralExtreme& s = this->state(place);
    if (!s.any || (kMax ? v > s.value : v < s.value)) s = IntegralExtreme{v, true};
  }
  void add_double(char*, double) const override { this->misfed("a double"); }
  void add_string(char*, std::string_view) const override { this->misfed("a string"); }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override {
    if (this->state(other).any) add_int64(place, this->state(other).value);
  }
  Value finalize(const char* place) const override {
    const IntegralExtreme& s = this->state(place);
    return s.any ? integral_value(this->result_type(), s.value) : Value::null_of(this->result_type());
  }

  void serialize(const char* place, std::string& out) const override {
    this->put_tag(out);
    put_u8(out, this->state(place).any ? 1 : 0);
    put_u64(out, static_cast<uint64_t>(this->state(place).value));
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint8_t any = 0;
    uint64_t value = 0;
    if (!this->take_tag(reader, why)) return false;
    if (!reader.u8(any) || !reader.u64(value)) return this->fail(why, "min/max state truncated");
    if (any > 1 || (!any && value != 0)) return this->fail(why, "min/max state with an impossible null flag");
    if (any && !fits(this->result_type(), static_cast<int64_t>(value))) {
      return this->fail(why, "min/max state with a value out of range for " +
                                 std::string(data_type_name(this->result_type())));
    }
    if (!this->finish(reader, why)) return false;
    this->state(place) = IntegralExtreme{static_cast<int64_t>(value), any == 1};
    return true;
  }
};

struct DoubleExtreme {
  double value;
  bool any;
};

// min / max of double in Java's Double.compare order: NaN is the largest (as Spark orders it) and
// -0.0 comes before 0.0 (where Spark keeps whichever came first), so the answer does not depend on the
// order of the input or of merges.
template <bool kMax>
class ExtremeDouble final : public Function<DoubleExtreme> {
 public:
  explicit ExtremeDouble(std::vector<DataType> types)
      : Function<DoubleExtreme>(kMax ? AggregateKind::kMax : AggregateKind::kMin, false, DataType::kDouble,
                                std::move(types)) {}

  void create(char* place) const override { new (place) DoubleExtreme{0.0, false}; }
  size_t allocated_bytes(const char*) const noexcept override { return 0; }
  void add_int64(char*, int64_t) const override { this->misfed("an integer"); }
  void add_double(char* place, double v) const override {
    DoubleExtreme& s = this->state(place);
    if (!s.any || (kMax ? double_before(s.value, v) : double_before(v, s.value))) s = DoubleExtreme{v, true};
  }
  void add_string(char*, std::string_view) const override { this->misfed("a string"); }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override {
    if (this->state(other).any) add_double(place, this->state(other).value);
  }
  Value finalize(const char* place) const override {
    const DoubleExtreme& s = this->state(place);
    return s.any ? Value::float64(s.value) : Value::null_of(DataType::kDouble);
  }

  void serialize(const char* place, std::string& out) const override {
    this->put_tag(out);
    put_u8(out, this->state(place).any ? 1 : 0);
    put_u64(out, bits_of(this->state(place).value));
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint8_t any = 0;
    uint64_t value = 0;
    if (!this->take_tag(reader, why)) return false;
    if (!reader.u8(any) || !reader.u64(value)) return this->fail(why, "min/max state truncated");
    if (any > 1 || (!any && value != 0)) return this->fail(why, "min/max state with an impossible null flag");
    if (!this->finish(reader, why)) return false;
    this->state(place) = DoubleExtreme{double_of(value), any == 1};
    return true;
  }
};

struct StringExtreme {
  std::string value;
  bool any = false;
};

// min / max of string by its bytes, unsigned (Spark's UTF8String order).
template <bool kMax>
class ExtremeString final : public Function<StringExtreme> {
 public:
  explicit ExtremeString(std::vector<DataType> types)
      : Function<StringExtreme>(kMax ? AggregateKind::kMax : AggregateKind::kMin, false, DataType::kString,
                                std::move(types)) {}

  void create(char* place) const override { new (place) StringExtreme(); }
  size_t allocated_bytes(const char* place) const noexcept override {
    const std::string& v = this->state(place).value;
    return v.capacity() > std::string().capacity() ? v.capacity() + 1 : 0;
  }
  void add_int64(char*, int64_t) const override { this->misfed("an integer"); }
  void add_double(char*, double) const override { this->misfed("a double"); }
  void add_string(char* place, std::string_view v) const override {
    StringExtreme& s = this->state(place);
    // char_traits<char> compares as unsigned char: the byte order.
    if (!s.any || (kMax ? v.compare(s.value) > 0 : v.compare(s.value) < 0)) {
      s.value.assign(v.data(), v.size());
      s.any = true;
    }
  }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override {
    if (this->state(other).any) add_string(place, this->state(other).value);
  }
  Value finalize(const char* place) const override {
    const StringExtreme& s = this->state(place);
    return s.any ? Value::string(s.value) : Value::null_of(DataType::kString);
  }

  void serialize(const char* place, std::string& out) const override {
    this->put_tag(out);
    put_u8(out, this->state(place).any ? 1 : 0);
    put_u32(out, static_cast<uint32_t>(this->state(place).value.size()));
    out += this->state(place).value;
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint8_t any = 0;
    uint32_t size = 0;
    std::string_view bytes;
    if (!this->take_tag(reader, why)) return false;
    if (!reader.u8(any) || !reader.u32(size) || !reader.bytes(size, bytes)) {
      return this->fail(why, "min/max state truncated");
    }
    if (any > 1 || (!any && size != 0)) return this->fail(why, "min/max state with an impossible null flag");
    if (!this->finish(reader, why)) return false;
    this->state(place).value.assign(bytes.data(), bytes.size());
    this->state(place).any = any == 1;
    return true;
  }
};

// approx_count_distinct: Spark's HLL++ registers, in place (words() 64-bit words).
class ApproxCountDistinct final : public AggregateFunction {
 public:
  ApproxCountDistinct(int precision, std::vector<DataType> types)
      : AggregateFunction(AggregateKind::kApproxCountDistinct, false, DataType::kBigint, std::move(types)),
        hll_(precision) {}

  size_t state_size() const noexcept override { return hll_.words() * sizeof(uint64_t); }
  size_t state_align() const noexcept override { return alignof(uint64_t); }
  bool has_trivial_destroy() const noexcept override { return true; }
  void create(char* place) const override { std::memset(place, 0, state_size()); }
  void destroy(char*) const noexcept override {}
  size_t allocated_bytes(const char*) const noexcept override { return 0; }

  void add_int64(char* place, int64_t v) const override {
    switch (argument_types().front()) {
      case DataType::kBoolean:
      case DataType::kInt:
        return hll_.add_hash(words(place), xxhash64_int(static_cast<int32_t>(v), HyperLogLogPlusPlus::kSeed));
      case DataType::kBigint:
      case DataType::kTimestamp:
        return hll_.add_hash(words(place), xxhash64_long(v, HyperLogLogPlusPlus::kSeed));
      default:
        fail_invariant("approx_count_distinct(" + std::string(data_type_name(argument_types().front())) +
                       ") was fed an integer");
    }
  }
  void add_double(char* place, double v) const override {
    if (argument_types().front() != DataType::kDouble)
      fail_invariant("approx_count_distinct was fed a double");
    hll_.add_hash(words(place), xxhash64_double(v, HyperLogLogPlusPlus::kSeed));
  }
  void add_string(char* place, std::string_view v) const override {
    if (argument_types().front() != DataType::kString)
      fail_invariant("approx_count_distinct was fed a string");
    hll_.add_hash(words(place), xxhash64_bytes(v.data(), v.size(), HyperLogLogPlusPlus::kSeed));
  }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override { hll_.merge(words(place), words(other)); }
  Value finalize(const char* place) const override { return Value::bigint(hll_.estimate(words(place))); }

  void serialize(const char* place, std::string& out) const override {
    put_u8(out, static_cast<uint8_t>(kind()));
    put_u8(out, static_cast<uint8_t>(argument_types().front()));
    put_u8(out, static_cast<uint8_t>(hll_.precision()));
    for (size_t w = 0; w < hll_.words(); ++w) put_u64(out, words(place)[w]);
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint8_t tag = 0, type = 0, precision = 0;
    if (!reader.u8(tag) || !reader.u8(type) || !reader.u8(precision)) {
      why = "approx_count_distinct state truncated";
      return false;
    }
    if (tag != static_cast<uint8_t>(kind()) || type != static_cast<uint8_t>(argument_types().front())) {
      why = "state of another aggregate (tag " + std::to_string(tag) + "/" + std::to_string(type) +
            ", expected approx_count_distinct)";
      return false;
    }
    if (precision != hll_.precision()) {
      why = "approx_count_distinct state of precision " + std::to_string(precision) + ", expected " +
            std::to_string(hll_.precision());
      return false;
    }
    if (reader.left() != hll_.words() * sizeof(uint64_t)) {
      why = "approx_count_distinct state of " + std::to_string(reader.left()) + " register bytes, expected " +
            std::to_string(hll_.words() * sizeof(uint64_t));
      return false;
    }
    std::vector<uint64_t> decoded(hll_.words());
    for (uint64_t& w : decoded) reader.u64(w);
    if (!hll_.valid(decoded.data())) {
      why = "approx_count_distinct state with a register out of range";
      return false;
    }
    std::memcpy(place, decoded.data(), state_size());
    return true;
  }

 private:
  static uint64_t* words(char* place) noexcept { return std::launder(reinterpret_cast<uint64_t*>(place)); }
  static const uint64_t* words(const char* place) noexcept {
    return std::launder(reinterpret_cast<const uint64_t*>(place));
  }

  HyperLogLogPlusPlus hll_;
};

// percentile_approx: Spark's GK sketch over the values as doubles; the result converted back to the
// argument's type as Spark converts it (Java's double-to-int/long).
class PercentileApprox final : public Function<QuantileSketch> {
 public:
  PercentileApprox(double percentage, int64_t accuracy, std::vector<DataType> types)
      : Function(AggregateKind::kPercentileApprox, false, types.front(), types),
        percentage_(percentage),
        accuracy_(accuracy) {}

  void create(char* place) const override { new (place) QuantileSketch(accuracy_); }
  size_t allocated_bytes(const char* place) const noexcept override { return state(place).allocated_bytes(); }
  void add_int64(char* place, int64_t v) const override {
    if (argument() == DataType::kDouble) misfed("an integer");
    state(place).insert(static_cast<double>(v));
  }
  void add_double(char* place, double v) const override {
    if (argument() != DataType::kDouble) misfed("a double");
    state(place).insert(v);
  }
  void add_string(char*, std::string_view) const override { misfed("a string"); }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override { state(place).merge(state(other)); }
  Value finalize(const char* place) const override {
    const std::optional<double> v = state(place).query(percentage_);
    if (!v) return Value::null_of(result_type());
    switch (result_type()) {
      case DataType::kInt:
        return Value::int32(java_to_int(*v));
      case DataType::kBigint:
      case DataType::kTimestamp:
        return integral_value(result_type(), java_to_long(*v));
      default:
        return Value::float64(*v);
    }
  }

  void serialize(const char* place, std::string& out) const override {
    put_tag(out);
    state(place).serialize(out);
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    if (!take_tag(reader, why)) return false;
    return state(place).deserialize(reader.rest(), why);
  }

 private:
  double percentage_;
  int64_t accuracy_;
};

// The distinct values of a DISTINCT aggregate: numbers by their 64-bit payload (a double by its
// normalized bits), strings by their bytes.
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using DistinctNumbers = std::unordered_set<uint64_t>;
using DistinctStrings = std::unordered_set<std::string, TransparentStringHash, std::equal_to<>>;

// count/sum/avg/percentile_approx(DISTINCT x): the set, merged by union; finalize feeds the distinct
// values in ascending order (so a double sum is the same however the set was built) to the plain
// function. Serialized in that order: a canonical encoding.
template <typename Set>
class Distinct final : public Function<Set> {
  static constexpr bool kStrings = std::is_same_v<Set, DistinctStrings>;

 public:
  explicit Distinct(std::unique_ptr<AggregateFunction> inner)
      : Function<Set>(inner->kind(), true, inner->result_type(), inner->argument_types()),
        inner_(std::move(inner)) {}

  void create(char* place) const override { new (place) Set(); }
  size_t allocated_bytes(const char* place) const noexcept override {
    const Set& set = this->state(place);
    size_t bytes = set.bucket_count() * sizeof(void*) + set.size() * (sizeof(typename Set::value_type) + 16);
    if constexpr (kStrings) {
      for (const std::string& s : set)
        bytes += s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
    }
    return bytes;
  }

  void add_int64(char* place, int64_t v) const override {
    if constexpr (kStrings) {
      this->misfed("an integer");
    } else {
      if (this->argument() == DataType::kDouble) this->misfed("an integer");
      this->state(place).insert(static_cast<uint64_t>(v));
    }
  }
  void add_double(char* place, double v) const override {
    if constexpr (kStrings) {
      this->misfed("a double");
    } else {
      if (this->argument() != DataType::kDouble) this->misfed("a double");
      this->state(place).insert(normalized_bits(v));
    }
  }
  void add_string(char* place, std::string_view v) const override {
    if constexpr (kStrings) {
      Set& set = this->state(place);
      if (set.find(v) == set.end()) set.emplace(v);
    } else {
      this->misfed("a string");
    }
  }
  void add_null(char*) const override {}
  void merge(char* place, const char* other) const override {
    Set& set = this->state(place);
    for (const auto& v : this->state(other)) set.insert(v);
  }

  Value finalize(const char* place) const override {
    if (this->kind() == AggregateKind::kCount)
      return Value::bigint(static_cast<int64_t>(this->state(place).size()));
    const auto values = sorted(this->state(place));
    // The plain function's state, in memory aligned for it.
    std::vector<std::max_align_t> memory((inner_->state_size() + sizeof(std::max_align_t) - 1) /
                                         sizeof(std::max_align_t));
    char* inner = reinterpret_cast<char*>(memory.data());
    inner_->create(inner);
    for (const auto* v : values) {
      if constexpr (kStrings) {
        inner_->add_string(inner, *v);
      } else if (this->argument() == DataType::kDouble) {
        inner_->add_double(inner, double_of(*v));
      } else {
        inner_->add_int64(inner, static_cast<int64_t>(*v));
      }
    }
    Value result = inner_->finalize(inner);
    inner_->destroy(inner);
    return result;
  }

  void serialize(const char* place, std::string& out) const override {
    this->put_tag(out);
    const auto values = sorted(this->state(place));
    put_u64(out, values.size());
    for (const auto* v : values) {
      if constexpr (kStrings) {
        put_u32(out, static_cast<uint32_t>(v->size()));
        out += *v;
      } else {
        put_u64(out, *v);
      }
    }
  }

 protected:
  bool decode(char* place, std::string_view in, std::string& why) const override {
    Reader reader(in);
    uint64_t count = 0;
    if (!this->take_tag(reader, why)) return false;
    if (!reader.u64(count)) return this->fail(why, "distinct state truncated");
    if (count > reader.left() / (kStrings ? 4 : 8)) return this->fail(why, "distinct state truncated");
    Set decoded;
    decoded.reserve(static_cast<size_t>(count));
    typename Set::value_type previous{};
    for (uint64_t i = 0; i < count; ++i) {
      typename Set::value_type v{};
      if constexpr (kStrings) {
        uint32_t size = 0;
        std::string_view bytes;
        if (!reader.u32(size) || !reader.bytes(size, bytes))
          return this->fail(why, "distinct state truncated");
        v.assign(bytes.data(), bytes.size());
      } else {
        if (!reader.u64(v)) return this->fail(why, "distinct state truncated");
        if (!valid_number(v)) {
          return this->fail(why, "distinct state with a value no " +
                                     std::string(data_type_name(this->argument())) + " can have");
        }
      }
      if (i > 0 && !ascending(previous, v)) return this->fail(why, "distinct state with values out of order");
      decoded.insert(v);
      previous = std::move(v);
    }
    if (!this->finish(reader, why)) return false;
    this->state(place) = std::move(decoded);
    return true;
  }

 private:
  using Key = typename Set::value_type;

  bool ascending(const Key& a, const Key& b) const noexcept {
    if constexpr (kStrings) {
      return std::string_view(a).compare(b) < 0;
    } else if (this->argument() == DataType::kDouble) {
      return double_before(double_of(a), double_of(b));
    } else {
      return static_cast<int64_t>(a) < static_cast<int64_t>(b);
    }
  }

  bool valid_number(uint64_t v) const noexcept {
    if (this->argument() == DataType::kDouble) return normalized_bits(double_of(v)) == v;
    return fits(this->argument(), static_cast<int64_t>(v));
  }

  std::vector<const Key*> sorted(const Set& set) const {
    std::vector<const Key*> values;
    values.reserve(set.size());
    for (const Key& v : set) values.push_back(&v);
    std::sort(values.begin(), values.end(), [this](const Key* a, const Key* b) { return ascending(*a, *b); });
    return values;
  }

  std::unique_ptr<AggregateFunction> inner_;
};

// --- the factory -----------------------------------------------------------------------------------

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

std::string type_list(const std::vector<DataType>& types) {
  std::string out;
  for (DataType t : types) out += (out.empty() ? "" : ", ") + std::string(data_type_name(t));
  return out;
}

Error arity_error(std::string_view name, std::string_view expected, size_t got) {
  return Error{std::string(name) + " takes " + std::string(expected) + ", got " + std::to_string(got)};
}

Error type_error(std::string_view name, const std::vector<DataType>& types, size_t index,
                 std::string_view wants) {
  return Error{std::string(name) + "(" + type_list(types) + "): argument " + std::to_string(index + 1) +
               " is " + std::string(data_type_name(types[index])) + ", but " + std::string(name) + " takes " +
               std::string(wants)};
}

std::string literal_text(const Value& v) {
  if (v.null) return "NULL";
  switch (v.type) {
    case DataType::kDouble: {
      char text[32];
      const auto end = std::to_chars(text, text + sizeof text, v.real).ptr;  // shortest round-trip form
      return std::string(text, end);
    }
    case DataType::kString:
      return "'" + v.text + "'";
    default:
      return std::to_string(v.integer);
  }
}

template <template <bool> class Extreme>
std::unique_ptr<AggregateFunction> extreme(bool max, std::vector<DataType> types) {
  if (max) return std::make_unique<Extreme<true>>(std::move(types));
  return std::make_unique<Extreme<false>>(std::move(types));
}

Expected<std::unique_ptr<AggregateFunction>> make_plain(AggregateKind kind, std::string_view name,
                                                        std::vector<DataType> types,
                                                        const std::vector<Value>& constants) {
  const size_t given = types.size() + constants.size();
  switch (kind) {
    case AggregateKind::kCount: {
      if (!constants.empty() || types.size() > 1) {
        return arity_error(name, "one argument or * (count of several expressions is not supported)", given);
      }
      const bool star = types.empty();
      return std::unique_ptr<AggregateFunction>(std::make_unique<Count>(star, std::move(types)));
    }
    case AggregateKind::kSum:
    case AggregateKind::kAvg: {
      if (given != 1 || types.size() != 1) return arity_error(name, "1 argument", given);
      const DataType t = types[0];
      if (t == DataType::kBoolean || t == DataType::kTimestamp) {
        return type_error(name, types, 0,
                          "a numeric argument (int, bigint, double, or a string cast to double)");
      }
      // Spark's implicit casts: a string (or a bare NULL) is summed and averaged as a double.
      if (t == DataType::kString || t == DataType::kNull) types[0] = DataType::kDouble;
      if (kind == AggregateKind::kAvg)
        return std::unique_ptr<AggregateFunction>(std::make_unique<Avg>(std::move(types)));
      if (types[0] == DataType::kDouble) {
        return std::unique_ptr<AggregateFunction>(std::make_unique<SumDouble>(std::move(types)));
      }
      return std::unique_ptr<AggregateFunction>(std::make_unique<SumIntegral>(std::move(types)));
    }
    case AggregateKind::kMin:
    case AggregateKind::kMax: {
      if (given != 1 || types.size() != 1) return arity_error(name, "1 argument", given);
      const bool max = kind == AggregateKind::kMax;
      switch (types[0]) {
        case DataType::kDouble:
          return extreme<ExtremeDouble>(max, std::move(types));
        case DataType::kString:
          return extreme<ExtremeString>(max, std::move(types));
        default:
          return extreme<ExtremeIntegral>(max, std::move(types));
      }
    }
    case AggregateKind::kApproxCountDistinct: {
      if (types.size() != 1 || constants.size() > 1) return arity_error(name, "1 or 2 arguments", given);
      double rsd = HyperLogLogPlusPlus::kDefaultRsd;
      if (!constants.empty()) {
        const Value& c = constants[0];
        if (c.null || c.type != DataType::kDouble) {
          return Error{
              std::string(name) +
              ": argument 2 (the relative standard deviation) must be a double literal such as 0.05, not " +
              (c.null ? std::string("NULL") : std::string(data_type_name(c.type)) + " " + literal_text(c))};
        }
        rsd = c.real;
      }
      const int p = HyperLogLogPlusPlus::precision_for(rsd);
      if (p < HyperLogLogPlusPlus::kMinPrecision) {
        return Error{std::string(name) + ": argument 2 (the relative standard deviation) is " +
                     literal_text(constants[0]) +
                     "; it must be a positive number at most 0.39 (HyperLogLog++ needs at least 4 bits of "
                     "register index)"};
      }
      if (p > HyperLogLogPlusPlus::kMaxPrecision) {
        return Error{std::string(name) + ": argument 2 (the relative standard deviation) is " +
                     literal_text(constants[0]) + ", which needs 2^" + std::to_string(p) +
                     " registers a group; the smallest accepted is 0.0022 (2^18 registers, 205 KiB a group)"};
      }
      return std::unique_ptr<AggregateFunction>(std::make_unique<ApproxCountDistinct>(p, std::move(types)));
    }
    case AggregateKind::kPercentileApprox: {
      if (types.size() != 1 || constants.empty() || constants.size() > 2) {
        return arity_error(name, "2 or 3 arguments (a column, a percentage, an optional accuracy)", given);
      }
      DataType t = types[0];
      if (t == DataType::kBoolean) {
        return type_error(name, types, 0, "a numeric or timestamp argument (int, bigint, double, timestamp)");
      }
      if (t == DataType::kString || t == DataType::kNull)
        types[0] = DataType::kDouble;  // Spark's implicit cast
      const Value& p = constants[0];
      if (p.null || !is_numeric(p.type)) {
        return Error{
            std::string(name) +
            ": argument 2 (the percentage) must be a numeric literal between 0.0 and 1.0, not " +
            (p.null ? std::string("NULL") : std::string(data_type_name(p.type)) + " " + literal_text(p))};
      }
      const double percentage = p.type == DataType::kDouble ? p.real : static_cast<double>(p.integer);
      if (!(percentage >= 0.0 && percentage <= 1.0)) {
        return Error{std::string(name) + ": argument 2 (the percentage) must be between 0.0 and 1.0, got " +
                     literal_text(p)};
      }
      int64_t accuracy = QuantileSketch::kDefaultAccuracy;
      if (constants.size() == 2) {
        const Value& a = constants[1];
        if (a.null || !is_integral(a.type)) {
          return Error{
              std::string(name) + ": argument 3 (the accuracy) must be an integer literal, not " +
              (a.null ? std::string("NULL") : std::string(data_type_name(a.type)) + " " + literal_text(a))};
        }
        if (a.integer <= 0 || a.integer > std::numeric_limits<int32_t>::max()) {
          return Error{std::string(name) +
                       ": argument 3 (the accuracy) must be between 1 and 2147483647, got " +
                       literal_text(a)};
        }
        accuracy = a.integer;
      }
      return std::unique_ptr<AggregateFunction>(
          std::make_unique<PercentileApprox>(percentage, accuracy, std::move(types)));
    }
  }
  return Error{"unknown aggregate"};
}

}  // namespace

void AggregateFunction::add(char* place, const Value& value) const {
  if (value.null) return add_null(place);
  switch (value.type) {
    case DataType::kNull:
      return add_null(place);
    case DataType::kDouble:
      return add_double(place, value.real);
    case DataType::kString:
      return add_string(place, value.text);
    default:
      return add_int64(place, value.integer);
  }
}

bool AggregateFunction::deserialize(char* place, std::string_view in) const {
  std::string why;
  return decode(place, in, why);
}

bool AggregateFunction::deserialize(char* place, std::string_view in, std::string& why) const {
  return decode(place, in, why);
}

Expected<std::unique_ptr<AggregateFunction>> make_aggregate(std::string_view name,
                                                            std::vector<DataType> argument_types,
                                                            std::vector<Value> constant_arguments,
                                                            bool distinct) {
  const std::string key = lower(name);
  AggregateKind kind;
  if (key == "count") {
    kind = AggregateKind::kCount;
  } else if (key == "sum") {
    kind = AggregateKind::kSum;
  } else if (key == "avg" || key == "mean") {
    kind = AggregateKind::kAvg;
  } else if (key == "min") {
    kind = AggregateKind::kMin;
  } else if (key == "max") {
    kind = AggregateKind::kMax;
  } else if (key == "approx_count_distinct") {
    kind = AggregateKind::kApproxCountDistinct;
  } else if (key == "percentile_approx" || key == "approx_percentile") {
    kind = AggregateKind::kPercentileApprox;
  } else {
    return Error{"unknown aggregate function " + std::string(name) +
                 "; the aggregates are count, sum, avg (mean), min, max, approx_count_distinct and "
                 "percentile_approx (approx_percentile)"};
  }
  if (distinct && argument_types.empty()) {
    return Error{key + "(DISTINCT ...) needs an argument: count(DISTINCT *) is not SQL"};
  }
  auto plain = make_plain(kind, key, std::move(argument_types), constant_arguments);
  if (!plain.ok()) return plain;
  // DISTINCT changes nothing for these, so it costs nothing either.
  if (!distinct || kind == AggregateKind::kMin || kind == AggregateKind::kMax ||
      kind == AggregateKind::kApproxCountDistinct) {
    return plain;
  }
  std::unique_ptr<AggregateFunction> inner = std::move(plain).value();
  if (inner->argument_types().front() == DataType::kString) {
    return std::unique_ptr<AggregateFunction>(std::make_unique<Distinct<DistinctStrings>>(std::move(inner)));
  }
  return std::unique_ptr<AggregateFunction>(std::make_unique<Distinct<DistinctNumbers>>(std::move(inner)));
}

}  // namespace logstream
