// --format spark-seed as a table: the seed's logsDF (host, timestamp, method, endpoint, protocol, status,
// content_size), each column regexp_extract of one of the seed's Java patterns with Spark's semantics.
// Only the patterns of the columns a query reads are compiled, all into one database scanned once a chunk.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/pattern_set.h"

namespace logstream {

enum class SeedColumn : uint8_t { kHost, kTimestamp, kMethod, kEndpoint, kProtocol, kStatus, kContentSize };
inline constexpr size_t kSeedColumnCount = 7;

// The column names of logsDF, in its order.
std::string_view seed_column_name(SeedColumn column) noexcept;

// The columns a query reads (Catalyst prunes the seed's select the same way).
class SeedColumnSet {
 public:
  constexpr SeedColumnSet() = default;
  constexpr SeedColumnSet(std::initializer_list<SeedColumn> columns) {
    for (SeedColumn c : columns) bits_ |= bit(c);
  }
  static constexpr SeedColumnSet all() {
    SeedColumnSet set;
    set.bits_ = (1u << kSeedColumnCount) - 1;
    return set;
  }
  constexpr SeedColumnSet with(SeedColumn c) const noexcept {
    SeedColumnSet set = *this;
    set.bits_ |= bit(c);
    return set;
  }
  constexpr bool has(SeedColumn c) const noexcept { return (bits_ & bit(c)) != 0; }
  constexpr bool empty() const noexcept { return bits_ == 0; }
  // method, endpoint and protocol are groups 1-3 of one pattern, generalExp.
  constexpr bool needs_request() const noexcept {
    return has(SeedColumn::kMethod) || has(SeedColumn::kEndpoint) || has(SeedColumn::kProtocol);
  }

 private:
  static constexpr unsigned bit(SeedColumn c) { return 1u << static_cast<unsigned>(c); }
  unsigned bits_ = 0;
};

// One chunk's rows, column by column. `lines` holds every row (the line's value, without its terminator);
// a column the scanner was not asked for stays empty, a requested one has one entry per row. Strings are
// views into the chunk ("" is an empty view); the ints are null where Spark's cast gives null.
struct SeedColumnBatch {
  std::vector<std::string_view> lines;
  std::vector<std::string_view> host, timestamp, method, endpoint, protocol;
  std::vector<std::optional<int32_t>> status, content_size;

  size_t rows() const noexcept { return lines.size(); }
};

class SeedColumnScanner {
 public:
  // The seed's patterns, as the lesson writes them (Java syntax).
  static constexpr std::string_view kHostExp = R"((^\S+\.[\S+\.]+\S+)\s)";
  static constexpr std::string_view kTimeExp = R"(\[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} -\d{4})])";
  static constexpr std::string_view kGeneralExp = R"(\"(\S+)\s(\S+)\s*(\S*)\")";
  static constexpr std::string_view kStatusExp = R"(\s(\d{3})\s)";
  static constexpr std::string_view kContentSizeExp = R"(\s(\d+)$)";

  class Context {
   private:
    friend class SeedColumnScanner;
    struct Match {
      uint32_t anchor;  // a byte of the line the match belongs to (its last byte, or the line's terminator)
      uint32_t pattern;
    };
    PatternSet::Scratch scratch_;
    std::vector<Match> matches_;  // reused from chunk to chunk: no allocation once warm
  };

  // Compiles the patterns of `columns` (none when only the lines are needed).
  static Expected<SeedColumnScanner> create(SeedColumnSet columns);
  Expected<Context> make_context() const;

  SeedColumnSet columns() const noexcept { return columns_; }
  // How many Hyperscan patterns the columns needed (statusExp counts two, see SeedStatusScanner).
  size_t compiled_patterns() const noexcept { return compiled_patterns_; }

  // Fills `out` with the rows of `chunk`, a buffer of whole lines (a line ends at "\n", "\r\n" or "\r"; the
  // last may lack its terminator). Returns HS_SUCCESS, or the error of a failed Hyperscan scan, in which
  // case `out` is incomplete and must not be used (PatternSet::error_text names it).
  //
  // A line longer than a chunk (ChunkShape::kLinePiece) is not this function's input: for such a line the
  // caller keeps SeedStatusScanner's exact piece-by-piece status, and the other columns are "" and null
  // (Spark would still extract them; lines over --chunk-size, 1 MiB by default, are the only difference).
  [[nodiscard]] hs_error_t process(Context& context, std::string_view chunk,
                                   SeedColumnBatch& out) const noexcept;

 private:
  SeedColumnScanner(SeedColumnSet columns, size_t compiled_patterns, std::optional<PatternSet> patterns)
      : columns_(columns), compiled_patterns_(compiled_patterns), patterns_(std::move(patterns)) {}

  SeedColumnSet columns_;
  size_t compiled_patterns_;
  std::optional<PatternSet> patterns_;  // empty when no column needs a pattern
};

}  // namespace logstream
