// Per-line work that a query adds to the parse beyond the status (today: the alert rules counted per
// line). The parser knows only this interface, so what implements it depends on the parser and never the
// other way round.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "stages/core/expected.h"
#include "stages/core/line_counts.h"
#include "stages/parser/log_format.h"

namespace logstream {

class LineObserver {
 public:
  // Per-thread scratch, made once per parser thread.
  class Context {
   public:
    virtual ~Context() = default;
  };

  virtual ~LineObserver() = default;

  // Why a file in `format` (named `format_name`, e.g. "custom") cannot give what the observer reads; a
  // null `format` stands for spark-seed, which gives only the status. nullopt when it can.
  virtual std::optional<std::string> unanswerable(const LogFormat* format,
                                                  std::string_view format_name) const = 0;
  virtual Expected<std::unique_ptr<Context>> make_context() const = 0;
  // Each accepted line of a chunk, in order (its views stay valid until finish_chunk).
  virtual void observe(Context& context, const ParsedLine& line) const = 0;
  // Folds the chunk's lines into `counts` and clears the context. Returns the failed Hyperscan result of
  // the chunk, or 0 (see PatternSet::failed).
  [[nodiscard]] virtual int finish_chunk(Context& context, LineCounts& counts) const = 0;
};

}  // namespace logstream
