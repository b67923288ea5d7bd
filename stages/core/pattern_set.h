// Every pattern we scan for, compiled once into one Hyperscan block-mode database; each scanning thread
// owns a scratch. A chunk is scanned in one call, never one call per line.
#pragma once

#include <hs.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stages/core/expected.h"

namespace logstream {

// RLIKE's patterns (the query's and the alert rules'): a pattern either matches a value or not, so one
// report per pattern is enough, and a pattern that matches the empty string matches every value.
inline constexpr unsigned kRlikePatternFlags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;

struct PatternSpec {
  std::string expression;
  unsigned flags = 0;  // HS_FLAG_*
  unsigned id = 0;
};

class PatternSet {
 public:
  // The only mutable state of a scan; one per thread.
  class Scratch {
   public:
    Scratch() = default;
    hs_scratch_t* get() const noexcept { return scratch_.get(); }

   private:
    friend class PatternSet;
    struct Free {
      void operator()(hs_scratch_t* s) const noexcept { hs_free_scratch(s); }
    };
    std::unique_ptr<hs_scratch_t, Free> scratch_;
  };

  // Compiles the patterns; the error names the pattern and Hyperscan's reason.
  static Expected<PatternSet> create(const std::vector<PatternSpec>& patterns);
  // Why one pattern does not compile on its own (Hyperscan's reason alone), or nullopt when it does: for
  // errors that point at the pattern where the user wrote it.
  static std::optional<std::string> compile_error(const std::string& expression, unsigned flags);

  Expected<Scratch> make_scratch() const;

  // A scan's result: HS_SUCCESS, HS_SCAN_TERMINATED (on_match asked to stop: deliberate), or an error
  // (scratch in use, a scratch or database that does not fit, out of memory) that must not pass as "no
  // match": the caller reports it and the query stops.
  static bool failed(hs_error_t result) noexcept {
    return result != HS_SUCCESS && result != HS_SCAN_TERMINATED;
  }
  // "HS_SCRATCH_IN_USE (-10): ..." for a failed scan's result.
  static std::string error_text(hs_error_t result);

  // Calls on_match(id, end_offset) for every match, in order of end offset. on_match returns true to go on.
  template <typename OnMatch>
  [[nodiscard]] hs_error_t scan(const char* data, size_t length, Scratch& scratch,
                                OnMatch& on_match) const noexcept {
    return hs_scan(database_.get(), data, static_cast<unsigned>(length), 0, scratch.get(),
                   &trampoline<OnMatch>, &on_match);
  }

  // The same with the start of each match: on_match(id, start_offset, end_offset). Needs patterns
  // compiled with HS_FLAG_SOM_LEFTMOST.
  template <typename OnMatch>
  [[nodiscard]] hs_error_t scan_with_start(const char* data, size_t length, Scratch& scratch,
                                           OnMatch& on_match) const noexcept {
    return hs_scan(database_.get(), data, static_cast<unsigned>(length), 0, scratch.get(),
                   &trampoline_with_start<OnMatch>, &on_match);
  }

 private:
  struct FreeDatabase {
    void operator()(hs_database_t* db) const noexcept { hs_free_database(db); }
  };

  template <typename OnMatch>
  static int trampoline_with_start(unsigned id, unsigned long long from, unsigned long long to,
                                   unsigned /*flags*/, void* context) {
    return (*static_cast<OnMatch*>(context))(id, static_cast<size_t>(from), static_cast<size_t>(to)) ? 0 : 1;
  }

  template <typename OnMatch>
  static int trampoline(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/,
                        void* context) {
    return (*static_cast<OnMatch*>(context))(id, static_cast<size_t>(to)) ? 0 : 1;
  }

  std::shared_ptr<hs_database_t> database_;
};

}  // namespace logstream
