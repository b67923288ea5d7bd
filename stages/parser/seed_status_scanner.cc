#include "stages/parser/seed_status_scanner.h"

#include "stages/core/line_terminators.h"

namespace logstream {
namespace {

int three_digit_value(const char* p) noexcept {
  return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

}  // namespace

Expected<SeedStatusScanner> SeedStatusScanner::create() {
  std::vector<PatternSpec> specs;
  for (std::string_view expression : kChunkSafeStatusExpressions)
    specs.push_back({std::string(expression), 0, 0});
  auto patterns = PatternSet::create(specs);
  if (!patterns) return Error{patterns.error()};
  return SeedStatusScanner(std::move(patterns).value());
}

Expected<SeedStatusScanner::Context> SeedStatusScanner::make_context() const {
  auto scratch = patterns_.make_scratch();
  if (!scratch) return Error{scratch.error()};
  Context context;
  context.scratch_ = std::move(scratch).value();
  return context;
}

void SeedStatusScanner::process(Context& context, Chunk& chunk) const noexcept {
  const char* data = chunk.data();
  const char* end = data + chunk.size;

  if (chunk.shape == ChunkShape::kLinePiece) {
    // Matches arrive by end offset; with a fixed width that is also leftmost-start order.
    auto first_match = [&](unsigned, size_t to) {
      chunk.piece.has_status = true;
      chunk.piece.status = three_digit_value(data + to - kMatchWidth + 1);
      return false;  // stop: the first match is the only one that matters
    };
    patterns_.scan(data, chunk.size, context.scratch_, first_match);
    return;
  }

  LineCounts& counts = chunk.counts;
  const size_t lines = count_lines(data, end);
  size_t lines_with_status = 0;
  size_t current_line_end = 0;  // offset of the terminator of the last line that already has its status
  bool have_line = false;
  auto first_per_line = [&](unsigned, size_t to) {
    const size_t from = to - kMatchWidth;
    if (have_line && from < current_line_end) return true;  // a later match on a line already counted
    counts.count_status(three_digit_value(data + from + 1));
    ++lines_with_status;
    current_line_end = static_cast<size_t>(find_line_terminator(data + to, end) - data);
    have_line = true;
    return true;
  };
  patterns_.scan(data, chunk.size, context.scratch_, first_per_line);
  counts.lines_read += lines;
  counts.null_status += lines - lines_with_status;
}

}  // namespace logstream
