#include "stages/query/bound_expr.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "stages/query/sql_ast.h"

namespace logstream {
namespace {

uint64_t mix(uint64_t h, uint64_t v) noexcept {
  // splitmix64's finalizer over the running hash and the next word: cheap and well spread.
  uint64_t x = h ^ (v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

uint64_t mix_bytes(uint64_t h, std::string_view bytes) noexcept {
  h = mix(h, bytes.size());
  for (size_t i = 0; i < bytes.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, std::min<size_t>(8, bytes.size() - i));
    h = mix(h, word);
  }
  return h;
}

uint64_t double_bits(double v) noexcept {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

// Literals are equal when they print the same: doubles by their bits (so -0.0 is not 0.0 here).
bool same_literal(const Value& a, const Value& b) noexcept {
  if (a.type != b.type || a.null != b.null) return false;
  if (a.null) return true;
  switch (a.type) {
    case DataType::kDouble:
      return double_bits(a.real) == double_bits(b.real);
    case DataType::kString:
      return a.text == b.text;
    default:
      return a.integer == b.integer;
  }
}

void append_literal(const Value& v, std::string& out) {
  if (v.null) {
    if (v.type == DataType::kNull) {
      out += "NULL";
    } else {
      out += "CAST(NULL AS ";
      out += data_type_sql(v.type);
      out += ')';
    }
    return;
  }
  switch (v.type) {
    case DataType::kBoolean:
      out += v.integer ? "true" : "false";
      return;
    case DataType::kInt:
      out += std::to_string(v.integer);
      return;
    case DataType::kBigint:
      out += std::to_string(v.integer) + "L";
      return;
    case DataType::kDouble: {
      if (std::isnan(v.real)) {
        out += "CAST('NaN' AS DOUBLE)";
        return;
      }
      if (std::isinf(v.real)) {
        out += v.real > 0 ? "CAST('Infinity' AS DOUBLE)" : "CAST('-Infinity' AS DOUBLE)";
        return;
      }
      char text[32];
      const auto end = std::to_chars(text, text + sizeof text, v.real).ptr;  // shortest round trip
      out.append(text, end);
      out += 'D';
      return;
    }
    case DataType::kString:
      sql::append_sql_string_literal(v.text, out);
      return;
    case DataType::kTimestamp:
      out += "TIMESTAMP_MICROS(" + std::to_string(v.integer) + ")";
      return;
    case DataType::kWindow:
      out += "named_struct('start', TIMESTAMP_MICROS(" + std::to_string(v.integer) +
             "), 'end', TIMESTAMP_MICROS(" + std::to_string(v.end) + "))";
      return;
    case DataType::kNull:
      return;
  }
}

void append(const BoundExpr& e, std::string& out);

void append_list(const BoundExpr& e, size_t from, std::string& out) {
  for (size_t i = from; i < e.children.size(); ++i) {
    if (i > from) out += ", ";
    append(e.child(i), out);
  }
}

void append(const BoundExpr& e, std::string& out) {
  switch (e.kind) {
    case BoundKind::kColumn:
      out += e.name;
      return;
    case BoundKind::kLiteral:
      append_literal(e.value, out);
      return;
    case BoundKind::kNegate:
      out += "(- ";
      append(e.child(0), out);
      out += ')';
      return;
    case BoundKind::kArithmetic:
    case BoundKind::kCompare:
      out += '(';
      append(e.child(0), out);
      out += ' ';
      out += op_text(e.op);
      out += ' ';
      append(e.child(1), out);
      out += ')';
      return;
    case BoundKind::kAnd:
    case BoundKind::kOr:
      out += '(';
      append(e.child(0), out);
      out += e.kind == BoundKind::kAnd ? " AND " : " OR ";
      append(e.child(1), out);
      out += ')';
      return;
    case BoundKind::kNot:
      out += "(NOT ";
      append(e.child(0), out);
      out += ')';
      return;
    case BoundKind::kIsNull:
      out += '(';
      append(e.child(0), out);
      out += e.negated ? " IS NOT NULL)" : " IS NULL)";
      return;
    case BoundKind::kIn:
      out += '(';
      append(e.child(0), out);
      out += " IN (";
      append_list(e, 1, out);
      out += "))";
      return;
    case BoundKind::kLike:
      out += '(';
      append(e.child(0), out);
      out += " LIKE ";
      sql::append_sql_string_literal(e.value.text, out);
      out += ')';
      return;
    case BoundKind::kRLike:
      out += '(';
      append(e.child(0), out);
      out += " RLIKE pattern#" + std::to_string(e.pattern) + ")";
      return;
    case BoundKind::kCase: {
      out += "CASE";
      const size_t branches = e.children.size() - (e.has_else ? 1 : 0);
      for (size_t i = 0; i + 1 < branches; i += 2) {
        out += " WHEN ";
        append(e.child(i), out);
        out += " THEN ";
        append(e.child(i + 1), out);
      }
      if (e.has_else) {
        out += " ELSE ";
        append(*e.children.back(), out);
      }
      out += " END";
      return;
    }
    case BoundKind::kCoalesce:
      out += "coalesce(";
      append_list(e, 0, out);
      out += ')';
      return;
    case BoundKind::kCast:
      out += "CAST(";
      append(e.child(0), out);
      out += " AS ";
      out += data_type_sql(e.type);
      out += ')';
      return;
    case BoundKind::kFunction:
      if (e.function == BoundFunction::kSplitPart) {
        out += "split(";
        append(e.child(0), out);
        out += ", ";
        append(e.child(1), out);
        out += ", ";
        append(e.child(2), out);
        out += ")[";
        append(e.child(3), out);
        out += ']';
        return;
      }
      out += function_name(e.function);
      out += '(';
      append_list(e, 0, out);
      if (e.function == BoundFunction::kRegexpExtract) {
        out += ", pattern#" + std::to_string(e.pattern) + ", " + std::to_string(e.group);
      }
      out += ')';
      return;
  }
}

}  // namespace

Expected<std::vector<LikeAtom>> parse_like_pattern(std::string_view pattern) {
  std::vector<LikeAtom> atoms;
  auto literal = [&](char c) {
    if (atoms.empty() || atoms.back().kind != LikeAtom::kLiteral) atoms.push_back({LikeAtom::kLiteral, {}});
    atoms.back().text += c;
  };
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) {
        return Error{"the pattern '" + std::string(pattern) +
                     "' is invalid: it is not allowed to end with the escape character"};
      }
      const char next = pattern[++i];
      if (next != '_' && next != '%' && next != '\\') {
        // Spark iterates over UTF-16 units; show the whole character that follows.
        size_t length = 1;
        const auto lead = static_cast<unsigned char>(next);
        if (lead >= 0xC2 && lead <= 0xDF) length = 2;
        if (lead >= 0xE0 && lead <= 0xEF) length = 3;
        if (lead >= 0xF0 && lead <= 0xF4) length = 4;
        return Error{"the pattern '" + std::string(pattern) +
                     "' is invalid: the escape character is not allowed to precede '" +
                     std::string(pattern.substr(i, length)) + "'"};
      }
      literal(next);
    } else if (c == '_') {
      atoms.push_back({LikeAtom::kOneChar, {}});
    } else if (c == '%') {
      if (atoms.empty() || atoms.back().kind != LikeAtom::kAnyString)
        atoms.push_back({LikeAtom::kAnyString, {}});
    } else {
      literal(c);
    }
  }
  return atoms;
}

void BoundExpr::finish() noexcept {
  uint64_t h = mix(0x6C6F6773ULL, static_cast<uint64_t>(kind));
  h = mix(h, static_cast<uint64_t>(type) | static_cast<uint64_t>(op) << 8 |
                 static_cast<uint64_t>(function) << 16 | static_cast<uint64_t>(negated) << 24 |
                 static_cast<uint64_t>(has_else) << 25 | static_cast<uint64_t>(slot) << 32);
  switch (kind) {
    case BoundKind::kColumn:
      h = mix(h, column);
      break;
    case BoundKind::kLiteral:
    case BoundKind::kLike:
      h = mix(h, static_cast<uint64_t>(value.type) << 1 | (value.null ? 1 : 0));
      if (!value.null) {
        h = value.type == DataType::kString   ? mix_bytes(h, value.text)
            : value.type == DataType::kDouble ? mix(h, double_bits(value.real))
                                              : mix(h, static_cast<uint64_t>(value.integer));
      }
      break;
    case BoundKind::kRLike:
      h = mix(h, pattern);
      break;
    case BoundKind::kFunction:
      h = mix(h, static_cast<uint64_t>(pattern) << 32 | static_cast<uint32_t>(group));
      break;
    default:
      break;
  }
  h = mix(h, children.size());
  for (const auto& c : children) h = mix(h, c->fingerprint);
  fingerprint = h;
}

bool same_bound(const BoundExpr& a, const BoundExpr& b) noexcept {
  if (&a == &b) return true;
  if (a.fingerprint != b.fingerprint || a.kind != b.kind || a.type != b.type || a.op != b.op ||
      a.function != b.function || a.negated != b.negated || a.has_else != b.has_else ||
      a.children.size() != b.children.size()) {
    return false;
  }
  switch (a.kind) {
    case BoundKind::kColumn:
      if (a.slot != b.slot || a.column != b.column) return false;
      break;
    case BoundKind::kLiteral:
    case BoundKind::kLike:
      if (!same_literal(a.value, b.value)) return false;
      break;
    case BoundKind::kRLike:
      if (a.pattern != b.pattern) return false;
      break;
    case BoundKind::kFunction:
      if (a.pattern != b.pattern || a.group != b.group) return false;
      break;
    default:
      break;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!same_bound(a.child(i), b.child(i))) return false;
  }
  return true;
}

BoundExprPtr clone(const BoundExpr& e) {
  auto copy = std::make_unique<BoundExpr>();
  copy->kind = e.kind;
  copy->type = e.type;
  copy->op = e.op;
  copy->function = e.function;
  copy->negated = e.negated;
  copy->has_else = e.has_else;
  copy->slot = e.slot;
  copy->column = e.column;
  copy->name = e.name;
  copy->value = e.value;
  copy->like = e.like;
  copy->pattern = e.pattern;
  copy->group = e.group;
  copy->source_offset = e.source_offset;
  copy->source_end = e.source_end;
  copy->fingerprint = e.fingerprint;
  copy->children.reserve(e.children.size());
  for (const auto& c : e.children) copy->children.push_back(clone(*c));
  return copy;
}

std::string describe(const BoundExpr& e) {
  std::string out;
  append(e, out);
  return out;
}

std::string_view function_name(BoundFunction function) noexcept {
  switch (function) {
    case BoundFunction::kNone:
      return "?";
    case BoundFunction::kLower:
      return "lower";
    case BoundFunction::kUpper:
      return "upper";
    case BoundFunction::kLength:
      return "length";
    case BoundFunction::kSubstring:
      return "substring";
    case BoundFunction::kSubstringIndex:
      return "substring_index";
    case BoundFunction::kConcat:
      return "concat";
    case BoundFunction::kRegexpExtract:
      return "regexp_extract";
    case BoundFunction::kDateTrunc:
      return "date_trunc";
    case BoundFunction::kHour:
      return "hour";
    case BoundFunction::kToDate:
      return "to_date";
    case BoundFunction::kSplitPart:
      return "split";
    case BoundFunction::kInputFileName:
      return "input_file_name";
    case BoundFunction::kWindow:
      return "window";
    case BoundFunction::kSessionWindow:
      return "session_window";
    case BoundFunction::kWindowStart:
      return "window.start";
    case BoundFunction::kWindowEnd:
      return "window.end";
  }
  return "?";
}

std::string_view op_text(BoundOp op) noexcept {
  switch (op) {
    case BoundOp::kNone:
      return "?";
    case BoundOp::kAdd:
      return "+";
    case BoundOp::kSubtract:
      return "-";
    case BoundOp::kMultiply:
      return "*";
    case BoundOp::kDivide:
      return "/";
    case BoundOp::kRemainder:
      return "%";
    case BoundOp::kIntegralDivide:
      return "div";
    case BoundOp::kEqual:
      return "=";
    case BoundOp::kNullSafeEqual:
      return "<=>";
    case BoundOp::kLess:
      return "<";
    case BoundOp::kLessOrEqual:
      return "<=";
    case BoundOp::kGreater:
      return ">";
    case BoundOp::kGreaterOrEqual:
      return ">=";
  }
  return "?";
}

}  // namespace logstream
