#include "stages/parser/pattern_set.h"

namespace logstream {

Expected<PatternSet> PatternSet::create(const std::vector<PatternSpec>& patterns) {
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  for (const PatternSpec& p : patterns) {
    expressions.push_back(p.expression.c_str());
    flags.push_back(p.flags);
    ids.push_back(p.id);
  }
  hs_database_t* database = nullptr;
  hs_compile_error_t* compile_error = nullptr;
  const hs_error_t rc =
      hs_compile_multi(expressions.data(), flags.data(), ids.data(), static_cast<unsigned>(patterns.size()),
                       HS_MODE_BLOCK, nullptr, &database, &compile_error);
  if (rc != HS_SUCCESS) {
    std::string message = "cannot compile pattern";
    if (compile_error) {
      if (compile_error->expression >= 0 &&
          static_cast<size_t>(compile_error->expression) < patterns.size()) {
        message += " '" + patterns[static_cast<size_t>(compile_error->expression)].expression + "'";
      }
      message += std::string(": ") + compile_error->message;
      hs_free_compile_error(compile_error);
    }
    return Error{message};
  }
  PatternSet set;
  set.database_.reset(database, FreeDatabase{});
  return set;
}

Expected<PatternSet::Scratch> PatternSet::make_scratch() const {
  hs_scratch_t* raw = nullptr;
  if (hs_alloc_scratch(database_.get(), &raw) != HS_SUCCESS) {
    return Error{"cannot allocate Hyperscan scratch space"};
  }
  Scratch scratch;
  scratch.scratch_.reset(raw);
  return scratch;
}

}  // namespace logstream
