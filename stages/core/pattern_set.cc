#include "stages/core/pattern_set.h"

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

std::optional<std::string> PatternSet::compile_error(const std::string& expression, unsigned flags) {
  hs_database_t* database = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile(expression.c_str(), flags, HS_MODE_BLOCK, nullptr, &database, &error) == HS_SUCCESS) {
    hs_free_database(database);
    return std::nullopt;
  }
  std::string reason = error ? error->message : "Hyperscan failed without a reason";
  if (error) hs_free_compile_error(error);
  return reason;
}

std::string PatternSet::error_text(hs_error_t result) {
  const char* name = "an unknown Hyperscan error";
  switch (result) {
    case HS_INVALID:
      name = "HS_INVALID: a parameter (database or scratch) was invalid";
      break;
    case HS_NOMEM:
      name = "HS_NOMEM: out of memory";
      break;
    case HS_SCAN_TERMINATED:
      name = "HS_SCAN_TERMINATED";
      break;
    case HS_COMPILER_ERROR:
      name = "HS_COMPILER_ERROR";
      break;
    case HS_DB_VERSION_ERROR:
      name = "HS_DB_VERSION_ERROR: the database was built by another Hyperscan version";
      break;
    case HS_DB_PLATFORM_ERROR:
      name = "HS_DB_PLATFORM_ERROR: the database was built for another platform";
      break;
    case HS_DB_MODE_ERROR:
      name = "HS_DB_MODE_ERROR: the database was built for another scan mode";
      break;
    case HS_BAD_ALIGN:
      name = "HS_BAD_ALIGN: a parameter was not correctly aligned";
      break;
    case HS_BAD_ALLOC:
      name = "HS_BAD_ALLOC: the allocator returned misaligned memory";
      break;
    case HS_SCRATCH_IN_USE:
      name = "HS_SCRATCH_IN_USE: the scratch space was already in use";
      break;
    case HS_ARCH_ERROR:
      name = "HS_ARCH_ERROR: this CPU lacks an instruction set Hyperscan needs";
      break;
    case HS_INSUFFICIENT_SPACE:
      name = "HS_INSUFFICIENT_SPACE";
      break;
    case HS_UNKNOWN_ERROR:
      name = "HS_UNKNOWN_ERROR";
      break;
    default:
      break;
  }
  return std::string(name) + " (code " + std::to_string(result) + ")";
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
