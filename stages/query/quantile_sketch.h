// The sketch behind percentile_approx: Greenwald-Khanna quantile summaries with the insertion buffer,
// compression and query of Spark's QuantileSummaries / PercentileDigest, mergeable and serializable.
//
// Guarantee (GK; Spark documents it as "1.0/accuracy is the relative error"): with e = 1 / accuracy and n
// values, query(q) returns one of the values whose rank (1-based; any of its ranks when it repeats) is
// within ceil(e n) of ceil(q n), after any sequence of inserts and merges. q <= e gives the minimum and
// q >= 1 - e the maximum, as in Spark. Exact while n < accuracy / 2 (5,000 values at the default),
// however the values were split and merged: the value of rank ceil(q n), which is Spark's answer too.
//
// Where it departs from Spark, beyond that exact range (the answers stay within the guarantee; Spark's
// own answer there depends on how its input was partitioned):
// - Deltas are GK's own: a value inserted between two samples is uncertain by g + delta - 1 of the next
//   one, and a merge widens a sample by what the other side leaves open around it. Spark gives every
//   insert 2 e n and widens every sample that interleaves the other side by 2 e n_other; under many
//   merges of partials (the merge stage folding a partial per chunk) that inflation keeps compression
//   from ever merging a sample, and the sketch grows with n (measured: 545,000 samples after 10^6
//   values in partials of 3,000 at accuracy 1000; 720 here, the same as one pass).
// - A sketch that still holds every value exactly (no sample merged, no delta: every per-chunk partial
//   below accuracy / 2 values) is merged by inserting its values, which adds no uncertainty at all.
// - The insertion buffer holds 4096 values, not 50,000 (Spark's buffer alone is 400 KB a group).
// Values order as Java's Double.compare: -0.0 before 0.0, NaN after everything.
//
// Memory: 24 bytes per kept sample + 8 per buffered value, plus the 80-byte object. Measured at the
// default accuracy after 10^6 values (tests/unit/aggregates_test.cc): about 7,500 samples (180 KB) in
// one pass or through per-chunk partials, about 26,000 merging 7 large sketches, about 33,000 when the
// 10^6 values have only 1,000 distinct values (GK keeps repeats apart; Spark's keeps as many).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logstream {

class QuantileSketch {
 public:
  struct Sample {
    double value;
    int64_t g;      // minimum rank of this sample minus the previous sample's minimum rank
    int64_t delta;  // maximum rank minus minimum rank
  };

  static constexpr size_t kHeadSize = 4096;            // values buffered before a sorted insertion
  static constexpr size_t kCompressThreshold = 10000;  // Spark's defaultCompressThreshold
  static constexpr int64_t kDefaultAccuracy = 10000;   // Spark's DEFAULT_PERCENTILE_ACCURACY

  explicit QuantileSketch(int64_t accuracy = kDefaultAccuracy) noexcept;  // 1..INT32_MAX

  void insert(double value);
  void merge(const QuantileSketch& other);
  // The value at quantile q in [0, 1]; nullopt when empty. A const query of an uncompressed sketch
  // compresses a copy, as Spark compresses before it queries.
  std::optional<double> query(double q) const;

  int64_t accuracy() const noexcept { return accuracy_; }
  int64_t count() const noexcept { return sampled_count_ + static_cast<int64_t>(head_.size()); }
  size_t sample_count() const noexcept { return samples_.size(); }  // kept samples (not the buffer)
  size_t allocated_bytes() const noexcept;

  // Little-endian: accuracy, compressed flag, count of sampled values, the samples, the buffer.
  void serialize(std::string& out) const;
  // Replaces this sketch with the encoded one, or leaves it unchanged and says why: a sketch of another
  // accuracy, a length that does not match, samples out of order, g < 1, delta < 0, counts that disagree.
  bool deserialize(std::string_view in, std::string& why);

 private:
  void insert_head();                       // Spark's withHeadBufferInserted, with GK's own deltas
  bool holds_every_value() const noexcept;  // every sample one value, known exactly (g 1, delta 0)
  void compress();  // insert the buffer, then merge neighbours whose g + delta stays under 2 e n

  int64_t accuracy_;
  double relative_error_;
  int64_t sampled_count_ = 0;  // values inserted into samples_ (not those still in head_)
  bool compressed_ = true;     // Spark's PercentileDigest.isCompressed: compress() before a query/merge
  std::vector<Sample> samples_;
  std::vector<double> head_;
};

}  // namespace logstream
