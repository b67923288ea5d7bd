// libFuzzer: --sql, --sql-file, --group-by and --where text is untrusted. Parsing must accept or refuse
// with a line, column and caret, never crash, overflow or recurse without bound (UBSan reports abort: the
// fuzz preset builds with -fno-sanitize-recover=undefined). An accepted query must be well formed
// (positions inside the text, heights within the limit) and read back from its canonical SQL as the
// same tree, with the same names.
// Seeds: tests/fuzz/corpus/sql/ (copied by tools/scripts/fuzz.sh).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stages/query/sql_parser.h"

namespace {

using namespace logstream::sql;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_error(const std::string& error) {
  if (error.rfind("the query is ", 0) == 0) return;
  check(error.rfind("line ", 0) == 0 && !error.empty() && error.back() == '^');
}

void check_tree(const Expr& e, std::string_view text) {
  check(e.pos.offset <= e.end && e.end <= text.size());
  check(e.op_pos.offset >= e.pos.offset && e.op_pos.offset <= e.end);
  check(e.pos.line >= 1 && e.pos.column >= 1 && e.height <= kMaxHeight);
  uint32_t tallest = 0;
  for (const ExprPtr& child : e.children) {
    check(child != nullptr);
    check(child->pos.offset >= e.pos.offset && child->end <= e.end);
    tallest = std::max(tallest, child->height);
    check_tree(*child, text);
  }
  check(e.height == tallest + 1);
  switch (e.kind) {
    case ExprKind::kUnary:
    case ExprKind::kIsNull:
    case ExprKind::kCast:
      check(e.children.size() == 1);
      break;
    case ExprKind::kBinary:
    case ExprKind::kLike:
    case ExprKind::kSubscript:
      check(e.children.size() == 2);
      break;
    case ExprKind::kBetween:
      check(e.children.size() == 3);
      break;
    case ExprKind::kIn:
      check(e.children.size() >= 2);
      break;
    case ExprKind::kCase:
      check(e.children.size() >= 2 + e.has_operand + e.has_else &&
            (e.children.size() - e.has_operand - e.has_else) % 2 == 0);
      break;
    case ExprKind::kColumn:
      check(!e.name_parts.empty());
      break;
    case ExprKind::kFunction:
      check(!e.name.empty() && (!e.star || e.children.empty()));
      break;
    case ExprKind::kLiteral:
      check(e.children.empty());
      break;
  }
  (void)spark_name(e);
  (void)source_text(text, e);
}

void check_expression_round_trip(const Expr& e) {
  const std::string canonical = to_sql(e);
  auto again = parse_expression(canonical);
  check(again.ok());
  check(same_tree(e, *again.value()));
  check(to_sql(*again.value()) == canonical);
  check(spark_name(*again.value()) == spark_name(e));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto statement = parse_sql(text);
  if (!statement) {
    check_error(statement.error());
  } else {
    const SelectStatement& s = statement.value();
    check(!s.items.empty());
    for (const SelectItem& item : s.items) check_tree(*item.expr, text);
    for (const ExprPtr& e : s.group_by) check_tree(*e, text);
    for (const OrderItem& item : s.order_by) check_tree(*item.expr, text);
    if (s.where) check_tree(*s.where, text);
    if (s.having) check_tree(*s.having, text);
    const std::string canonical = to_sql(s);
    auto again = parse_sql(canonical);
    check(again.ok());
    check(same_statement(s, again.value()));
    check(to_sql(again.value()) == canonical);
    for (size_t i = 0; i < s.items.size(); ++i) {
      check(output_name(s.items[i]) == output_name(again.value().items[i]));
    }
  }

  auto e = parse_expression(text);
  if (!e) {
    check_error(e.error());
  } else {
    check_tree(*e.value(), text);
    check_expression_round_trip(*e.value());
  }

  auto list = parse_expression_list(text);
  if (!list) {
    check_error(list.error());
  } else {
    check(!list.value().empty());
    for (const ExprPtr& item : list.value()) {
      check_tree(*item, text);
      check_expression_round_trip(*item);
    }
  }

  check_error(sql_error_at(text, size / 2, "reason"));
  return 0;
}
