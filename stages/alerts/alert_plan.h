// The alert rules as a plan of the query engine, so that one predicate engine and one Hyperscan database
// serve the query and its rules. The rules that look at a line beyond its status, or have a window, are
// compiled (as SQL, through the same analyzer) into
//
//   SELECT count(*), count(CASE WHEN <condition 1> THEN 1 END), ..., max(timestamp)
//   FROM logs GROUP BY date_trunc('minute', timestamp)
//
// (in UTC, whatever the session zone: a zone's offset may have seconds, and a minute of event time is the
// epoch's) which the executor runs over every accepted line, before the query's WHERE: the conditions are
// predicates, the values count aggregates, and with a window the counts come per event-time minute (the
// alert engine sums the minutes into sliding windows). Without a window there is neither the key nor
// max(timestamp): one group per batch. Rules on the status alone need no plan: the batch's status counts
// answer them.
//
// Each atom of a rule is two-valued, as the rule language defines it: a line whose field is missing
// (null) meets no atom, so `not` turns that into a match (`status != 200` holds for the null status).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stages/alerts/alert_rule.h"
#include "stages/core/expected.h"
#include "stages/query/analyzer.h"

namespace logstream {

// Where the alert engine finds each rule's values in the plan's groups.
struct AlertPlanLayout {
  // Where each value sits in a group's result row ([key?, aggregates...] as GroupTable::result_row gives
  // it): per rule, its count, or -1 for a rule the status counts answer.
  std::vector<int> rule_column;
  size_t lines_column = 0;            // count(*): the accepted lines
  std::optional<size_t> time_column;  // max(timestamp), when grouped by minute
  bool by_minute = false;             // some rule has a window: the key is the event-time minute
};

struct AlertPlan {
  LogicalPlan plan;  // for the executor (QueryExecutor::create's line tallies)
  AlertPlanLayout layout;
};

struct AlertPlanInput {
  const Schema* logs = nullptr;                      // the query's table
  std::string format_label;                          // "--format custom ('%h %s')", for errors
  std::vector<LogicalPlan::Pattern> query_patterns;  // the query's: shared, ids kept
};

// nullopt when every rule is answered by the status counts. Errors (usage): a rule reads a column the
// format lacks (named, with the format), a window on a format whose timestamp is not a time (spark-seed),
// an endpoint regex Hyperscan cannot compile (with the rule's column and a caret under the pattern).
Expected<std::optional<AlertPlan>> compile_alert_plan(const std::vector<AlertRule>& rules,
                                                      const AlertPlanInput& input);

// The SQL text of a rule's condition, as compile_alert_plan gives it to the analyzer.
std::string condition_sql(const AlertRule& rule);

}  // namespace logstream
