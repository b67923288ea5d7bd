#include "stages/query/analyzer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "stages/core/pattern_set.h"
#include "stages/core/text_escape.h"
#include "stages/query/evaluate.h"
#include "stages/query/sql_parser.h"
#include "stages/query/time_window.h"

namespace logstream {
namespace {

using sql::Expr;
using sql::ExprKind;
using sql::LiteralForm;
using sql::Op;

constexpr std::string_view kFunctionList =
    "the functions are lower (lcase), upper (ucase), length (char_length), substring (substr), "
    "substring_index, concat, coalesce, regexp_extract, date_trunc, hour, to_date, and the aggregates "
    "count, sum, avg (mean), min, max, approx_count_distinct, percentile_approx (approx_percentile)";

bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_aggregate_name(std::string_view name) noexcept {
  for (std::string_view n : {"count", "sum", "avg", "mean", "min", "max", "approx_count_distinct",
                             "percentile_approx", "approx_percentile"}) {
    if (name == n) return true;
  }
  return false;
}

bool contains_aggregate(const Expr& e) {
  if (e.kind == ExprKind::kFunction && is_aggregate_name(e.name)) return true;
  for (const auto& c : e.children) {
    if (contains_aggregate(*c)) return true;
  }
  return false;
}

// The first aggregate call in `e` (pre-order), for messages.
const Expr* first_aggregate(const Expr& e) {
  if (e.kind == ExprKind::kFunction && is_aggregate_name(e.name)) return &e;
  for (const auto& c : e.children) {
    if (const Expr* found = first_aggregate(*c)) return found;
  }
  return nullptr;
}

bool is_integer_literal(const Expr& e) noexcept {
  return e.kind == ExprKind::kLiteral && e.literal_form == LiteralForm::kInteger;
}

std::string_view type_name(DataType t) noexcept { return data_type_name(t); }

// Query text inside a message: at most 60 characters, escaped for the terminal, in quotes unless it is a
// string literal that brings its own.
std::string quoted(std::string_view text) {
  constexpr size_t kMaxChars = 60;
  size_t at = 0;
  for (size_t chars = 0; at < text.size() && chars < kMaxChars; ++chars) {
    at += std::max<size_t>(1, utf8_sequence_length(text, at));
  }
  std::string s = escape_for_terminal(text.substr(0, at));
  if (at < text.size()) s += "...";
  const bool literal =
      !text.empty() &&
      (text[0] == '\'' || text[0] == '"' ||
       ((text[0] == 'r' || text[0] == 'R') && text.size() > 1 && (text[1] == '\'' || text[1] == '"')));
  return literal ? s : "'" + s + "'";
}

// Spark's findTightestCommonType over our types: equal, NULL with anything, numbers widened.
std::optional<DataType> tightest_common_type(DataType a, DataType b) noexcept {
  if (a == b) return a;
  if (a == DataType::kNull) return b;
  if (b == DataType::kNull) return a;
  if (is_numeric(a) && is_numeric(b)) {
    if (a == DataType::kDouble || b == DataType::kDouble) return DataType::kDouble;
    if (a == DataType::kBigint || b == DataType::kBigint) return DataType::kBigint;
    return DataType::kInt;
  }
  return std::nullopt;
}

// findWiderTypeForTwo: the tightest type, else a string when the other side is not a boolean.
std::optional<DataType> wider_type(DataType a, DataType b) noexcept {
  if (auto t = tightest_common_type(a, b)) return t;
  if (a == DataType::kString && b != DataType::kBoolean) return DataType::kString;
  if (b == DataType::kString && a != DataType::kBoolean) return DataType::kString;
  return std::nullopt;
}

// findWiderCommonType: strings first, so that (timestamp, int, string) is a string as in Spark.
std::optional<DataType> wider_common_type(const std::vector<DataType>& types) noexcept {
  std::optional<DataType> result = DataType::kNull;
  if (std::find(types.begin(), types.end(), DataType::kString) != types.end()) result = DataType::kString;
  for (const DataType t : types) {
    if (!result) break;
    result = wider_type(*result, t);
  }
  return result;
}

// Spark's findCommonTypeForBinaryComparison, then the tightest common type; booleans against numbers
// only for = and <=> (BooleanEquality).
std::optional<DataType> comparison_type(DataType a, DataType b, bool equality) noexcept {
  if (a == b) return a;
  if (a == DataType::kNull) return b;
  if (b == DataType::kNull) return a;
  if (a == DataType::kString) return b;  // the string is cast to the other side's type
  if (b == DataType::kString) return a;
  if (auto t = tightest_common_type(a, b)) return t;
  if (equality && a == DataType::kBoolean && is_numeric(b)) return b;
  if (equality && b == DataType::kBoolean && is_numeric(a)) return a;
  return std::nullopt;
}

// Spark's implicitCast for a function argument: may `from` be cast to `to` without a CAST?
bool implicitly_castable(DataType from, DataType to) noexcept {
  if (from == to || from == DataType::kNull) return true;
  switch (to) {
    case DataType::kString:
      return true;  // any atomic type to string
    case DataType::kInt:
    case DataType::kBigint:
    case DataType::kDouble:
      return is_numeric(from) || from == DataType::kString;
    case DataType::kTimestamp:
      return from == DataType::kString;
    default:
      return false;
  }
}

std::string_view accepted_text(DataType to) noexcept {
  switch (to) {
    case DataType::kString:
      return "a string";
    case DataType::kInt:
    case DataType::kBigint:
      return "an integer (or a number or string cast to one)";
    case DataType::kDouble:
      return "a number";
    case DataType::kTimestamp:
      return "a timestamp (or a string cast to one)";
    case DataType::kBoolean:
      return "a boolean";
    case DataType::kWindow:
      return "a window";
    case DataType::kNull:
      break;
  }
  return "a value";
}

// The names a HAVING or ORDER BY may use for select items, with their bound expressions.
struct OutputName {
  std::string name;
  const BoundExpr* bound;
};

struct Context {
  bool allow_aggregates = false;
  std::string_view clause = "WHERE";  // where aggregates would be refused
  const Expr* enclosing_aggregate = nullptr;
  const std::vector<OutputName>* outputs = nullptr;  // HAVING and ORDER BY: select names come first
};

class Analyzer {
 public:
  Analyzer(const Schema& schema, const AnalyzerOptions& options, LogicalPlan& plan)
      : schema_(schema), plan_(plan) {
    plan_.input = schema;
    plan_.session_zone = options.session_zone;
    plan_.patterns = options.shared_patterns;
    set_text(options.query_text, "");
  }

  void set_text(std::string_view text, std::string prefix) {
    text_ = text;
    prefix_ = std::move(prefix);
  }

  bool failed() const noexcept { return !error_.empty(); }
  Error error() const { return Error{error_}; }

  std::nullptr_t fail(size_t offset, std::string_view reason) {
    if (error_.empty()) error_ = prefix_ + sql::sql_error_at(text_, offset, reason);
    return nullptr;
  }

  std::string shown(const Expr& e) const {
    const std::string_view written =
        e.end <= text_.size() && e.pos.offset <= e.end ? sql::source_text(text_, e) : std::string_view();
    return quoted(written.empty() ? sql::spark_name(e) : written);
  }

  std::string shown(const BoundExpr& e) const {
    if (e.source_end <= text_.size() && e.source_offset < e.source_end) {
      return quoted(text_.substr(e.source_offset, e.source_end - e.source_offset));
    }
    return quoted(describe(e));
  }

  sql::ColumnNamer namer() const {
    return [this](const Expr& column, bool top_level) -> std::string {
      const auto& parts = column.name_parts;
      if (parts.empty()) return {};
      const bool qualified = parts.size() == 2 && ascii_iequals(parts[0], "logs");
      if (parts.size() == 1 || qualified) {
        const int i = find_column(schema_, parts.back());
        if (i >= 0) return schema_[static_cast<size_t>(i)].name;
      }
      if (top_level) return parts.back();
      std::string out = parts[qualified ? 1 : 0];
      for (size_t i = qualified ? 2 : 1; i < parts.size(); ++i) out += "." + parts[i];
      return out;
    };
  }

  // --- nodes ---------------------------------------------------------------------------------------

  static BoundExprPtr node(BoundKind kind, DataType type, const Expr& syntax) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = kind;
    e->type = type;
    e->source_offset = syntax.pos.offset;
    e->source_end = std::max(syntax.end, syntax.pos.offset);
    return e;
  }

  static BoundExprPtr done(BoundExprPtr e) {
    e->finish();
    return e;
  }

  static BoundExprPtr literal(Value v, const Expr& syntax) {
    BoundExprPtr e = node(BoundKind::kLiteral, v.type, syntax);
    e->value = std::move(v);
    return done(std::move(e));
  }

  static BoundExprPtr with_children(BoundExprPtr e, BoundExprPtr a, BoundExprPtr b = nullptr) {
    e->children.push_back(std::move(a));
    if (b) e->children.push_back(std::move(b));
    return done(std::move(e));
  }

  // CAST(e AS to), or e itself when it already has that type; a typed null for a bare NULL literal.
  BoundExprPtr cast_to(BoundExprPtr e, DataType to) {
    if (e->type == to) return e;
    if (e->kind == BoundKind::kLiteral && e->value.null) {
      e->type = to;
      e->value = Value::null_of(to);
      return done(std::move(e));
    }
    // A literal is cast here once (status = '200' is status = 200), unless its text would need Java's
    // Double.toString or the session zone, which only evaluation has.
    const DataType from = e->type;
    if (e->kind == BoundKind::kLiteral && from != DataType::kDouble && from != DataType::kTimestamp &&
        to != DataType::kTimestamp && to != DataType::kNull) {
      e->value = cast_value(e->value, to, EvalContext{});
      e->type = to;
      return done(std::move(e));
    }
    note_zone_cast(e->type, to);
    auto cast = std::make_unique<BoundExpr>();
    cast->kind = BoundKind::kCast;
    cast->type = to;
    cast->source_offset = e->source_offset;
    cast->source_end = e->source_end;
    cast->children.push_back(std::move(e));
    return done(std::move(cast));
  }

  void note_zone_cast(DataType from, DataType to) {
    if ((from == DataType::kString && to == DataType::kTimestamp) ||
        (from == DataType::kTimestamp && to == DataType::kString)) {
      plan_.uses_session_zone = true;
    }
  }

  BoundExprPtr not_of(BoundExprPtr e, const Expr& syntax) {
    BoundExprPtr n = node(BoundKind::kNot, DataType::kBoolean, syntax);
    return with_children(std::move(n), std::move(e));
  }

  // A function argument cast as Spark's implicitCast would, or an error naming the argument.
  BoundExprPtr coerce(BoundExprPtr e, DataType to, const Expr& syntax, std::string_view function,
                      size_t argument) {
    if (!e) return nullptr;
    if (!implicitly_castable(e->type, to)) {
      return fail(syntax.pos.offset, std::string(function) + ": argument " + std::to_string(argument) + " " +
                                         shown(syntax) + " is " + std::string(type_name(e->type)) +
                                         "; it must be " + std::string(accepted_text(to)));
    }
    return cast_to(std::move(e), to);
  }

  BoundExprPtr require_boolean(BoundExprPtr e, const Expr& syntax, std::string_view what) {
    if (!e) return nullptr;
    if (e->type == DataType::kNull) return cast_to(std::move(e), DataType::kBoolean);
    if (e->type != DataType::kBoolean) {
      return fail(syntax.pos.offset, std::string(what) + " " + shown(syntax) + " is " +
                                         std::string(type_name(e->type)) + ", not boolean");
    }
    return e;
  }

  // --- binding -------------------------------------------------------------------------------------

  BoundExprPtr bind(const Expr& e, const Context& ctx) {
    switch (e.kind) {
      case ExprKind::kLiteral:
        return literal(e.value, e);
      case ExprKind::kColumn:
        return bind_column(e, ctx);
      case ExprKind::kFunction:
        return bind_function(e, ctx);
      case ExprKind::kUnary:
        return bind_unary(e, ctx);
      case ExprKind::kBinary:
        return bind_binary(e, ctx);
      case ExprKind::kIsNull: {
        BoundExprPtr x = bind(e.child(0), ctx);
        if (!x) return nullptr;
        BoundExprPtr n = node(BoundKind::kIsNull, DataType::kBoolean, e);
        n->negated = e.negated;
        return with_children(std::move(n), std::move(x));
      }
      case ExprKind::kIn:
        return bind_in(e, ctx);
      case ExprKind::kBetween:
        return bind_between(e, ctx);
      case ExprKind::kLike:
        return bind_like(e, ctx);
      case ExprKind::kCase:
        return bind_case(e, ctx);
      case ExprKind::kCast: {
        BoundExprPtr x = bind(e.child(0), ctx);
        if (!x) return nullptr;
        if (x->type == e.cast_type) return x;
        if (x->type == DataType::kWindow && e.cast_type != DataType::kString) {
          return fail(e.pos.offset, "cannot cast a window to " + std::string(data_type_sql(e.cast_type)) +
                                        "; take window.start or window.end, or cast it to STRING");
        }
        note_zone_cast(x->type, e.cast_type);
        if (x->type == DataType::kWindow) plan_.uses_session_zone = true;
        BoundExprPtr n = node(BoundKind::kCast, e.cast_type, e);
        return with_children(std::move(n), std::move(x));
      }
      case ExprKind::kSubscript:
        return bind_split_part(e, ctx);
    }
    return fail(e.pos.offset, "unsupported expression");
  }

  std::string column_list() const {
    std::string out;
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (i > 0) out += ", ";
      out += escape_for_terminal(schema_[i].name);
    }
    return out;
  }

  BoundExprPtr bind_column(const Expr& e, const Context& ctx) {
    const auto& parts = e.name_parts;
    const bool qualified = parts.size() == 2 && ascii_iequals(parts[0], "logs");
    if (parts.size() == 1 && ctx.outputs) {
      for (const OutputName& output : *ctx.outputs) {
        if (ascii_iequals(output.name, parts[0])) return clone(*output.bound);
      }
    }
    std::string written = parts.empty() ? std::string() : parts[0];
    for (size_t i = 1; i < parts.size(); ++i) written += "." + parts[i];
    const bool names_window =
        (parts.size() == 1 || parts.size() == 2) &&
        (ascii_iequals(parts[0], "window") || ascii_iequals(parts[0], "session_window")) &&
        find_column(schema_, parts[0]) < 0;
    if (names_window && ctx.clause != "WHERE" && ctx.clause != "GROUP BY" && ctx.clause != "--group-by" &&
        ctx.clause != "--where")
      return bind_window_reference(e);
    if (parts.size() == 1 || qualified) {
      const int i = find_column(schema_, parts.back());
      if (i >= 0) {
        BoundExprPtr n = node(BoundKind::kColumn, schema_[static_cast<size_t>(i)].type, e);
        n->slot = Slot::kInput;
        n->column = static_cast<uint32_t>(i);
        n->name = schema_[static_cast<size_t>(i)].name;
        return done(std::move(n));
      }
    }
    if (parts.size() > 1 && !qualified) {
      return fail(e.pos.offset, "unknown column " + quoted(written) +
                                    " (struct fields are not supported); the columns of logs are " +
                                    column_list());
    }
    return fail(e.pos.offset,
                "unknown column " + quoted(written) + "; the columns of logs are " + column_list());
  }

  BoundExprPtr bind_unary(const Expr& e, const Context& ctx) {
    BoundExprPtr x = bind(e.child(0), ctx);
    if (!x) return nullptr;
    if (e.op == Op::kNot) {
      x = require_boolean(std::move(x), e.child(0), "NOT needs a boolean operand;");
      if (!x) return nullptr;
      return not_of(std::move(x), e);
    }
    // - and + take numbers; a string is cast to double, a bare NULL is a double (Spark's default type).
    if (x->type == DataType::kString || x->type == DataType::kNull)
      x = cast_to(std::move(x), DataType::kDouble);
    if (!is_numeric(x->type)) {
      return fail(e.op_pos.offset, std::string(e.op == Op::kNegate ? "unary '-'" : "unary '+'") +
                                       " needs a numeric operand; " + shown(e.child(0)) + " is " +
                                       std::string(type_name(x->type)));
    }
    if (e.op == Op::kPositive) return x;
    BoundExprPtr n = node(BoundKind::kNegate, x->type, e);
    return with_children(std::move(n), std::move(x));
  }

  BoundExprPtr bind_binary(const Expr& e, const Context& ctx) {
    switch (e.op) {
      case Op::kConcat:
        return bind_concat(e, ctx);
      case Op::kAnd:
      case Op::kOr: {
        const std::string_view word = e.op == Op::kAnd ? "AND" : "OR";
        BoundExprPtr l = bind(e.child(0), ctx);
        if (!l) return nullptr;
        BoundExprPtr r = bind(e.child(1), ctx);
        if (!r) return nullptr;
        for (int side = 0; side < 2; ++side) {
          BoundExprPtr& x = side == 0 ? l : r;
          if (x->type == DataType::kNull) x = cast_to(std::move(x), DataType::kBoolean);
          if (x->type != DataType::kBoolean) {
            return fail(e.op_pos.offset, std::string(word) + " needs boolean operands; its " +
                                             (side == 0 ? "left" : "right") + " operand " +
                                             shown(e.child(static_cast<size_t>(side))) + " is " +
                                             std::string(type_name(x->type)));
          }
        }
        BoundExprPtr n = node(e.op == Op::kAnd ? BoundKind::kAnd : BoundKind::kOr, DataType::kBoolean, e);
        return with_children(std::move(n), std::move(l), std::move(r));
      }
      case Op::kAdd:
      case Op::kSubtract:
      case Op::kMultiply:
      case Op::kDivide:
      case Op::kRemainder:
      case Op::kIntegralDivide:
        return bind_arithmetic(e, ctx);
      default: {
        BoundExprPtr l = bind(e.child(0), ctx);
        if (!l) return nullptr;
        BoundExprPtr r = bind(e.child(1), ctx);
        if (!r) return nullptr;
        return compare(std::move(l), std::move(r), e.op, e, e.child(0), e.child(1));
      }
    }
  }

  static BoundOp compare_op(Op op) noexcept {
    switch (op) {
      case Op::kEqual:
      case Op::kNotEqual:
        return BoundOp::kEqual;
      case Op::kNullSafeEqual:
        return BoundOp::kNullSafeEqual;
      case Op::kLess:
        return BoundOp::kLess;
      case Op::kLessOrEqual:
        return BoundOp::kLessOrEqual;
      case Op::kGreater:
        return BoundOp::kGreater;
      case Op::kGreaterOrEqual:
        return BoundOp::kGreaterOrEqual;
      default:
        return BoundOp::kNone;
    }
  }

  // l op r with Spark's comparison coercion; `syntax` is the node the caret points at (its op_pos).
  BoundExprPtr compare(BoundExprPtr l, BoundExprPtr r, Op op, const Expr& syntax, const Expr& left,
                       const Expr& right) {
    const BoundOp bound_op = compare_op(op);
    const bool equality = bound_op == BoundOp::kEqual || bound_op == BoundOp::kNullSafeEqual;
    const auto common = comparison_type(l->type, r->type, equality);
    if (!common) {
      return fail(syntax.op_pos.offset, "cannot compare " + std::string(type_name(l->type)) + " with " +
                                            std::string(type_name(r->type)) + ": the left operand " +
                                            shown(left) + " is " + std::string(type_name(l->type)) +
                                            ", the right operand " + shown(right) + " is " +
                                            std::string(type_name(r->type)));
    }
    l = cast_to(std::move(l), *common);
    r = cast_to(std::move(r), *common);
    BoundExprPtr n = node(BoundKind::kCompare, DataType::kBoolean, syntax);
    n->op = bound_op;
    BoundExprPtr result = with_children(std::move(n), std::move(l), std::move(r));
    if (op == Op::kNotEqual) return not_of(std::move(result), syntax);
    return result;
  }

  BoundExprPtr bind_arithmetic(const Expr& e, const Context& ctx) {
    BoundExprPtr l = bind(e.child(0), ctx);
    if (!l) return nullptr;
    BoundExprPtr r = bind(e.child(1), ctx);
    if (!r) return nullptr;
    const std::string op_name =
        e.op == Op::kIntegralDivide ? "DIV" : "'" + std::string(sql::operator_sql(e.op)) + "'";
    // Strings in arithmetic are doubles (PromoteStrings); NULL takes the other side's type, and two NULLs
    // are doubles.
    if (l->type == DataType::kString) l = cast_to(std::move(l), DataType::kDouble);
    if (r->type == DataType::kString) r = cast_to(std::move(r), DataType::kDouble);
    if (l->type == DataType::kNull && r->type == DataType::kNull) {  // DIV's default type is bigint
      const DataType t = e.op == Op::kIntegralDivide ? DataType::kBigint : DataType::kDouble;
      l = cast_to(std::move(l), t);
      r = cast_to(std::move(r), t);
    }
    for (int side = 0; side < 2; ++side) {
      const BoundExprPtr& x = side == 0 ? l : r;
      if (x->type != DataType::kNull && !is_numeric(x->type)) {
        return fail(e.op_pos.offset,
                    op_name + " needs numeric operands; its " + (side == 0 ? "left" : "right") + " operand " +
                        shown(e.child(static_cast<size_t>(side))) + " is " + std::string(type_name(x->type)));
      }
    }
    DataType common = *tightest_common_type(l->type, r->type);
    DataType result = common;
    BoundOp op = BoundOp::kAdd;
    switch (e.op) {
      case Op::kAdd:
        op = BoundOp::kAdd;
        break;
      case Op::kSubtract:
        op = BoundOp::kSubtract;
        break;
      case Op::kMultiply:
        op = BoundOp::kMultiply;
        break;
      case Op::kRemainder:
        op = BoundOp::kRemainder;
        break;
      case Op::kDivide:
        op = BoundOp::kDivide;
        common = result = DataType::kDouble;
        break;
      default:  // DIV: bigint operands (IntegralDivide takes bigint; doubles are refused as in Spark)
        op = BoundOp::kIntegralDivide;
        for (int side = 0; side < 2; ++side) {
          const BoundExprPtr& x = side == 0 ? l : r;
          if (x->type == DataType::kDouble) {
            return fail(e.op_pos.offset,
                        "DIV needs integer operands; its " + std::string(side == 0 ? "left" : "right") +
                            " operand " + shown(e.child(static_cast<size_t>(side))) +
                            " is double (a string operand is a double too); use CAST(... AS BIGINT)");
          }
        }
        common = result = DataType::kBigint;
        break;
    }
    l = cast_to(std::move(l), common);
    r = cast_to(std::move(r), common);
    BoundExprPtr n = node(BoundKind::kArithmetic, result, e);
    n->op = op;
    return with_children(std::move(n), std::move(l), std::move(r));
  }

  BoundExprPtr bind_concat(const Expr& e, const Context& ctx) {
    BoundExprPtr n = node(BoundKind::kFunction, DataType::kString, e);
    n->function = BoundFunction::kConcat;
    for (size_t i = 0; i < e.children.size(); ++i) {
      BoundExprPtr x = coerce(bind(e.child(i), ctx), DataType::kString, e.child(i), "concat", i + 1);
      if (!x) return nullptr;
      n->children.push_back(std::move(x));
    }
    return done(std::move(n));
  }

  BoundExprPtr bind_in(const Expr& e, const Context& ctx) {
    std::vector<BoundExprPtr> items;
    std::vector<DataType> types;
    bool differ = false;
    for (const auto& c : e.children) {
      BoundExprPtr x = bind(*c, ctx);
      if (!x) return nullptr;
      types.push_back(x->type);
      differ = differ || x->type != types.front();
      items.push_back(std::move(x));
    }
    if (differ) {
      const auto common = wider_common_type(types);
      if (!common) {
        for (size_t i = 1; i < items.size(); ++i) {
          if (!wider_type(types[0], types[i])) {
            return fail(e.child(i).pos.offset, "IN needs values of one type: " + shown(e.child(0)) + " is " +
                                                   std::string(type_name(types[0])) + ", " +
                                                   shown(e.child(i)) + " is " +
                                                   std::string(type_name(types[i])));
          }
        }
        return fail(e.op_pos.offset, "IN needs values of one type; these have no common type");
      }
      for (auto& x : items) x = cast_to(std::move(x), *common);
    }
    BoundExprPtr n = node(BoundKind::kIn, DataType::kBoolean, e);
    for (auto& x : items) n->children.push_back(std::move(x));
    BoundExprPtr result = done(std::move(n));
    return e.negated ? not_of(std::move(result), e) : std::move(result);
  }

  BoundExprPtr bind_between(const Expr& e, const Context& ctx) {
    // Spark's parser makes x BETWEEN a AND b into (x >= a) AND (x <= b).
    BoundExprPtr x = bind(e.child(0), ctx);
    if (!x) return nullptr;
    BoundExprPtr lower = bind(e.child(1), ctx);
    if (!lower) return nullptr;
    BoundExprPtr upper = bind(e.child(2), ctx);
    if (!upper) return nullptr;
    BoundExprPtr x_copy = clone(*x);
    BoundExprPtr ge = compare(std::move(x), std::move(lower), Op::kGreaterOrEqual, e, e.child(0), e.child(1));
    if (!ge) return nullptr;
    BoundExprPtr le =
        compare(std::move(x_copy), std::move(upper), Op::kLessOrEqual, e, e.child(0), e.child(2));
    if (!le) return nullptr;
    BoundExprPtr n = node(BoundKind::kAnd, DataType::kBoolean, e);
    BoundExprPtr result = with_children(std::move(n), std::move(ge), std::move(le));
    return e.negated ? not_of(std::move(result), e) : std::move(result);
  }

  // A pattern argument that must be a literal: its text, or nullopt for NULL (the result is null).
  // Sets the error and returns false when it is not a literal of a usable type.
  bool literal_pattern(const Expr& p, std::string_view what, std::optional<std::string>& out) {
    if (p.kind != ExprKind::kLiteral) {
      fail(p.pos.offset,
           std::string(what) +
               " with a pattern that is not a literal is not supported yet; write the pattern as a string");
      return false;
    }
    if (p.value.null) {
      out.reset();
      return true;
    }
    if (p.value.type == DataType::kString) {
      out = p.value.text;
      return true;
    }
    if (is_integral(p.value.type)) {  // Spark casts the literal to a string
      out = std::to_string(p.value.integer);
      return true;
    }
    fail(p.pos.offset, std::string(what) + " needs a string pattern; " + shown(p) + " is " +
                           std::string(type_name(p.value.type)));
    return false;
  }

  // Every pattern runs in Hyperscan (all the query's in one database): one it cannot compile is a usage
  // error with a caret under the pattern and the function's name, not a failure of the database later.
  bool pattern_compiles(const Expr& where, std::string_view function, const std::string& regex) {
    const auto reason = PatternSet::compile_error(regex, kRlikePatternFlags);
    if (!reason) return true;
    fail(where.pos.offset, std::string(function) + ": the pattern " + shown(where) +
                               " does not compile: " + escape_for_terminal(*reason) +
                               " (patterns are Hyperscan's: no back-references or lookaround)");
    return false;
  }

  uint32_t pattern_id(const std::string& regex, int group, bool extracted) {
    for (size_t i = 0; i < plan_.patterns.size(); ++i) {
      if (plan_.patterns[i].regex == regex) {
        plan_.patterns[i].highest_group = std::max(plan_.patterns[i].highest_group, group);
        plan_.patterns[i].extracted = plan_.patterns[i].extracted || extracted;
        return static_cast<uint32_t>(i);
      }
    }
    plan_.patterns.push_back({regex, group, extracted});
    return static_cast<uint32_t>(plan_.patterns.size() - 1);
  }

  BoundExprPtr bind_like(const Expr& e, const Context& ctx) {
    const bool rlike = e.op == Op::kRLike;
    const std::string_view word = rlike ? "RLIKE" : "LIKE";
    BoundExprPtr x = coerce(bind(e.child(0), ctx), DataType::kString, e.child(0), word, 1);
    if (!x) return nullptr;
    std::optional<std::string> pattern;
    if (!literal_pattern(e.child(1), word, pattern)) return nullptr;
    BoundExprPtr result;
    if (!pattern) {
      result = literal(Value::null_of(DataType::kBoolean), e);
    } else if (rlike) {
      if (!pattern_compiles(e.child(1), word, *pattern)) return nullptr;
      BoundExprPtr n = node(BoundKind::kRLike, DataType::kBoolean, e);
      n->pattern = pattern_id(*pattern, 0, false);
      result = with_children(std::move(n), std::move(x));
    } else {
      auto atoms = parse_like_pattern(*pattern);
      if (!atoms) return fail(e.child(1).pos.offset, escape_for_terminal(atoms.error()));
      BoundExprPtr n = node(BoundKind::kLike, DataType::kBoolean, e);
      n->value = Value::string(*pattern);
      n->like = std::move(atoms).value();
      result = with_children(std::move(n), std::move(x));
    }
    return e.negated ? not_of(std::move(result), e) : std::move(result);
  }

  BoundExprPtr bind_case(const Expr& e, const Context& ctx) {
    BoundExprPtr operand;
    size_t i = 0;
    if (e.has_operand) {
      operand = bind(e.child(0), ctx);
      if (!operand) return nullptr;
      i = 1;
    }
    const size_t branches_end = e.children.size() - (e.has_else ? 1 : 0);
    std::vector<BoundExprPtr> conditions, values;
    std::vector<const Expr*> value_syntax;
    for (; i + 1 < branches_end; i += 2) {
      BoundExprPtr when = bind(e.child(i), ctx);
      if (!when) return nullptr;
      if (e.has_operand) {  // CASE x WHEN v: EqualTo(x, v)
        when = compare(clone(*operand), std::move(when), Op::kEqual, e.child(i), e.child(0), e.child(i));
      } else {
        when = require_boolean(std::move(when), e.child(i), "a WHEN condition must be boolean;");
      }
      if (!when) return nullptr;
      conditions.push_back(std::move(when));
      BoundExprPtr then = bind(e.child(i + 1), ctx);
      if (!then) return nullptr;
      values.push_back(std::move(then));
      value_syntax.push_back(&e.child(i + 1));
    }
    if (e.has_else) {
      BoundExprPtr otherwise = bind(*e.children.back(), ctx);
      if (!otherwise) return nullptr;
      values.push_back(std::move(otherwise));
      value_syntax.push_back(e.children.back().get());
    }
    std::vector<DataType> types;
    for (const auto& v : values) types.push_back(v->type);
    const auto common = wider_common_type(types);
    if (!common) return fail_no_common_type(e, "CASE", values, value_syntax);
    BoundExprPtr n = node(BoundKind::kCase, *common, e);
    n->has_else = e.has_else;
    for (size_t b = 0; b < conditions.size(); ++b) {
      n->children.push_back(std::move(conditions[b]));
      n->children.push_back(cast_to(std::move(values[b]), *common));
    }
    if (e.has_else) n->children.push_back(cast_to(std::move(values.back()), *common));
    return done(std::move(n));
  }

  std::nullptr_t fail_no_common_type(const Expr& e, std::string_view what,
                                     const std::vector<BoundExprPtr>& values,
                                     const std::vector<const Expr*>& syntax) {
    for (size_t a = 0; a < values.size(); ++a) {
      for (size_t b = a + 1; b < values.size(); ++b) {
        if (!wider_type(values[a]->type, values[b]->type)) {
          return fail(syntax[b]->pos.offset,
                      std::string(what) + " needs values of a common type: " + shown(*syntax[a]) + " is " +
                          std::string(type_name(values[a]->type)) + ", " + shown(*syntax[b]) + " is " +
                          std::string(type_name(values[b]->type)));
        }
      }
    }
    return fail(e.op_pos.offset, std::string(what) + " needs values of a common type");
  }

  // --- functions -----------------------------------------------------------------------------------

  std::nullptr_t fail_arity(const Expr& e, std::string_view expected) {
    return fail(e.op_pos.offset,
                e.name + " takes " + std::string(expected) + ", not " + std::to_string(e.children.size()));
  }

  BoundExprPtr function_node(BoundFunction f, DataType type, const Expr& e) {
    BoundExprPtr n = node(BoundKind::kFunction, type, e);
    n->function = f;
    return n;
  }

  // split(s, sep[, limit])[i]: the one array expression, taken whole. The separator is a Java regex in
  // Spark; here it must be one that stands for a literal text ('/', ' ', '\\.', ', ').
  BoundExprPtr bind_split_part(const Expr& e, const Context& ctx) {
    const Expr& call = e.child(0);
    if (call.kind != ExprKind::kFunction || call.name != "split") {
      return fail(e.op_pos.offset,
                  "only the array of split(...) can be subscripted, as in split(endpoint, '/')[1]");
    }
    const size_t n = call.children.size();
    if (n != 2 && n != 3) return fail_arity(call, "2 or 3 arguments (string, separator[, limit])");
    BoundExprPtr s = coerce(bind(call.child(0), ctx), DataType::kString, call.child(0), "split", 1);
    if (!s) return nullptr;
    std::optional<std::string> pattern;
    if (!literal_pattern(call.child(1), "split", pattern)) return nullptr;
    if (!pattern) return literal(Value::null_of(DataType::kString), e);
    std::string separator;
    if (pattern->size() == 2 && (*pattern)[0] == '\\' &&
        !std::isalnum(static_cast<unsigned char>((*pattern)[1]))) {
      separator = pattern->substr(1);  // an escaped metacharacter: '\\.', '\\|'
    } else if (!pattern->empty() && pattern->find_first_of(".$|()[]{}^?*+\\") == std::string::npos) {
      separator = *pattern;
    } else {
      return fail(call.child(1).pos.offset,
                  "split: the separator " + shown(call.child(1)) +
                      " is a regular expression; logstream splits on literal text for now (e.g. '/', ' ', "
                      "'\\\\.'); use regexp_extract for a pattern");
    }
    BoundExprPtr limit = literal(Value::int32(-1), call);
    if (n == 3) {
      limit = coerce(bind(call.child(2), ctx), DataType::kInt, call.child(2), "split", 3);
      if (!limit) return nullptr;
    }
    BoundExprPtr index = coerce(bind(e.child(1), ctx), DataType::kInt, e.child(1), "the array subscript", 1);
    if (!index) return nullptr;
    BoundExprPtr f = function_node(BoundFunction::kSplitPart, DataType::kString, e);
    f->children.push_back(std::move(s));
    f->children.push_back(literal(Value::string(separator), call.child(1)));
    f->children.push_back(std::move(limit));
    f->children.push_back(std::move(index));
    return done(std::move(f));
  }

  BoundExprPtr bind_function(const Expr& e, const Context& ctx) {
    const std::string& name = e.name;
    if (is_aggregate_name(name)) return bind_aggregate(e, ctx);
    if (e.distinct)
      return fail(e.op_pos.offset, "DISTINCT is only allowed in aggregate functions, not in " + name + "()");
    const size_t n = e.children.size();
    auto arg = [&](size_t i, DataType to) {
      return coerce(bind(e.child(i), ctx), to, e.child(i), name, i + 1);
    };

    if (name == "lower" || name == "lcase" || name == "upper" || name == "ucase" || name == "length" ||
        name == "char_length" || name == "character_length") {
      if (n != 1) return fail_arity(e, "1 argument");
      const BoundFunction f = name == "lower" || name == "lcase"   ? BoundFunction::kLower
                              : name == "upper" || name == "ucase" ? BoundFunction::kUpper
                                                                   : BoundFunction::kLength;
      BoundExprPtr s = arg(0, DataType::kString);
      if (!s) return nullptr;
      return with_children(
          function_node(f, f == BoundFunction::kLength ? DataType::kInt : DataType::kString, e),
          std::move(s));
    }
    if (name == "substring") {
      if (n != 2 && n != 3) return fail_arity(e, "2 or 3 arguments (string, position[, length])");
      BoundExprPtr s = arg(0, DataType::kString);
      if (!s) return nullptr;
      BoundExprPtr pos = arg(1, DataType::kInt);
      if (!pos) return nullptr;
      BoundExprPtr len =
          n == 3 ? arg(2, DataType::kInt) : literal(Value::int32(std::numeric_limits<int32_t>::max()), e);
      if (!len) return nullptr;
      BoundExprPtr f = function_node(BoundFunction::kSubstring, DataType::kString, e);
      f->children.push_back(std::move(s));
      f->children.push_back(std::move(pos));
      f->children.push_back(std::move(len));
      return done(std::move(f));
    }
    if (name == "substring_index") {
      if (n != 3) return fail_arity(e, "3 arguments (string, delimiter, count)");
      BoundExprPtr f = function_node(BoundFunction::kSubstringIndex, DataType::kString, e);
      for (size_t i = 0; i < 3; ++i) {
        BoundExprPtr x = arg(i, i == 2 ? DataType::kInt : DataType::kString);
        if (!x) return nullptr;
        f->children.push_back(std::move(x));
      }
      return done(std::move(f));
    }
    if (name == "concat") return bind_concat(e, ctx);
    if (name == "coalesce") {
      if (n == 0) return fail_arity(e, "at least 1 argument");
      std::vector<BoundExprPtr> values;
      std::vector<const Expr*> syntax;
      std::vector<DataType> types;
      for (size_t i = 0; i < n; ++i) {
        BoundExprPtr x = bind(e.child(i), ctx);
        if (!x) return nullptr;
        types.push_back(x->type);
        values.push_back(std::move(x));
        syntax.push_back(&e.child(i));
      }
      const auto common = wider_common_type(types);
      if (!common) return fail_no_common_type(e, "coalesce", values, syntax);
      BoundExprPtr f = node(BoundKind::kCoalesce, *common, e);
      for (auto& v : values) f->children.push_back(cast_to(std::move(v), *common));
      return done(std::move(f));
    }
    if (name == "regexp_extract") {
      if (n != 2 && n != 3) return fail_arity(e, "2 or 3 arguments (string, pattern[, group])");
      BoundExprPtr s = arg(0, DataType::kString);
      if (!s) return nullptr;
      std::optional<std::string> pattern;
      if (!literal_pattern(e.child(1), "regexp_extract", pattern)) return nullptr;
      int group = 1;
      if (n == 3) {
        const Expr& g = e.child(2);
        if (!is_integer_literal(g)) {
          return fail(g.pos.offset,
                      "regexp_extract: argument 3 (the group) must be an integer literal such as 1");
        }
        if (g.value.integer < 0 || g.value.integer > 1000) {
          return fail(g.pos.offset,
                      "regexp_extract: the group index must be between 0 and the pattern's number of "
                      "groups, not " +
                          std::to_string(g.value.integer));
        }
        group = static_cast<int>(g.value.integer);
      }
      if (!pattern) return literal(Value::null_of(DataType::kString), e);
      if (!pattern_compiles(e.child(1), "regexp_extract", *pattern)) return nullptr;
      BoundExprPtr f = function_node(BoundFunction::kRegexpExtract, DataType::kString, e);
      f->pattern = pattern_id(*pattern, group, true);
      f->group = group;
      return with_children(std::move(f), std::move(s));
    }
    if (name == "date_trunc") {
      if (n != 2) return fail_arity(e, "2 arguments (unit, timestamp)");
      BoundExprPtr unit = arg(0, DataType::kString);
      if (!unit) return nullptr;
      BoundExprPtr ts = arg(1, DataType::kTimestamp);
      if (!ts) return nullptr;
      plan_.uses_session_zone = true;
      return with_children(function_node(BoundFunction::kDateTrunc, DataType::kTimestamp, e), std::move(unit),
                           std::move(ts));
    }
    if (name == "hour") {
      if (n != 1) return fail_arity(e, "1 argument");
      BoundExprPtr ts = arg(0, DataType::kTimestamp);
      if (!ts) return nullptr;
      plan_.uses_session_zone = true;
      return with_children(function_node(BoundFunction::kHour, DataType::kInt, e), std::move(ts));
    }
    if (name == "to_date") {
      if (n == 2)
        return fail(e.op_pos.offset,
                    "to_date with a format is not supported yet; to_date(x) takes a timestamp or a "
                    "yyyy-MM-dd string");
      if (n != 1) return fail_arity(e, "1 argument");
      BoundExprPtr x = bind(e.child(0), ctx);
      if (!x) return nullptr;
      // A string is read as a date (Spark's stringToDate), a timestamp gives its date in the session zone.
      if (x->type == DataType::kNull) x = cast_to(std::move(x), DataType::kString);
      if (x->type != DataType::kString && x->type != DataType::kTimestamp) {
        return fail(e.child(0).pos.offset, "to_date: argument 1 " + shown(e.child(0)) + " is " +
                                               std::string(type_name(x->type)) +
                                               "; it must be a timestamp or a string");
      }
      plan_.uses_session_zone = plan_.uses_session_zone || x->type == DataType::kTimestamp;
      return with_children(function_node(BoundFunction::kToDate, DataType::kString, e), std::move(x));
    }
    if (name == "split") {
      return fail(e.op_pos.offset,
                  "split() gives an array, and logstream has no array columns yet: take one element, as "
                  "in split(endpoint, '/')[1]");
    }
    if (name == "window") return bind_window(e, ctx);
    if (name == "session_window") return bind_session_window(e, ctx);
    if (name == "input_file_name") {
      if (n != 0) return fail_arity(e, "no arguments");
      return done(function_node(BoundFunction::kInputFileName, DataType::kString, e));
    }
    return fail(e.op_pos.offset,
                "unknown function " + escape_for_terminal(name) + "(); " + std::string(kFunctionList));
  }

  // A clause where a grouping key may stand: GROUP BY itself, and after it the select list, HAVING and
  // ORDER BY (which then read the key).
  static bool may_name_a_key(const Context& ctx) {
    return ctx.clause == "GROUP BY" || ctx.clause == "--group-by" || ctx.clause == "SELECT" ||
           ctx.clause == "HAVING" || ctx.clause.find("ORDER BY") != std::string_view::npos;
  }

  // window(ts, duration[, slide[, start]]): a grouping key, its size, slide and start as bigint literals
  // in microseconds (Spark's TimeWindow, with its checks).
  BoundExprPtr bind_window(const Expr& e, const Context& ctx) {
    const size_t n = e.children.size();
    if (n < 2 || n > 4) return fail_arity(e, "2 to 4 arguments (timestamp, duration[, slide[, start]])");
    if (!may_name_a_key(ctx)) {
      return fail(e.op_pos.offset,
                  "window() groups rows by event time: use it in GROUP BY (and then in the "
                  "select list, HAVING or ORDER BY), not in " +
                      std::string(ctx.clause));
    }
    BoundExprPtr time = coerce(bind(e.child(0), ctx), DataType::kTimestamp, e.child(0), "window", 1);
    if (!time) return nullptr;
    int64_t micros[3] = {0, 0, 0};
    static constexpr const char* kWhat[] = {"the window duration", "the slide duration", "the start time"};
    for (size_t i = 1; i < n; ++i) {
      const Expr& a = e.child(i);
      if (a.kind != ExprKind::kLiteral || a.value.type != DataType::kString || a.value.null) {
        return fail(a.pos.offset, "window: argument " + std::to_string(i + 1) + " (" + kWhat[i - 1] +
                                      ") must be a string literal such as '10 minutes'");
      }
      auto interval = parse_window_interval(a.value.text);
      if (!interval)
        return fail(a.pos.offset, "window: " + std::string(kWhat[i - 1]) + " " + interval.error());
      micros[i - 1] = interval.value();
    }
    if (n == 2) micros[1] = micros[0];
    auto spec = make_time_window(micros[0], micros[1], micros[2]);
    if (!spec) return fail(e.op_pos.offset, "window: " + spec.error());
    BoundExprPtr f = function_node(BoundFunction::kWindow, DataType::kWindow, e);
    f->children.push_back(std::move(time));
    for (const int64_t v : micros) f->children.push_back(literal(Value::bigint(v), e));
    return done(std::move(f));
  }

  // session_window(ts, gap): a grouping key, its gap as a bigint literal in microseconds. A row opens the
  // session [ts, ts + gap); sessions of the same other keys that overlap are merged (Spark's
  // MergingSessionsIterator), so a session ends `gap` after its last row.
  BoundExprPtr bind_session_window(const Expr& e, const Context& ctx) {
    if (e.children.size() != 2) return fail_arity(e, "2 arguments (timestamp, gap)");
    if (!may_name_a_key(ctx)) {
      return fail(e.op_pos.offset,
                  "session_window() groups rows into sessions: use it in GROUP BY (and then in the "
                  "select list, HAVING or ORDER BY), not in " +
                      std::string(ctx.clause));
    }
    BoundExprPtr time = coerce(bind(e.child(0), ctx), DataType::kTimestamp, e.child(0), "session_window", 1);
    if (!time) return nullptr;
    const Expr& gap = e.child(1);
    if (gap.kind != ExprKind::kLiteral || gap.value.type != DataType::kString || gap.value.null) {
      return fail(gap.pos.offset,
                  "session_window: argument 2 (the gap) must be a string literal such as '5 minutes'");
    }
    auto interval = parse_window_interval(gap.value.text);
    if (!interval) return fail(gap.pos.offset, "session_window: the gap " + interval.error());
    if (interval.value() <= 0) return fail(gap.pos.offset, "session_window: the gap must be positive");
    BoundExprPtr f = function_node(BoundFunction::kSessionWindow, DataType::kWindow, e);
    f->children.push_back(std::move(time));
    f->children.push_back(literal(Value::bigint(interval.value()), e));
    return done(std::move(f));
  }

  // `window`, `window.start`, `window.end` in a query grouped by a window (`session_window`... for a
  // session window): the key, or one of its fields.
  BoundExprPtr bind_window_reference(const Expr& e) {
    const auto& parts = e.name_parts;
    const bool session = ascii_iequals(parts[0], "session_window");
    const bool grouped_so = plan_.window_key && (plan_.keys[*plan_.window_key]->function ==
                                                 BoundFunction::kSessionWindow) == session;
    if (!grouped_so) {
      return fail(e.pos.offset,
                  quoted(parts.size() == 1 ? parts[0] : parts[0] + "." + parts[1]) +
                      (session ? " names the session of a query grouped by session_window(timestamp, "
                                 "'GAP'); "
                               : " names the window of a query grouped by window(timestamp, "
                                 "'DURATION'); ") +
                      "this query has none. The columns of logs are " + column_list());
    }
    BoundExprPtr window = clone(*plan_.keys[*plan_.window_key]);
    if (parts.size() == 1) return window;
    const bool start = ascii_iequals(parts[1], "start");
    if (!start && !ascii_iequals(parts[1], "end")) {
      return fail(e.pos.offset, "a window has the fields start and end, not " + quoted(parts[1]));
    }
    BoundExprPtr f = function_node(start ? BoundFunction::kWindowStart : BoundFunction::kWindowEnd,
                                   DataType::kTimestamp, e);
    return with_children(std::move(f), std::move(window));
  }

  BoundExprPtr bind_aggregate(const Expr& e, const Context& ctx) {
    if (ctx.enclosing_aggregate) {
      return fail(e.op_pos.offset, "aggregate function " + sql::spark_name(e, namer()) +
                                       " cannot be nested inside " + ctx.enclosing_aggregate->name +
                                       "(...); compute it in a separate query");
    }
    if (!ctx.allow_aggregates) {
      return fail(e.op_pos.offset, "aggregate functions are not allowed in " + std::string(ctx.clause) +
                                       ": " + sql::spark_name(e, namer()));
    }
    Context inner;
    inner.clause = "an aggregate's argument";
    inner.enclosing_aggregate = &e;
    std::vector<BoundExprPtr> arguments;
    std::vector<DataType> types;
    std::vector<Value> constants;
    if (e.star) {  // count(*) is count(1)
      arguments.push_back(literal(Value::int32(1), e));
      types.push_back(DataType::kInt);
    }
    for (size_t i = 0; i < e.children.size(); ++i) {
      const Expr& c = e.child(i);
      if (i == 0 || e.name == "count") {
        BoundExprPtr x = bind(c, inner);
        if (!x) return nullptr;
        types.push_back(x->type);
        arguments.push_back(std::move(x));
      } else {
        if (c.kind != ExprKind::kLiteral) {
          if (contains_aggregate(c)) return bind(c, inner);  // the nesting error
          return fail(c.pos.offset,
                      e.name + ": argument " + std::to_string(i + 1) + " must be a literal, not " + shown(c));
        }
        constants.push_back(c.value);
      }
    }
    auto made = make_aggregate(e.name, types, constants, e.distinct);
    if (!made) return fail(e.op_pos.offset, made.error());
    std::shared_ptr<const AggregateFunction> function = std::move(made).value();
    const auto& wanted = function->argument_types();
    for (size_t i = 0; i < arguments.size() && i < wanted.size(); ++i) {
      arguments[i] = cast_to(std::move(arguments[i]), wanted[i]);
    }
    // Identical calls share one state, as Spark's aggregate deduplication does.
    std::string key = std::to_string(static_cast<int>(function->kind())) + (e.distinct ? "D(" : "(");
    for (const auto& a : arguments) key += describe(*a) + ",";
    for (const auto& c : constants) {
      BoundExpr lit;
      lit.value = c;
      lit.type = c.type;
      key += describe(lit) + ",";
    }
    size_t index = 0;
    for (; index < aggregate_keys_.size(); ++index) {
      if (aggregate_keys_[index] == key) break;
    }
    if (index == aggregate_keys_.size()) {
      aggregate_keys_.push_back(key);
      AggregateCall call;
      call.function = std::move(function);
      call.arguments = std::move(arguments);
      call.constants = std::move(constants);
      plan_.aggregates.push_back(std::move(call));
    }
    BoundExprPtr ref = node(BoundKind::kColumn, plan_.aggregates[index].function->result_type(), e);
    ref->slot = Slot::kAggregate;
    ref->column = static_cast<uint32_t>(plan_.keys.size() + index);
    ref->name = "agg#" + std::to_string(index);
    return done(std::move(ref));
  }

  // --- grouping ------------------------------------------------------------------------------------

  // An expression bound over the input (aggregates already slot references) restated over the group row:
  // a sub-expression equal to a key becomes that key's slot; an input column left over is the error.
  BoundExprPtr over_group_row(BoundExprPtr e) {
    if (!e) return nullptr;
    if (e->kind == BoundKind::kColumn && e->slot != Slot::kInput) return e;
    for (size_t i = 0; i < plan_.keys.size(); ++i) {
      if (same_bound(*e, *plan_.keys[i])) {
        BoundExprPtr ref = std::make_unique<BoundExpr>();
        ref->kind = BoundKind::kColumn;
        ref->type = e->type;
        ref->slot = Slot::kKey;
        ref->column = static_cast<uint32_t>(i);
        ref->name = "key#" + std::to_string(i);
        ref->source_offset = e->source_offset;
        ref->source_end = e->source_end;
        return done(std::move(ref));
      }
    }
    // input_file_name() reads the input row as a column does, though it names none.
    const bool reads_row = e->kind == BoundKind::kColumn ||
                           (e->kind == BoundKind::kFunction && e->function == BoundFunction::kInputFileName);
    if (reads_row) {
      const std::string name = e->kind == BoundKind::kColumn ? e->name : "input_file_name()";
      return fail(e->source_offset, "expression " + shown(*e) +
                                        " is neither in GROUP BY nor inside an aggregate; add it to "
                                        "GROUP BY or wrap it in an aggregate such as min(" +
                                        name + ")");
    }
    for (auto& c : e->children) {
      c = over_group_row(std::move(c));
      if (!c) return nullptr;
    }
    return done(std::move(e));
  }

  // Finds the one key that is a window; false (with the error) for a second one, or a window inside
  // another expression.
  bool note_window_key() {
    for (size_t i = 0; i < plan_.keys.size(); ++i) {
      const BoundExpr& key = *plan_.keys[i];
      const bool is_window = is_window_function(key);
      for (const auto& c : key.children) {
        if (const BoundExpr* inner = find_window(*c)) {
          fail(inner->source_offset, std::string(function_name(inner->function)) +
                                         "() must be a GROUP BY key of its own, not inside an expression");
          return false;
        }
      }
      if (!is_window) continue;
      if (plan_.window_key) {
        fail(key.source_offset, "a query can group by one window() or session_window() only");
        return false;
      }
      plan_.window_key = i;
    }
    return true;
  }

  static bool is_window_function(const BoundExpr& e) {
    return e.kind == BoundKind::kFunction &&
           (e.function == BoundFunction::kWindow || e.function == BoundFunction::kSessionWindow);
  }

  static const BoundExpr* find_window(const BoundExpr& e) {
    if (is_window_function(e)) return &e;
    for (const auto& c : e.children) {
      if (const BoundExpr* w = find_window(*c)) return w;
    }
    return nullptr;
  }

  LogicalPlan& plan() { return plan_; }
  const Schema& schema() const { return schema_; }

 private:
  const Schema& schema_;
  LogicalPlan& plan_;
  std::string_view text_;
  std::string prefix_;
  std::string error_;
  std::vector<std::string> aggregate_keys_;
};

void mark_columns(const BoundExpr& e, std::vector<bool>& used) {
  if (e.kind == BoundKind::kColumn && e.slot == Slot::kInput && e.column < used.size()) used[e.column] = true;
  for (const auto& c : e.children) mark_columns(*c, used);
}

void finish_columns_used(LogicalPlan& plan) {
  plan.columns_used.assign(plan.input.size(), false);
  if (plan.filter) mark_columns(*plan.filter, plan.columns_used);
  for (const auto& k : plan.keys) mark_columns(*k, plan.columns_used);
  for (const auto& a : plan.aggregates) {
    for (const auto& x : a.arguments) mark_columns(*x, plan.columns_used);
  }
  if (!plan.grouped) {
    for (const auto& p : plan.projections) mark_columns(*p, plan.columns_used);
  }
}

std::string quoted_name(std::string_view name) {
  std::string out = "`";
  for (const char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

}  // namespace

Expected<LogicalPlan> analyze(const sql::SelectStatement& s, const Schema& logs,
                              const AnalyzerOptions& options) {
  LogicalPlan plan;
  Analyzer a(logs, options, plan);
  auto refuse = [&a](size_t offset, const std::string& reason) -> Expected<LogicalPlan> {
    a.fail(offset, reason);
    return a.error();
  };

  if (s.where) {
    Context where;
    where.clause = "WHERE";
    plan.filter = a.require_boolean(a.bind(*s.where, where), *s.where, "WHERE needs a boolean condition;");
    if (a.failed()) return a.error();
  }

  bool grouped = !s.group_by.empty() || s.having != nullptr;
  for (const auto& item : s.items) grouped = grouped || contains_aggregate(*item.expr);
  plan.grouped = grouped;

  // GROUP BY: an expression, a position in the select list, or a select alias that is not a column.
  for (const auto& g : s.group_by) {
    Context by;
    by.clause = "GROUP BY";
    const Expr* target = g.get();
    if (is_integer_literal(*g)) {
      const int64_t position = g->value.integer;
      if (position < 1 || position > static_cast<int64_t>(s.items.size())) {
        return refuse(g->pos.offset, "GROUP BY position " + std::to_string(position) +
                                         " is not in select list (valid range is [1, " +
                                         std::to_string(s.items.size()) + "])");
      }
      target = s.items[static_cast<size_t>(position - 1)].expr.get();
      if (const Expr* agg = first_aggregate(*target)) {
        return refuse(g->pos.offset, "GROUP BY position " + std::to_string(position) + " is an aggregate (" +
                                         sql::spark_name(*agg, a.namer()) +
                                         "); aggregate functions are not allowed in GROUP BY");
      }
    } else if (g->kind == ExprKind::kColumn && g->name_parts.size() == 1 &&
               find_column(logs, g->name_parts[0]) < 0) {
      for (const auto& item : s.items) {
        if (item.alias && ascii_iequals(*item.alias, g->name_parts[0])) {
          if (const Expr* agg = first_aggregate(*item.expr)) {
            return refuse(g->pos.offset, "GROUP BY " + g->name_parts[0] + " names an aggregate (" +
                                             sql::spark_name(*agg, a.namer()) +
                                             "); aggregate functions are not allowed in GROUP BY");
          }
          target = item.expr.get();
          break;
        }
      }
    }
    BoundExprPtr key = a.bind(*target, by);
    if (!key) return a.error();
    plan.keys.push_back(std::move(key));
  }
  if (!a.note_window_key()) return a.error();

  // SELECT.
  Context select;
  select.clause = "SELECT";
  select.allow_aggregates = grouped;
  std::vector<OutputName> outputs;
  for (const auto& item : s.items) {
    BoundExprPtr e = a.bind(*item.expr, select);
    if (grouped) e = a.over_group_row(std::move(e));
    if (!e) return a.error();
    plan.output.push_back({sql::output_name(item, a.namer()), e->type});
    plan.projections.push_back(std::move(e));
  }
  for (size_t i = 0; i < plan.projections.size(); ++i) {
    outputs.push_back({plan.output[i].name, plan.projections[i].get()});
  }

  if (!grouped) {
    // Without grouping, a window is one per row: a tumbling one (Spark would repeat the row per window).
    for (const auto& p : plan.projections) {
      const BoundExpr* w = Analyzer::find_window(*p);
      if (w && w->function == BoundFunction::kSessionWindow)
        return refuse(w->source_offset, "session_window() merges rows into sessions: use it in GROUP BY");
      if (w && w->child(2).value.integer != w->child(1).value.integer) {
        return refuse(w->source_offset,
                      "a sliding window() puts a row into several windows: use it in GROUP BY");
      }
    }
  }

  // HAVING: the select list's names first, then the table's columns (grouping keys).
  if (s.having) {
    Context having;
    having.clause = "HAVING";
    having.allow_aggregates = true;
    having.outputs = &outputs;
    BoundExprPtr h = a.over_group_row(a.bind(*s.having, having));
    plan.having = a.require_boolean(std::move(h), *s.having, "HAVING needs a boolean condition;");
    if (!plan.having) return a.error();
  }

  plan.distinct = s.distinct;

  // ORDER BY: a position, a result column's name, or an expression (a hidden column when it is not one
  // of the results).
  for (const auto& o : s.order_by) {
    const Expr& e = *o.expr;
    SortKey key;
    key.descending = o.descending;
    key.nulls_first = o.nulls_first;
    bool found = false;
    if (is_integer_literal(e)) {
      const int64_t position = e.value.integer;
      if (position < 1 || position > static_cast<int64_t>(s.items.size())) {
        return refuse(e.pos.offset, "ORDER BY position " + std::to_string(position) +
                                        " is not in select list (valid range is [1, " +
                                        std::to_string(s.items.size()) + "])");
      }
      key.column = static_cast<uint32_t>(position - 1);
      found = true;
    } else if (e.kind == ExprKind::kColumn && e.name_parts.size() == 1) {
      for (size_t i = 0; i < plan.output.size(); ++i) {
        if (ascii_iequals(plan.output[i].name, e.name_parts[0])) {
          key.column = static_cast<uint32_t>(i);
          found = true;
          break;
        }
      }
    }
    if (!found) {
      Context order;
      order.clause = "ORDER BY of a query without GROUP BY or aggregates";
      order.allow_aggregates = grouped;
      order.outputs = &outputs;
      BoundExprPtr b = a.bind(e, order);
      if (grouped) b = a.over_group_row(std::move(b));
      if (!b) return a.error();
      for (size_t i = 0; i < plan.projections.size() && !found; ++i) {
        if (same_bound(*b, *plan.projections[i])) {
          key.column = static_cast<uint32_t>(i);
          found = true;
        }
      }
      if (!found) {
        if (s.distinct) {
          return refuse(e.pos.offset, "with SELECT DISTINCT, ORDER BY may only use the selected columns; " +
                                          a.shown(e) + " is not one of them");
        }
        key.column = static_cast<uint32_t>(plan.projections.size());
        plan.projections.push_back(std::move(b));
        // Pointers into projections stay valid: the vector holds unique_ptrs.
      }
    }
    plan.order_by.push_back(key);
  }
  plan.limit = s.limit;
  finish_columns_used(plan);
  return plan;
}

Expected<LogicalPlan> analyze_group_by_shorthand(const ShorthandQuery& query, const Schema& logs,
                                                 const AnalyzerOptions& options) {
  LogicalPlan plan;
  Analyzer a(logs, options, plan);
  if (query.where) {
    auto where = sql::parse_expression(*query.where);
    if (!where) return Error{"--where: " + where.error()};
    a.set_text(*query.where, "--where: ");
    Context ctx;
    ctx.clause = "--where";
    plan.filter =
        a.require_boolean(a.bind(*where.value(), ctx), *where.value(), "--where needs a boolean condition;");
    if (!plan.filter) return a.error();
  }
  const std::string group_by = query.group_by.value_or("status");
  auto keys = sql::parse_expression_list(group_by);
  if (!keys) return Error{"--group-by: " + keys.error()};
  a.set_text(group_by, "--group-by: ");
  plan.grouped = true;
  std::vector<sql::SelectItem> items;
  for (auto& k : keys.value()) {
    Context ctx;
    ctx.clause = "--group-by";
    BoundExprPtr key = a.bind(*k, ctx);
    if (!key) return a.error();
    plan.keys.push_back(std::move(key));
    sql::SelectItem item;
    item.expr = std::move(k);
    items.push_back(std::move(item));
  }
  if (!a.note_window_key()) return a.error();
  for (size_t i = 0; i < plan.keys.size(); ++i) {
    BoundExprPtr ref = std::make_unique<BoundExpr>();
    ref->kind = BoundKind::kColumn;
    ref->type = plan.keys[i]->type;
    ref->slot = Slot::kKey;
    ref->column = static_cast<uint32_t>(i);
    ref->name = "key#" + std::to_string(i);
    ref->finish();
    plan.output.push_back({sql::output_name(items[i], a.namer()), ref->type});
    plan.projections.push_back(std::move(ref));
  }
  // groupBy(...).count(): count(1) named count.
  auto count = make_aggregate("count", {DataType::kInt}, {}, false);
  if (!count) return Error{count.error()};
  AggregateCall call;
  call.function = std::move(count).value();
  auto one = std::make_unique<BoundExpr>();
  one->kind = BoundKind::kLiteral;
  one->type = DataType::kInt;
  one->value = Value::int32(1);
  one->finish();
  call.arguments.push_back(std::move(one));
  plan.aggregates.push_back(std::move(call));
  BoundExprPtr ref = std::make_unique<BoundExpr>();
  ref->kind = BoundKind::kColumn;
  ref->type = DataType::kBigint;
  ref->slot = Slot::kAggregate;
  ref->column = static_cast<uint32_t>(plan.keys.size());
  ref->name = "agg#0";
  ref->finish();
  plan.projections.push_back(std::move(ref));
  plan.output.push_back({"count", DataType::kBigint});
  finish_columns_used(plan);
  return plan;
}

Expected<bool> apply_watermark(LogicalPlan& plan, std::string_view spec) {
  const size_t comma = spec.find(',');
  auto trimmed = [](std::string_view t) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    return t;
  };
  if (comma == std::string_view::npos)
    return Error{"--watermark takes 'COLUMN, DELAY', e.g. 'timestamp, 10 minutes'"};
  const std::string_view column = trimmed(spec.substr(0, comma));
  const int index = find_column(plan.input, column);
  if (index < 0) {
    std::string columns;
    for (const Column& c : plan.input) columns += (columns.empty() ? "" : ", ") + c.name;
    return Error{"--watermark: unknown column '" + escape_for_terminal(column) +
                 "'; the columns of logs are " + columns};
  }
  if (plan.input[static_cast<size_t>(index)].type != DataType::kTimestamp) {
    return Error{"--watermark: column '" + plan.input[static_cast<size_t>(index)].name + "' is " +
                 std::string(data_type_name(plan.input[static_cast<size_t>(index)].type)) +
                 "; the event time must be a timestamp"};
  }
  auto delay = parse_window_interval(trimmed(spec.substr(comma + 1)));
  if (!delay) return Error{"--watermark: the delay " + delay.error()};
  if (delay.value() < 0) return Error{"--watermark: the delay must not be negative"};
  plan.watermark = LogicalPlan::Watermark{static_cast<uint32_t>(index), delay.value()};
  plan.columns_used[static_cast<size_t>(index)] = true;
  return true;
}

bool windowed_on_watermark(const LogicalPlan& plan) noexcept {
  if (!plan.watermark || !plan.window_key) return false;
  const BoundExpr& time = plan.keys[*plan.window_key]->child(0);
  return time.kind == BoundKind::kColumn && time.slot == Slot::kInput &&
         time.column == plan.watermark->column;
}

std::string describe(const LogicalPlan& plan) {
  std::string out;
  auto list = [](const std::vector<BoundExprPtr>& exprs, size_t from, size_t to) {
    std::string s;
    for (size_t i = from; i < to; ++i) {
      if (i > from) s += ", ";
      s += describe(*exprs[i]);
    }
    return s;
  };
  if (plan.filter) out += "filter: " + describe(*plan.filter) + "\n";
  if (plan.grouped) {
    out += "group by: " +
           (plan.keys.empty() ? std::string("(one global group)") : list(plan.keys, 0, plan.keys.size())) +
           "\n";
    out += "aggregates: ";
    for (size_t i = 0; i < plan.aggregates.size(); ++i) {
      const AggregateCall& call = plan.aggregates[i];
      if (i > 0) out += ", ";
      static constexpr std::string_view kNames[] = {
          "?", "count", "sum", "avg", "min", "max", "approx_count_distinct", "percentile_approx"};
      const auto kind = static_cast<size_t>(call.function->kind());
      out += kind < std::size(kNames) ? kNames[kind] : "?";
      out += call.function->distinct() ? "(DISTINCT " : "(";
      std::string args = list(call.arguments, 0, call.arguments.size());
      for (const Value& c : call.constants) {
        BoundExpr lit;
        lit.value = c;
        args += (args.empty() ? "" : ", ") + describe(lit);
      }
      out += args + ")";
    }
    out += "\n";
  }
  if (plan.having) out += "having: " + describe(*plan.having) + "\n";
  out += "select: ";
  for (size_t i = 0; i < plan.output.size(); ++i) {
    if (i > 0) out += ", ";
    out += describe(*plan.projections[i]) + " AS " + quoted_name(plan.output[i].name) + ":" +
           std::string(data_type_name(plan.output[i].type));
  }
  out += "\n";
  if (plan.projections.size() > plan.output.size()) {
    out += "sort columns: " + list(plan.projections, plan.output.size(), plan.projections.size()) + "\n";
  }
  if (plan.distinct) out += "distinct\n";
  if (!plan.order_by.empty()) {
    out += "order by: ";
    for (size_t i = 0; i < plan.order_by.size(); ++i) {
      const SortKey& k = plan.order_by[i];
      if (i > 0) out += ", ";
      out += "#" + std::to_string(k.column + 1) + (k.descending ? " DESC" : " ASC") +
             (k.nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    out += "\n";
  }
  if (plan.limit) out += "limit: " + std::to_string(*plan.limit) + "\n";
  if (plan.watermark) {
    out += "watermark: " + plan.input[plan.watermark->column].name + " delay " +
           std::to_string(plan.watermark->delay_us) + " us\n";
  }
  for (size_t i = 0; i < plan.patterns.size(); ++i) {
    BoundExpr lit;
    lit.value = Value::string(plan.patterns[i].regex);
    out += "pattern#" + std::to_string(i) + ": " + describe(lit) + "\n";
  }
  if (plan.uses_session_zone) out += "zone: " + plan.session_zone.name() + "\n";
  return out;
}

}  // namespace logstream
