#include "stages/query/sql_ast.h"

#include <algorithm>
#include <cstring>

namespace logstream::sql {
namespace {

bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// java.math.BigDecimal.toString of a decimal literal in the canonical spelling ("-0.50", "5.", "0.0000001"):
// plain digits with the literal's scale, or scientific notation once the adjusted exponent is below -6
// ("1E-7"), which is how Spark's Decimal prints (and so names) a decimal literal.
std::string big_decimal_text(std::string_view spelling) {
  const bool negative = !spelling.empty() && spelling[0] == '-';
  if (negative) spelling.remove_prefix(1);
  const size_t dot = spelling.find('.');
  const std::string_view integer = spelling.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : spelling.substr(dot + 1);
  std::string unscaled = std::string(integer) + std::string(fraction);
  const size_t first = unscaled.find_first_not_of('0');
  unscaled = first == std::string::npos ? "0" : unscaled.substr(first);
  const auto scale = static_cast<long>(fraction.size());
  const long adjusted = static_cast<long>(unscaled.size()) - 1 - scale;
  std::string out = negative && unscaled != "0" ? "-" : "";
  if (adjusted >= -6) {
    if (scale == 0) return out + unscaled;
    if (static_cast<long>(unscaled.size()) > scale) {
      const size_t point = unscaled.size() - static_cast<size_t>(scale);
      return out + unscaled.substr(0, point) + "." + unscaled.substr(point);
    }
    return out + "0." + std::string(static_cast<size_t>(scale) - unscaled.size(), '0') + unscaled;
  }
  out += unscaled[0];
  if (unscaled.size() > 1) out += "." + unscaled.substr(1);
  return out + "E" + std::to_string(adjusted);
}

std::string_view binary_sql(Op op) {
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSubtract:
      return "-";
    case Op::kMultiply:
      return "*";
    case Op::kDivide:
      return "/";
    case Op::kRemainder:
      return "%";
    case Op::kIntegralDivide:
      return "div";  // Spark's IntegralDivide.sqlOperator
    case Op::kConcat:
      return "||";
    case Op::kEqual:
    case Op::kNotEqual:
      return "=";
    case Op::kNullSafeEqual:
      return "<=>";
    case Op::kLess:
      return "<";
    case Op::kLessOrEqual:
      return "<=";
    case Op::kGreater:
      return ">";
    case Op::kGreaterOrEqual:
      return ">=";
    case Op::kAnd:
      return "AND";
    case Op::kOr:
      return "OR";
    default:
      return "?";
  }
}

// --- Spark names ------------------------------------------------------------------------------------

std::string default_column_name(const Expr& column, bool top_level) {
  const auto& parts = column.name_parts;
  if (parts.empty()) return {};
  if (top_level) return parts.back();
  size_t first = parts.size() > 1 && ascii_iequals(parts[0], "logs") ? 1 : 0;
  std::string out = parts[first];
  for (size_t i = first + 1; i < parts.size(); ++i) out += "." + parts[i];
  return out;
}

class SparkNamer {
 public:
  explicit SparkNamer(const ColumnNamer& namer) : namer_(namer) {}

  void append(const Expr& e, std::string& out) const {
    switch (e.kind) {
      case ExprKind::kLiteral:
        append_literal(e, out);
        return;
      case ExprKind::kColumn:
        out += namer_ ? namer_(e, false) : default_column_name(e, false);
        return;
      case ExprKind::kFunction:
        append_function(e, out);
        return;
      case ExprKind::kUnary:
        out += e.op == Op::kNegate ? "(- " : e.op == Op::kPositive ? "(+ " : "(NOT ";
        append(e.child(0), out);
        out += ')';
        return;
      case ExprKind::kBinary:
        if (e.op == Op::kConcat) {  // Concat(Seq(a, b)), a function in Spark
          out += "concat(";
          append(e.child(0), out);
          out += ", ";
          append(e.child(1), out);
          out += ')';
          return;
        }
        if (e.op == Op::kNotEqual) out += "(NOT ";  // Not(EqualTo(a, b))
        out += '(';
        append(e.child(0), out);
        out += ' ';
        out += binary_sql(e.op);
        out += ' ';
        append(e.child(1), out);
        out += ')';
        if (e.op == Op::kNotEqual) out += ')';
        return;
      case ExprKind::kIsNull:
        out += '(';
        append(e.child(0), out);
        out += e.negated ? " IS NOT NULL)" : " IS NULL)";
        return;
      case ExprKind::kIn:
        if (e.negated) out += "(NOT ";
        out += '(';
        append(e.child(0), out);
        out += " IN (";
        for (size_t i = 1; i < e.children.size(); ++i) {
          if (i > 1) out += ", ";
          append(e.child(i), out);
        }
        out += "))";
        if (e.negated) out += ')';
        return;
      case ExprKind::kBetween:  // And(GreaterThanOrEqual(x, lower), LessThanOrEqual(x, upper))
        if (e.negated) out += "(NOT ";
        out += "((";
        append(e.child(0), out);
        out += " >= ";
        append(e.child(1), out);
        out += ") AND (";
        append(e.child(0), out);
        out += " <= ";
        append(e.child(2), out);
        out += "))";
        if (e.negated) out += ')';
        return;
      case ExprKind::kLike:  // StringRegexExpression.sql: no parentheses of its own
        if (e.negated) out += "(NOT ";
        append(e.child(0), out);
        out += e.op == Op::kRLike ? " RLIKE " : " LIKE ";
        append(e.child(1), out);
        if (e.negated) out += ')';
        return;
      case ExprKind::kCase:
        append_case(e, out);
        return;
      case ExprKind::kCast:
        out += "CAST(";
        append(e.child(0), out);
        out += " AS ";
        out += data_type_sql(e.cast_type);
        out += ')';
        return;
      case ExprKind::kSubscript:  // GetArrayItem.sql
        append(e.child(0), out);
        out += '[';
        append(e.child(1), out);
        out += ']';
        return;
    }
  }

 private:
  static void append_literal(const Expr& e, std::string& out) {
    switch (e.literal_form) {
      case LiteralForm::kNull:
        out += "NULL";
        return;
      case LiteralForm::kBoolean:
        out += e.value.integer ? "true" : "false";
        return;
      case LiteralForm::kInteger:
      case LiteralForm::kDouble:
        out += e.spelling;
        return;
      case LiteralForm::kDecimal:
        out += big_decimal_text(e.spelling);
        return;
      case LiteralForm::kString:
        out += e.value.text;  // usePrettyExpression: a string literal is named by its bare value
        return;
    }
  }

  void append_function(const Expr& e, std::string& out) const {
    out += e.name;
    out += '(';
    if (e.star) {  // COUNT(*) is COUNT(1) from the parser on
      out += "1)";
      return;
    }
    if (e.distinct) out += "DISTINCT ";
    size_t shown = e.children.size();
    // HyperLogLogPlusPlus keeps the relative error as a parameter, not a child.
    if (e.name == "approx_count_distinct" && shown > 1) shown = 1;
    for (size_t i = 0; i < shown; ++i) {
      if (i > 0) out += ", ";
      append(e.child(i), out);
    }
    // The arguments Spark's constructors fill in, which its names then show.
    if (e.children.size() == 2) {
      if (e.name == "substring") out += ", 2147483647";
      if (e.name == "regexp_extract") out += ", 1";
      if (e.name == "split") out += ", -1";
      if (e.name == "percentile_approx" || e.name == "approx_percentile") out += ", 10000";
    }
    out += ')';
  }

  void append_case(const Expr& e, std::string& out) const {
    // CASE x WHEN v is CaseWhen(EqualTo(x, v)) in Spark.
    out += "CASE";
    size_t i = e.has_operand ? 1 : 0;
    const size_t branches_end = e.children.size() - (e.has_else ? 1 : 0);
    for (; i + 1 < branches_end; i += 2) {
      out += " WHEN ";
      if (e.has_operand) {
        out += '(';
        append(e.child(0), out);
        out += " = ";
        append(e.child(i), out);
        out += ')';
      } else {
        append(e.child(i), out);
      }
      out += " THEN ";
      append(e.child(i + 1), out);
    }
    if (e.has_else) {
      out += " ELSE ";
      append(*e.children.back(), out);
    }
    out += " END";
  }

  const ColumnNamer& namer_;
};

// --- canonical SQL ----------------------------------------------------------------------------------

void append_quoted_name(std::string_view name, std::string& out) {
  out += '`';
  for (const char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  out += '`';
}

void append_string_literal(std::string_view text, std::string& out) {
  out += '\'';
  for (const char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\u0000";  // not \0: a digit after it would make an octal escape
        break;
      default:
        out += c;
    }
  }
  out += '\'';
}

std::string_view binary_source(Op op) {
  switch (op) {
    case Op::kIntegralDivide:
      return "DIV";
    case Op::kNotEqual:
      return "<>";
    default:
      return binary_sql(op);
  }
}

bool is_number(const Expr& e) {
  return e.kind == ExprKind::kLiteral &&
         (e.literal_form == LiteralForm::kInteger || e.literal_form == LiteralForm::kDecimal ||
          e.literal_form == LiteralForm::kDouble);
}

void append_sql(const Expr& e, std::string& out) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      switch (e.literal_form) {
        case LiteralForm::kNull:
          out += "NULL";
          return;
        case LiteralForm::kBoolean:
          out += e.value.integer ? "TRUE" : "FALSE";
          return;
        case LiteralForm::kInteger:
          out += e.spelling;
          if (e.value.type == DataType::kBigint) out += 'L';
          return;
        case LiteralForm::kDecimal:
          out += e.spelling;
          return;
        case LiteralForm::kDouble:
          out += e.spelling;
          out += 'D';
          return;
        case LiteralForm::kString:
          append_string_literal(e.value.text, out);
          return;
      }
      return;
    case ExprKind::kColumn:
      for (size_t i = 0; i < e.name_parts.size(); ++i) {
        if (i > 0) out += '.';
        append_quoted_name(e.name_parts[i], out);
      }
      return;
    case ExprKind::kFunction:
      append_quoted_name(e.name, out);
      out += '(';
      if (e.star) out += '*';
      if (e.distinct) out += "DISTINCT ";
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) out += ", ";
        append_sql(e.child(i), out);
      }
      out += ')';
      return;
    case ExprKind::kUnary: {
      out += e.op == Op::kNegate ? "(-" : e.op == Op::kPositive ? "(+" : "(NOT ";
      // A number right after '-' would read back as a negative literal.
      const bool wrap = is_number(e.child(0));
      if (wrap) out += '(';
      append_sql(e.child(0), out);
      if (wrap) out += ')';
      out += ')';
      return;
    }
    case ExprKind::kBinary:
      out += '(';
      append_sql(e.child(0), out);
      out += ' ';
      out += binary_source(e.op);
      out += ' ';
      append_sql(e.child(1), out);
      out += ')';
      return;
    case ExprKind::kIsNull:
      out += '(';
      append_sql(e.child(0), out);
      out += e.negated ? " IS NOT NULL)" : " IS NULL)";
      return;
    case ExprKind::kIn:
      out += '(';
      append_sql(e.child(0), out);
      out += e.negated ? " NOT IN (" : " IN (";
      for (size_t i = 1; i < e.children.size(); ++i) {
        if (i > 1) out += ", ";
        append_sql(e.child(i), out);
      }
      out += "))";
      return;
    case ExprKind::kBetween:
      out += '(';
      append_sql(e.child(0), out);
      out += e.negated ? " NOT BETWEEN " : " BETWEEN ";
      append_sql(e.child(1), out);
      out += " AND ";
      append_sql(e.child(2), out);
      out += ')';
      return;
    case ExprKind::kLike:
      out += '(';
      append_sql(e.child(0), out);
      out += e.negated ? " NOT" : "";
      out += e.op == Op::kRLike ? " RLIKE " : " LIKE ";
      append_sql(e.child(1), out);
      out += ')';
      return;
    case ExprKind::kCase: {
      out += "CASE";
      size_t i = 0;
      if (e.has_operand) {
        out += ' ';
        append_sql(e.child(0), out);
        i = 1;
      }
      const size_t branches_end = e.children.size() - (e.has_else ? 1 : 0);
      for (; i + 1 < branches_end; i += 2) {
        out += " WHEN ";
        append_sql(e.child(i), out);
        out += " THEN ";
        append_sql(e.child(i + 1), out);
      }
      if (e.has_else) {
        out += " ELSE ";
        append_sql(*e.children.back(), out);
      }
      out += " END";
      return;
    }
    case ExprKind::kCast:
      out += "CAST(";
      append_sql(e.child(0), out);
      out += " AS ";
      out += data_type_sql(e.cast_type);
      out += ')';
      return;
    case ExprKind::kSubscript:
      out += '(';
      append_sql(e.child(0), out);
      out += ")[";
      append_sql(e.child(1), out);
      out += ']';
      return;
  }
}

bool same_value(const Value& a, const Value& b) {
  return a.type == b.type && a.null == b.null && a.integer == b.integer &&
         std::memcmp(&a.real, &b.real, sizeof a.real) == 0 && a.text == b.text;
}

bool same_optional_tree(const ExprPtr& a, const ExprPtr& b) {
  if (!a || !b) return !a && !b;
  return same_tree(*a, *b);
}

}  // namespace

std::string_view operator_sql(Op op) { return binary_sql(op); }

void append_sql_string_literal(std::string_view text, std::string& out) { append_string_literal(text, out); }

std::string spark_name(const Expr& expr, const ColumnNamer& namer) {
  std::string out;
  SparkNamer(namer).append(expr, out);
  return out;
}

std::string output_name(const SelectItem& item, const ColumnNamer& namer) {
  if (item.alias) return *item.alias;
  const Expr& e = *item.expr;
  const Expr* column = e.kind == ExprKind::kColumn                                         ? &e
                       : e.kind == ExprKind::kCast && e.child(0).kind == ExprKind::kColumn ? &e.child(0)
                                                                                           : nullptr;
  // ResolveAliases: a Cast of a named expression keeps the name; a field access is named after its field.
  if (column) return namer ? namer(*column, true) : default_column_name(*column, true);
  // TimeWindowing names the struct it builds `window`, SessionWindowing `session_window`.
  if (e.kind == ExprKind::kFunction && (e.name == "window" || e.name == "session_window")) return e.name;
  return spark_name(e, namer);
}

std::string to_sql(const Expr& expr) {
  std::string out;
  append_sql(expr, out);
  return out;
}

std::string to_sql(const SelectStatement& s) {
  std::string out = s.distinct ? "SELECT DISTINCT " : "SELECT ";
  for (size_t i = 0; i < s.items.size(); ++i) {
    if (i > 0) out += ", ";
    append_sql(*s.items[i].expr, out);
    if (s.items[i].alias) {
      out += " AS ";
      append_quoted_name(*s.items[i].alias, out);
    }
  }
  out += " FROM ";
  append_quoted_name(s.table, out);
  if (s.where) {
    out += " WHERE ";
    append_sql(*s.where, out);
  }
  for (size_t i = 0; i < s.group_by.size(); ++i) {
    out += i == 0 ? " GROUP BY " : ", ";
    append_sql(*s.group_by[i], out);
  }
  if (s.having) {
    out += " HAVING ";
    append_sql(*s.having, out);
  }
  for (size_t i = 0; i < s.order_by.size(); ++i) {
    out += i == 0 ? " ORDER BY " : ", ";
    append_sql(*s.order_by[i].expr, out);
    out += s.order_by[i].descending ? " DESC" : " ASC";
    out += s.order_by[i].nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  if (s.limit) out += " LIMIT " + std::to_string(*s.limit);
  return out;
}

bool same_tree(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.op != b.op || a.negated != b.negated || a.distinct != b.distinct ||
      a.star != b.star || a.has_operand != b.has_operand || a.has_else != b.has_else ||
      a.cast_type != b.cast_type || a.literal_form != b.literal_form || !same_value(a.value, b.value) ||
      a.spelling != b.spelling || a.name != b.name || a.name_parts != b.name_parts ||
      a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!same_tree(a.child(i), b.child(i))) return false;
  }
  return true;
}

bool same_statement(const SelectStatement& a, const SelectStatement& b) {
  if (a.distinct != b.distinct || a.items.size() != b.items.size() || !ascii_iequals(a.table, b.table) ||
      a.group_by.size() != b.group_by.size() || a.order_by.size() != b.order_by.size() ||
      a.limit != b.limit || !same_optional_tree(a.where, b.where) ||
      !same_optional_tree(a.having, b.having)) {
    return false;
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (a.items[i].alias != b.items[i].alias || !same_tree(*a.items[i].expr, *b.items[i].expr)) return false;
  }
  for (size_t i = 0; i < a.group_by.size(); ++i) {
    if (!same_tree(*a.group_by[i], *b.group_by[i])) return false;
  }
  for (size_t i = 0; i < a.order_by.size(); ++i) {
    const OrderItem &x = a.order_by[i], &y = b.order_by[i];
    if (x.descending != y.descending || x.nulls_first != y.nulls_first || !same_tree(*x.expr, *y.expr))
      return false;
  }
  return true;
}

std::string_view source_text(std::string_view text, const Expr& expr) {
  const size_t begin = std::min<size_t>(expr.pos.offset, text.size());
  const size_t end = std::clamp<size_t>(expr.end, begin, text.size());
  return text.substr(begin, end - begin);
}

}  // namespace logstream::sql
