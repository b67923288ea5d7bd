// The aggregate functions of the query engine with Spark 3.4's semantics, behind one interface in the
// manner of ClickHouse's IAggregateFunction: one state type per function, living in memory the caller
// lays out (an arena row of a hash table, a dense array slot), with add / merge / serialize /
// deserialize / finalize. The same code serves per-thread partial aggregation (add), the merge stage
// (merge), checkpoints and scale-out (serialize / deserialize) and the result table (finalize).
//
// Functions (names are case-insensitive; result types are Spark's):
//   count(*)  count(x)  count(DISTINCT x)          bigint, never null
//   sum(x)        int, bigint -> bigint (wraps on overflow, as Spark 3.4 does with ANSI mode off, its
//                 default); double -> double; null when no non-null input
//   avg(x), mean  double (a double sum and a count, as Spark); null when no non-null input
//   min(x) max(x) any type, strings by their bytes, doubles with NaN largest; null when no input
//   approx_count_distinct(x [, rsd = 0.05])        bigint, never null; Spark's HyperLogLog++
//                 (hyperloglog.h: where our estimate equals Spark's and where it may not)
//   percentile_approx(x, p [, accuracy = 10000]), approx_percentile
//                 int, bigint, double, timestamp -> the same type; null when no input; Spark's GK
//                 sketch (quantile_sketch.h: the rank-error guarantee 1 / accuracy); p is one double in
//                 [0, 1] (arrays of p are not supported)
//   DISTINCT      count/sum/avg/percentile_approx keep the set of distinct non-null values (exact, and
//                 unbounded: the caller decides where it is allowed, Spark allows it in static queries
//                 only); min/max/approx_count_distinct ignore it (same result).
//
// Bytes of state per group (state_size(), on x86-64 with libstdc++; "+ heap" is allocated_bytes()):
//   count 8 | sum 16 | avg 16 | min/max of boolean, int, bigint, double, timestamp 16
//   min/max of string 40 + heap for strings over 15 bytes
//   approx_count_distinct 8 * (2^p / 10 + 1): 416 at the default rsd 0.05 (p = 9), 13,112 at rsd 0.01
//     (p = 14), 209,720 at the smallest rsd we accept, 0.0022 (p = 18; Spark accepts smaller ones)
//   percentile_approx 80 + heap: 24 bytes per kept sample + 8 per buffered value (quantile_sketch.h)
//   DISTINCT 56 + heap: a hash set, about 40 bytes per distinct number, 40 + the bytes per string
//
// The caller's contract:
// - argument_types are the types of the per-row arguments (none for count(*): Spark's count(1) may also
//   be passed as count of an int argument that is never null); constant_arguments are the literal
//   parameters after them (approx_count_distinct's rsd; percentile_approx's p and accuracy).
// - After make_aggregate, feed values of the function's argument_types(): Spark's implicit casts are
//   the caller's, e.g. sum or avg of a string column takes `CAST(x AS DOUBLE)` (argument_types() says
//   double). Each add_* call is one input row; add_null is a row whose argument is null (count(*)
//   counts it, everything else ignores it).
// - Typed fast paths: add_int64 for boolean (0/1), int, bigint and timestamp (microseconds) arguments,
//   add_double for double, add_string for string. add(Value) dispatches on the value's type.
// - place is state_size() bytes aligned to state_align(), given to create() before any other call and
//   to destroy() at the end (needed only when has_trivial_destroy() is false). merge(place, other) folds
//   in another state of the same function; other is unchanged.
// - serialize appends the state's bytes; deserialize(place, bytes) replaces a created state with the
//   decoded one, or returns false (with the reason) and leaves place a valid state, unchanged. The
//   bytes of a checkpoint are untrusted: every length is checked, a truncated or extended encoding is
//   refused, and so is anything no state could have produced (a wrong tag, a negative count, registers or
//   samples out of range, a distinct set out of order). The encoding is canonical: when deserialize
//   accepts bytes, serialize gives back exactly those bytes. Bit flips that leave a valid encoding are
//   not detected here (the checkpoint's own checksum is for that).
// - No threads inside; one state is used by one thread at a time; a function object is immutable and
//   shared freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/value.h"

namespace logstream {

enum class AggregateKind : uint8_t {
  kCount = 1,
  kSum,
  kAvg,
  kMin,
  kMax,
  kApproxCountDistinct,
  kPercentileApprox,
};

class AggregateFunction {
 public:
  virtual ~AggregateFunction() = default;

  AggregateKind kind() const noexcept { return kind_; }
  bool distinct() const noexcept { return distinct_; }
  DataType result_type() const noexcept { return result_type_; }
  // The per-row argument types after Spark's implicit casts: what add_* must be fed.
  const std::vector<DataType>& argument_types() const noexcept { return argument_types_; }

  virtual size_t state_size() const noexcept = 0;
  virtual size_t state_align() const noexcept = 0;
  virtual bool has_trivial_destroy() const noexcept = 0;
  virtual void create(char* place) const = 0;
  virtual void destroy(char* place) const noexcept = 0;
  // Heap bytes the state owns beyond state_size() (for stateOperators.memoryUsedBytes).
  virtual size_t allocated_bytes(const char* place) const noexcept = 0;

  virtual void add_int64(char* place, int64_t value) const = 0;
  virtual void add_double(char* place, double value) const = 0;
  virtual void add_string(char* place, std::string_view value) const = 0;
  virtual void add_null(char* place) const = 0;
  void add(char* place, const Value& value) const;

  virtual void merge(char* place, const char* other) const = 0;
  virtual void serialize(const char* place, std::string& out) const = 0;
  bool deserialize(char* place, std::string_view in) const;
  bool deserialize(char* place, std::string_view in, std::string& why) const;
  virtual Value finalize(const char* place) const = 0;

 protected:
  AggregateFunction(AggregateKind kind, bool distinct, DataType result_type,
                    std::vector<DataType> argument_types) noexcept
      : kind_(kind),
        distinct_(distinct),
        result_type_(result_type),
        argument_types_(std::move(argument_types)) {}

  virtual bool decode(char* place, std::string_view in, std::string& why) const = 0;

 private:
  AggregateKind kind_;
  bool distinct_;
  DataType result_type_;
  std::vector<DataType> argument_types_;
};

// The function `name` over arguments of these types, or an error naming the function and the argument:
// an unknown function, the wrong number of arguments, an argument of a type the function does not take,
// a parameter that is not a literal of the right type or is out of range.
Expected<std::unique_ptr<AggregateFunction>> make_aggregate(std::string_view name,
                                                            std::vector<DataType> argument_types,
                                                            std::vector<Value> constant_arguments,
                                                            bool distinct);

}  // namespace logstream
