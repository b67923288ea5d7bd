#include "stages/query/quantile_sketch.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "stages/query/state_codec.h"

namespace logstream {
namespace {

// Java's Double.compare order: -0.0 before 0.0, NaN after everything (and equal to itself).
bool before(double a, double b) noexcept {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  if (a != b) return a < b;
  return std::signbit(a) && !std::signbit(b);
}

using state_codec::bits_of;
using state_codec::double_of;
using state_codec::put_u32;
using state_codec::put_u64;
using state_codec::Reader;

// GK's COMPRESS as Spark runs it: from the largest sample down, fold a sample into its successor while
// their combined g + delta stays under the threshold; the smallest and the largest samples are kept.
void compress_samples(std::vector<QuantileSketch::Sample>& samples, double threshold) {
  if (samples.size() <= 2) return;
  std::vector<QuantileSketch::Sample> kept;  // built from the largest down, reversed at the end
  kept.reserve(samples.size());
  QuantileSketch::Sample head = samples.back();
  for (size_t i = samples.size() - 2; i >= 1; --i) {
    const QuantileSketch::Sample& sample = samples[i];
    if (static_cast<double>(sample.g + head.g + head.delta) < threshold) {
      head.g += sample.g;
    } else {
      kept.push_back(head);
      head = sample;
    }
  }
  kept.push_back(head);
  if (!before(head.value, samples.front().value)) kept.push_back(samples.front());
  std::reverse(kept.begin(), kept.end());
  samples = std::move(kept);
}

}  // namespace

QuantileSketch::QuantileSketch(int64_t accuracy) noexcept
    : accuracy_(std::clamp<int64_t>(accuracy, 1, std::numeric_limits<int32_t>::max())),
      relative_error_(1.0 / static_cast<double>(accuracy_)) {}

void QuantileSketch::insert(double value) {
  head_.push_back(value);
  compressed_ = false;
  if (head_.size() < kHeadSize) return;
  insert_head();
  // Spark compresses at its threshold, and PercentileDigest also once the samples reach 4 / e (which is
  // the smaller one at accuracies under 2500). Checked here, after an insertion, the only time the
  // samples grow: Spark checks on every value, which recompresses without end when compression cannot
  // get under 4 / e.
  const size_t digest_threshold = static_cast<size_t>(1.0 / relative_error_) * 4;
  if (samples_.size() >= std::min(kCompressThreshold, digest_threshold)) compress();
}

void QuantileSketch::insert_head() {
  if (head_.empty()) return;
  std::sort(head_.begin(), head_.end(), before);
  std::vector<Sample> merged;
  merged.reserve(samples_.size() + head_.size());
  size_t next = 0;
  for (const double value : head_) {
    while (next < samples_.size() && !before(value, samples_[next].value)) merged.push_back(samples_[next++]);
    // The value's rank among the old values is known up to the uncertainty between its neighbours:
    // GK's insertion rule. None below the old minimum or above the old maximum (both kept exactly).
    const bool between = next > 0 && next < samples_.size();
    merged.push_back(Sample{value, 1, between ? samples_[next].g + samples_[next].delta - 1 : 0});
  }
  merged.insert(merged.end(), samples_.begin() + static_cast<std::ptrdiff_t>(next), samples_.end());
  samples_ = std::move(merged);
  sampled_count_ += static_cast<int64_t>(head_.size());
  head_.clear();
}

bool QuantileSketch::holds_every_value() const noexcept {
  return std::all_of(samples_.begin(), samples_.end(),
                     [](const Sample& s) { return s.g == 1 && s.delta == 0; });
}

void QuantileSketch::compress() {
  insert_head();
  compress_samples(samples_, 2 * relative_error_ * static_cast<double>(sampled_count_));
  compressed_ = true;
}

void QuantileSketch::merge(const QuantileSketch& other_in) {
  if (&other_in == this) {
    const QuantileSketch copy = other_in;
    return merge(copy);
  }
  if (other_in.holds_every_value()) {
    // Nothing summarized yet (every per-chunk partial below accuracy / 2 values): its values go in as if
    // they had been added here, and no uncertainty is added at all.
    for (const Sample& s : other_in.samples_) insert(s.value);
    for (const double v : other_in.head_) insert(v);
    return;
  }
  insert_head();
  const QuantileSketch* other = &other_in;
  QuantileSketch flushed(0);
  if (!other_in.head_.empty()) {
    flushed = other_in;
    flushed.insert_head();
    other = &flushed;
  }
  // A sample of one side that falls between two samples of the other is uncertain by what the other
  // side does not know between them: g + delta - 1 of the other side's next sample (Spark adds the
  // other side's largest possible uncertainty, 2 e n, to every such sample, which grows a sketch without
  // bound under many merges). Samples below or above the other side's range keep their delta.
  const std::vector<Sample>& a = samples_;
  const std::vector<Sample>& b = other->samples_;
  std::vector<Sample> merged;
  merged.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (before(a[i].value, b[j].value)) {
      Sample s = a[i++];
      if (j > 0) s.delta += b[j].g + b[j].delta - 1;
      merged.push_back(s);
    } else {
      Sample s = b[j++];
      if (i > 0) s.delta += a[i].g + a[i].delta - 1;
      merged.push_back(s);
    }
  }
  merged.insert(merged.end(), a.begin() + static_cast<std::ptrdiff_t>(i), a.end());
  merged.insert(merged.end(), b.begin() + static_cast<std::ptrdiff_t>(j), b.end());
  samples_ = std::move(merged);
  sampled_count_ += other->sampled_count_;
  compress_samples(samples_, 2 * relative_error_ * static_cast<double>(sampled_count_));
  compressed_ = true;
}

std::optional<double> QuantileSketch::query(double q) const {
  if (!compressed_) {
    QuantileSketch copy = *this;
    copy.compress();
    return copy.query(q);
  }
  if (samples_.empty()) return std::nullopt;
  if (q <= relative_error_) return samples_.front().value;
  if (q >= 1 - relative_error_) return samples_.back().value;
  const auto rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(sampled_count_)));
  int64_t widest = 0;
  for (const Sample& s : samples_) widest = std::max(widest, s.g + s.delta);
  const int64_t target_error = widest / 2;
  int64_t min_rank = 0;
  for (size_t i = 0; i + 1 < samples_.size(); ++i) {
    min_rank += samples_[i].g;
    const int64_t max_rank = min_rank + samples_[i].delta;
    if (max_rank - target_error <= rank && rank <= min_rank + target_error) return samples_[i].value;
  }
  return samples_.back().value;
}

size_t QuantileSketch::allocated_bytes() const noexcept {
  return samples_.capacity() * sizeof(Sample) + head_.capacity() * sizeof(double);
}

void QuantileSketch::serialize(std::string& out) const {
  put_u64(out, static_cast<uint64_t>(accuracy_));
  out.push_back(compressed_ ? 1 : 0);
  put_u64(out, static_cast<uint64_t>(sampled_count_));
  put_u32(out, static_cast<uint32_t>(samples_.size()));
  for (const Sample& s : samples_) {
    put_u64(out, bits_of(s.value));
    put_u64(out, static_cast<uint64_t>(s.g));
    put_u64(out, static_cast<uint64_t>(s.delta));
  }
  put_u32(out, static_cast<uint32_t>(head_.size()));
  for (double v : head_) put_u64(out, bits_of(v));
}

bool QuantileSketch::deserialize(std::string_view in, std::string& why) {
  Reader reader(in);
  uint64_t accuracy = 0, count = 0;
  uint8_t compressed = 0;
  uint32_t samples = 0, buffered = 0;
  if (!reader.u64(accuracy) || !reader.u8(compressed) || !reader.u64(count) || !reader.u32(samples)) {
    why = "percentile sketch truncated in its header";
    return false;
  }
  if (accuracy != static_cast<uint64_t>(accuracy_)) {
    why = "percentile sketch of accuracy " + std::to_string(accuracy) + ", expected " +
          std::to_string(accuracy_);
    return false;
  }
  if (compressed > 1) {
    why = "percentile sketch with a compressed flag of " + std::to_string(compressed);
    return false;
  }
  if (count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    why = "percentile sketch with a negative count";
    return false;
  }
  if (reader.left() < uint64_t{samples} * 24 + 4) {  // before allocating anything
    why = "percentile sketch truncated in its samples";
    return false;
  }
  std::vector<Sample> decoded(samples);
  uint64_t total = 0;
  for (Sample& s : decoded) {
    uint64_t value = 0, g = 0, delta = 0;
    reader.u64(value);
    reader.u64(g);
    reader.u64(delta);
    if (g < 1 || g > count || delta > count) {
      why = "percentile sketch with a sample of g " + std::to_string(static_cast<int64_t>(g)) +
            " and delta " + std::to_string(static_cast<int64_t>(delta)) + " for " + std::to_string(count) +
            " values";
      return false;
    }
    s = Sample{double_of(value), static_cast<int64_t>(g), static_cast<int64_t>(delta)};
    if (&s != decoded.data() && before(s.value, (&s - 1)->value)) {
      why = "percentile sketch with samples out of order";
      return false;
    }
    total += g;  // no overflow: each g <= count < 2^63, and the sum is checked as it grows
    if (total > count) break;
  }
  if (total != count) {
    why = "percentile sketch whose samples cover " + std::to_string(total) + " values, not " +
          std::to_string(count);
    return false;
  }
  reader.u32(buffered);
  if (buffered >= kHeadSize || reader.left() != uint64_t{buffered} * 8 || (buffered > 0 && compressed)) {
    why = buffered >= kHeadSize || (buffered > 0 && compressed)
              ? "percentile sketch with an impossible buffer of " + std::to_string(buffered) + " values"
              : "percentile sketch of the wrong length";
    return false;
  }
  std::vector<double> head(buffered);
  for (double& v : head) {
    uint64_t bits = 0;
    reader.u64(bits);
    v = double_of(bits);
  }
  samples_ = std::move(decoded);
  head_ = std::move(head);
  sampled_count_ = static_cast<int64_t>(count);
  compressed_ = compressed == 1;
  return true;
}

}  // namespace logstream
