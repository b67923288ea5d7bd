// --format spark-seed: the status column of the seed's query, `regexp_extract(value, "\s(\d{3})\s", 1)
// .cast("integer")`, with Spark's semantics: the leftmost match on each line, null when there is none.
// One Hyperscan scan per chunk finds every candidate; a walk over the matches keeps the first per line.
#pragma once

#include <string_view>
#include <vector>

#include "stages/core/chunk.h"
#include "stages/core/expected.h"
#include "stages/core/pattern_set.h"

namespace logstream {

class SeedStatusScanner {
 public:
  // The seed's statusExp, as the user wrote it.
  static constexpr std::string_view kSeedStatusExpression = R"(\s(\d{3})\s)";

  // The form compiled for chunk scanning. A line value never contains '\r' or '\n' (they end it), so
  // inside one line "\s" is exactly [\t\x0B\f ]; excluding the terminators keeps every match inside a
  // single line without one scan per line. Java's \s and \d are ASCII-only, as here. The leading class
  // is split into a space and the three rare bytes: the two alternatives match disjoint windows (so each
  // window still matches once), and Hyperscan accelerates the rare-byte one far better (+33% measured).
  static constexpr std::string_view kChunkSafeStatusExpressions[] = {
      R"( [0-9]{3}[\t\x0B\x0C ])",
      R"([\t\x0B\x0C][0-9]{3}[\t\x0B\x0C ])",
  };

  // Width of every match; a long line is cut into pieces that overlap by kMatchWidth - 1 bytes so a match
  // straddling two pieces is found exactly once.
  static constexpr size_t kMatchWidth = 5;

  class Context {
   private:
    friend class SeedStatusScanner;
    PatternSet::Scratch scratch_;
    std::vector<size_t> match_starts_;  // reused from chunk to chunk: no allocation once warm
  };

  static Expected<SeedStatusScanner> create();
  Expected<Context> make_context() const;

  // Counts every line of a kWholeLines chunk into chunk.counts, or fills chunk.piece for a kLinePiece.
  void process(Context& context, Chunk& chunk) const noexcept;

 private:
  explicit SeedStatusScanner(PatternSet patterns) : patterns_(std::move(patterns)) {}
  PatternSet patterns_;
};

}  // namespace logstream
