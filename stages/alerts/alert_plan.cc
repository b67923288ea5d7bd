#include "stages/alerts/alert_plan.h"

#include "stages/core/pattern_set.h"
#include "stages/query/sql_parser.h"

namespace logstream {
namespace {

// "rules.txt: line 3: " for a rule from a rules file, else nothing.
std::string where(const AlertRule& rule) { return rule.origin.empty() ? "" : rule.origin + ": "; }

// A SQL string literal that reads back as `text` (Spark's unescaping: \\ is a backslash, \' a quote).
std::string sql_string(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string_view field_column(LineField field) {
  switch (field) {
    case LineField::kMethod:
      return "method";
    case LineField::kHost:
      return "host";
    case LineField::kEndpoint:
      return "endpoint";
  }
  return "endpoint";
}

std::string node_sql(const AlertRule& rule, uint32_t index);

// children[from, to) joined by AND or OR as a balanced tree: the SQL parser nests one level per operator,
// and a rule may chain a thousand terms.
std::string joined_sql(const AlertRule& rule, const ConditionNode& node, size_t from, size_t to) {
  if (to - from == 1) return node_sql(rule, node.children[from]);
  const size_t middle = from + (to - from) / 2;
  return "(" + joined_sql(rule, node, from, middle) + (node.kind == ConditionKind::kAnd ? " AND " : " OR ") +
         joined_sql(rule, node, middle, to) + ")";
}

std::string node_sql(const AlertRule& rule, uint32_t index) {
  const ConditionNode& node = rule.nodes[index];
  // Each atom is coalesced to false, so a null field meets no atom and NOT stays two-valued.
  auto atom = [](const std::string& predicate) { return "coalesce(" + predicate + ", false)"; };
  switch (node.kind) {
    case ConditionKind::kAnd:
    case ConditionKind::kOr:
      return joined_sql(rule, node, 0, node.children.size());
    case ConditionKind::kNot:
      return "(NOT " + node_sql(rule, node.children[0]) + ")";
    case ConditionKind::kStatusRange:
      return atom("status BETWEEN " + std::to_string(node.status_low) + " AND " +
                  std::to_string(node.status_high));
    case ConditionKind::kFieldEquals:
      return atom(std::string(field_column(node.field)) + " = " + sql_string(node.text));
    case ConditionKind::kEndpointMatches:
      return atom("endpoint RLIKE " + sql_string(node.text));
  }
  return "false";
}

// The column of `logs` named `name`, or a message saying the format has none.
std::optional<std::string> missing_column(const AlertRule& rule, const AlertPlanInput& input,
                                          std::string_view name, std::string_view what) {
  const int at = find_column(*input.logs, std::string(name));
  if (at >= 0) return std::nullopt;
  return where(rule) + "alert rule '" + rule.name + "' reads " + std::string(what) + ", but " +
         input.format_label + " has no column " + std::string(name) +
         ": use a format that has it, or drop the rule";
}

}  // namespace

std::string condition_sql(const AlertRule& rule) { return node_sql(rule, 0); }

Expected<std::optional<AlertPlan>> compile_alert_plan(const std::vector<AlertRule>& rules,
                                                      const AlertPlanInput& input) {
  AlertPlan alert;
  bool any = false;
  for (const AlertRule& rule : rules) {
    if (rule.needs_fields() || rule.window_seconds > 0) any = true;
    if (rule.window_seconds > 0) alert.layout.by_minute = true;
  }
  if (!any) return std::optional<AlertPlan>();

  for (const AlertRule& rule : rules) {
    if (!rule.needs_fields() && rule.window_seconds == 0) continue;
    struct Need {
      bool needed;
      std::string_view column, what;
    };
    const Need needs[] = {
        {rule.uses_field(LineField::kEndpoint), "endpoint", "the endpoint (from the request line, %r)"},
        {rule.uses_field(LineField::kMethod), "method", "the method (from the request line, %r)"},
        {rule.uses_field(LineField::kHost), "host", "the client host (%h)"},
        {rule.window_seconds > 0, "timestamp", "the time of each line (%t) for its 'over' window"},
    };
    for (const Need& need : needs) {
      if (!need.needed) continue;
      if (auto missing = missing_column(rule, input, need.column, need.what)) return Error{*missing};
    }
    if (rule.window_seconds > 0) {
      const int at = find_column(*input.logs, "timestamp");
      if ((*input.logs)[static_cast<size_t>(at)].type != DataType::kTimestamp) {
        return Error{where(rule) + "alert rule '" + rule.name + "' has an 'over' window, but " +
                     input.format_label +
                     " gives the time as text, not as a timestamp: use a format that parses it (e.g. "
                     "--format combined), or drop the window"};
      }
    }
    // Each regex on its own first, so that an error points at its rule and its place in the rule.
    for (size_t i = 0; i < rule.patterns.size(); ++i) {
      const std::string& pattern = rule.patterns[i];
      const auto reason = PatternSet::compile_error(pattern, kRlikePatternFlags);
      if (!reason) continue;
      return Error{where(rule) +
                   rule_error_at(rule.text, rule.pattern_offsets[i],
                                 "rule '" + rule.name + "': endpoint pattern \"" +
                                     rule_text_for_terminal(pattern) + "\" does not compile: " + *reason)};
    }
  }

  std::string sql = "SELECT count(*)";
  std::vector<int> select_item(rules.size(), -1);  // per rule: its item in the SELECT list
  int items = 1;
  for (size_t i = 0; i < rules.size(); ++i) {
    const AlertRule& rule = rules[i];
    if (!rule.needs_fields() && rule.window_seconds == 0) continue;
    sql += ", count(CASE WHEN " + condition_sql(rule) + " THEN 1 END)";
    select_item[i] = items++;
  }
  if (alert.layout.by_minute)
    sql += ", max(timestamp) FROM logs GROUP BY date_trunc('minute', timestamp)";
  else
    sql += " FROM logs";

  auto statement = sql::parse_sql(sql);
  if (!statement) return Error{"the alert rules' plan does not parse (" + statement.error() + "): " + sql};
  AnalyzerOptions options;
  options.query_text = sql;
  options.shared_patterns = input.query_patterns;
  auto plan = analyze(statement.value(), *input.logs, options);
  if (!plan) return Error{"the alert rules' plan does not analyze (" + plan.error() + "): " + sql};
  alert.plan = std::move(plan).value();
  // The SELECT list points into the group row; identical conditions share one aggregate.
  auto column_of = [&](int item) {
    return static_cast<size_t>(alert.plan.projections[static_cast<size_t>(item)]->column);
  };
  alert.layout.lines_column = column_of(0);
  for (size_t i = 0; i < rules.size(); ++i)
    alert.layout.rule_column.push_back(select_item[i] < 0 ? -1 : static_cast<int>(column_of(select_item[i])));
  if (alert.layout.by_minute) alert.layout.time_column = column_of(items);
  return std::optional<AlertPlan>(std::move(alert));
}

}  // namespace logstream
