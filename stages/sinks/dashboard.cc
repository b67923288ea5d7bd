#include "stages/sinks/dashboard.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "stages/sinks/spark_value_text.h"

namespace logstream {
namespace {

using Json = nlohmann::ordered_json;

bool is_number(DataType type) {
  return type == DataType::kInt || type == DataType::kBigint || type == DataType::kDouble;
}

double number_of(const Value& v) {
  if (v.null) return 0;
  return v.type == DataType::kDouble ? v.real : static_cast<double>(v.integer);
}

// JSON that may stand inside <script>: no '<', '>' or '&' (outside strings JSON has none; inside they
// become \u escapes, which JSON.parse reads back), and no U+2028/2029, which old parsers took as line ends.
std::string script_safe(const Json& json) {
  const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xe2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xa8' || text[i + 2] == '\xa9')) {
      out += text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// The chart of a result: over an event-time window, a line per combination of the other label columns
// (the eight largest), the window's start on the x axis; otherwise bars of the largest rows. The value
// is the last numeric column; a result without one has no chart.
Json chart_of(const Schema& schema, const ResultRows& rows, const TimeZone& zone) {
  int value = -1, window = -1;
  for (size_t c = 0; c < schema.size(); ++c) {
    if (is_number(schema[c].type)) value = static_cast<int>(c);
    if (schema[c].type == DataType::kWindow && window < 0) window = static_cast<int>(c);
  }
  if (value < 0 || rows.empty()) return nullptr;
  auto label_of = [&](const std::vector<Value>& row) {
    std::string label;
    for (size_t c = 0; c < schema.size(); ++c) {
      if (static_cast<int>(c) == value || static_cast<int>(c) == window) continue;
      label += (label.empty() ? "" : ", ") + format_value(row[c], zone);
    }
    return label.empty() ? schema[static_cast<size_t>(value)].name : label;
  };
  Json chart;
  chart["value"] = schema[static_cast<size_t>(value)].name;
  if (window >= 0) {
    std::map<int64_t, std::string> starts;                    // x axis, in time order
    std::map<std::string, std::map<int64_t, double>> series;  // label -> start -> value
    std::map<std::string, double> totals;
    for (const auto& row : rows) {
      const Value& w = row[static_cast<size_t>(window)];
      if (w.null) continue;
      starts.emplace(w.integer, format_timestamp(w.integer, zone));
      const std::string label = label_of(row);
      series[label][w.integer] += number_of(row[static_cast<size_t>(value)]);
      totals[label] += number_of(row[static_cast<size_t>(value)]);
    }
    std::vector<std::pair<double, std::string>> largest;
    for (const auto& [label, total] : totals) largest.push_back({-total, label});
    std::sort(largest.begin(), largest.end());
    if (largest.size() > 8) largest.resize(8);
    chart["kind"] = "line";
    Json labels = Json::array();
    for (const auto& [start, text] : starts) labels.push_back(text);
    chart["labels"] = std::move(labels);
    Json datasets = Json::array();
    for (const auto& [negative_total, label] : largest) {
      Json data = Json::array();
      const auto& points = series[label];
      for (const auto& [start, text] : starts) {
        auto it = points.find(start);
        data.push_back(it == points.end() ? 0.0 : it->second);
      }
      datasets.push_back({{"label", label}, {"data", std::move(data)}});
    }
    chart["datasets"] = std::move(datasets);
    return chart;
  }
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return number_of(rows[a][static_cast<size_t>(value)]) > number_of(rows[b][static_cast<size_t>(value)]);
  });
  if (order.size() > 30) order.resize(30);
  Json labels = Json::array(), data = Json::array();
  for (size_t i : order) {
    labels.push_back(label_of(rows[i]));
    data.push_back(number_of(rows[i][static_cast<size_t>(value)]));
  }
  chart["kind"] = "bar";
  chart["labels"] = std::move(labels);
  chart["datasets"] =
      Json::array({{{"label", schema[static_cast<size_t>(value)].name}, {"data", std::move(data)}}});
  return chart;
}

}  // namespace

void DashboardState::add_batch(const DashboardBatch& batch) {
  last_batch_ = batch.batch_id;
  if (batch.counts) {
    history_.push_back(
        {batch.batch_id, batch.counts->lines_read, batch.counts->rejected(), batch.latency_ms});
    if (history_.size() > kDashboardBatchHistory) history_.pop_front();
  }
  if (batch.schema && batch.rows) {
    const Schema& schema = *batch.schema;
    Json columns = Json::array();
    for (const Column& c : schema) {
      columns.push_back(
          {{"name", c.name}, {"type", std::string(data_type_name(c.type))}, {"numeric", is_number(c.type)}});
    }
    columns_json_ = script_safe(columns);
    Json rows = Json::array();
    total_rows_ = batch.rows->size();
    for (size_t r = 0; r < batch.rows->size() && r < kMaxDashboardRows; ++r) {
      Json cells = Json::array();
      const auto& row = (*batch.rows)[r];
      for (size_t c = 0; c < schema.size() && c < row.size(); ++c) {
        if (is_number(schema[c].type) && !row[c].null) {
          // Numbers stay numbers, so the table sorts them as such.
          if (schema[c].type == DataType::kDouble) {
            cells.push_back(row[c].real);
          } else {
            cells.push_back(row[c].integer);
          }
        } else {
          cells.push_back(format_value(row[c], zone_));
        }
      }
      rows.push_back(std::move(cells));
    }
    rows_json_ = script_safe(rows);
    chart_json_ = script_safe(chart_of(schema, *batch.rows, zone_));
  }
  if (batch.alerts) {
    Json alerts = Json::array();
    static constexpr const char* kStates[] = {"inactive", "pending", "firing"};
    for (const AlertGauge& a : *batch.alerts) {
      Json alert = {{"rule", std::string(a.rule)}, {"state", kStates[std::clamp(a.state, 0, 2)]}};
      alert["value"] = a.value ? Json(*a.value) : Json(nullptr);
      alerts.push_back(std::move(alert));
    }
    alerts_json_ = script_safe(alerts);
  }
}

std::string DashboardState::to_json() const {
  Json history = Json::array();
  for (const History& h : history_) {
    history.push_back({{"batch", h.batch_id},
                       {"input", h.input_rows},
                       {"rejected", h.rejected},
                       {"latency_ms", h.latency_ms}});
  }
  std::string out = "{\"query\":" + script_safe(Json(query_));
  out += ",\"batch\":" + (last_batch_ ? std::to_string(*last_batch_) : std::string("null"));
  out += ",\"columns\":" + columns_json_ + ",\"rows\":" + rows_json_;
  out += ",\"total_rows\":" + std::to_string(total_rows_) + ",\"chart\":" + chart_json_;
  out += ",\"batches\":" + script_safe(history) + ",\"alerts\":" + alerts_json_ + "}";
  return out;
}

namespace {

constexpr std::string_view kBody = R"html(<body>
<header><h1>logstream</h1><span id="batch"></span><span id="status"></span></header>
<section><h2>Query</h2><pre id="query"></pre></section>
<section><h2>Result</h2>
<div class="charts"><div class="chart"><canvas id="result-chart"></canvas></div></div>
<p><input id="filter" type="search" placeholder="filter rows" aria-label="filter rows"> <span id="row-count"></span></p>
<table id="result"><thead></thead><tbody></tbody></table>
</section>
<section><h2>Batches</h2><div class="charts"><div class="chart"><canvas id="batch-chart"></canvas></div></div></section>
<section><h2>Alerts</h2><table id="alerts"><thead><tr><th>rule</th><th>state</th><th>value</th></tr></thead><tbody></tbody></table></section>
)html";

constexpr std::string_view kStyles =
    R"css(body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5em 2em;color:#1d2330}
header{display:flex;gap:1.5em;align-items:baseline;border-bottom:1px solid #ccd;margin-bottom:1em}
h1{font-size:1.4em}h2{font-size:1.1em;margin:1.2em 0 .4em}
pre{background:#f4f5f8;padding:.6em;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ccd;padding:.2em .6em;text-align:left;max-width:40em;overflow-wrap:anywhere}
td.n{text-align:right}th{background:#eef0f5;cursor:pointer;user-select:none}
.chart{position:relative;height:280px;max-width:1100px}
.firing{color:#b00020;font-weight:600}.pending{color:#a06000}
#status{color:#667}
)css";

// The page's script. Every string from the state goes into the DOM through textContent.
constexpr std::string_view kScript = R"js((function () {
  'use strict';
  let state = null, sortColumn = -1, sortDescending = false, resultChart = null, batchChart = null;
  const palette = ['#3366cc', '#109618', '#ff9900', '#dc3912', '#990099', '#0099c6', '#dd4477', '#66aa00'];
  const $ = (id) => document.getElementById(id);
  const text = (tag, value, className) => {
    const e = document.createElement(tag);
    e.textContent = value === null || value === undefined ? 'null' : String(value);
    if (className) e.className = className;
    return e;
  };
  function renderTable() {
    const head = $('result').tHead, body = $('result').tBodies[0];
    head.replaceChildren();
    const headRow = document.createElement('tr');
    state.columns.forEach((c, i) => {
      const th = text('th', c.name + (i === sortColumn ? (sortDescending ? ' \u25bc' : ' \u25b2') : ''));
      th.addEventListener('click', () => {
        sortDescending = sortColumn === i ? !sortDescending : false;
        sortColumn = i;
        renderTable();
      });
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    const needle = $('filter').value.toLowerCase();
    let rows = state.rows.filter((r) => !needle || r.some((v) => String(v).toLowerCase().includes(needle)));
    if (sortColumn >= 0) {
      const numeric = state.columns[sortColumn].numeric;
      rows = rows.slice().sort((a, b) => {
        const x = a[sortColumn], y = b[sortColumn];
        const c = numeric ? (Number(x) - Number(y)) : String(x).localeCompare(String(y));
        return sortDescending ? -c : c;
      });
    }
    const fragment = document.createDocumentFragment();
    for (const r of rows) {
      const tr = document.createElement('tr');
      r.forEach((v, i) => tr.appendChild(text('td', v, state.columns[i] && state.columns[i].numeric ? 'n' : '')));
      fragment.appendChild(tr);
    }
    body.replaceChildren(fragment);
    const shown = rows.length === state.rows.length ? String(rows.length) : rows.length + ' of ' + state.rows.length;
    $('row-count').textContent = shown + ' rows' +
        (state.total_rows > state.rows.length ? ' (first ' + state.rows.length + ' of ' + state.total_rows + ')' : '');
  }
  function chartOf(canvas, existing, config) {
    if (typeof Chart === 'undefined') return null;
    if (existing && existing.config.type === config.type) {
      existing.data.labels = config.data.labels;
      existing.data.datasets = config.data.datasets;
      existing.update('none');
      return existing;
    }
    if (existing) existing.destroy();
    return new Chart(canvas, config);
  }
  function render() {
    $('query').textContent = state.query;
    $('batch').textContent = state.batch === null ? 'no batch yet' : 'Batch: ' + state.batch;
    renderTable();
    const chart = state.chart;
    $('result-chart').parentElement.hidden = !chart;  // a result without numbers has no chart
    if (chart) {
      resultChart = chartOf($('result-chart'), resultChart, {
        type: chart.kind,
        data: {labels: chart.labels, datasets: chart.datasets.map((d, i) => ({
          label: d.label, data: d.data, fill: false,
          backgroundColor: palette[i % palette.length], borderColor: palette[i % palette.length]}))},
        options: {animation: false, maintainAspectRatio: false, scales: {y: {beginAtZero: true}}},
      });
    }
    const b = state.batches;
    batchChart = chartOf($('batch-chart'), batchChart, {
      type: 'line',
      data: {
        labels: b.map((x) => String(x.batch)),
        datasets: [
          {label: 'input rows', data: b.map((x) => x.input), yAxisID: 'rows', borderColor: palette[0]},
          {label: 'rejected', data: b.map((x) => x.rejected), yAxisID: 'rows', borderColor: palette[3]},
          {label: 'latency (ms)', data: b.map((x) => x.latency_ms), yAxisID: 'ms', borderColor: palette[2]},
        ],
      },
      options: {animation: false, maintainAspectRatio: false,
                scales: {rows: {position: 'left', beginAtZero: true}, ms: {position: 'right', beginAtZero: true}}},
    });
    const alerts = $('alerts').tBodies[0];
    alerts.replaceChildren();
    for (const a of state.alerts) {
      const tr = document.createElement('tr');
      tr.appendChild(text('td', a.rule));
      tr.appendChild(text('td', a.state, a.state));
      tr.appendChild(text('td', a.value));
      alerts.appendChild(tr);
    }
  }
  function accept(json) {
    state = JSON.parse(json);
    render();
  }
  $('filter').addEventListener('input', () => state && renderTable());
  // The page arrives with the state of its moment inside it, drawn before the page has loaded; the live
  // page then follows every new state.
  const embedded = $('state');
  if (embedded.textContent) accept(embedded.textContent);
  if (!embedded.hasAttribute('data-live')) return;
  const events = new EventSource('/events');
  events.onmessage = (e) => { accept(e.data); $('status').textContent = 'live'; };
  events.onerror = () => {
    // A refused stream (too many pages follow this query) is not retried by the browser; an ended
    // query closes it for good.
    $('status').textContent = events.readyState === EventSource.CLOSED
        ? 'not live: too many pages follow this query, or it has ended; reload to try again'
        : 'reconnecting';
  };
})();
)js";

}  // namespace

std::string_view dashboard_script() { return kScript; }
std::string_view dashboard_styles() { return kStyles; }

std::string_view dashboard_live_csp() {
  return "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

std::string_view dashboard_report_csp() {
  return "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
         "base-uri 'none'; form-action 'none'";
}

std::string dashboard_live_page(std::string_view state_json) {
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>logstream</title>\n";
  page += "<link rel=\"stylesheet\" href=\"/style.css\"></head>\n";
  page += kBody;
  // JSON data, not script: the CSP's script-src 'self' does not apply to it, and it has no '<'.
  page += "<script type=\"application/json\" id=\"state\" data-live>";
  page += state_json;
  page +=
      "</script>\n<script src=\"/chart.js\"></script>\n<script src=\"/app.js\"></script>\n</body></html>\n";
  return page;
}

std::string dashboard_report_page(std::string_view state_json) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + std::string(dashboard_report_csp()) +
          "\">\n";
  page += "<title>logstream report</title>\n<style>";
  page += kStyles;
  page += "</style></head>\n";
  page += kBody;
  // The state's JSON has no '<' (script_safe), so nothing in it can end this element.
  page += "<script type=\"application/json\" id=\"state\">";
  page += state_json;
  page += "</script>\n<script>";
  page += chart_js_library();
  page += "</script>\n<script>";
  page += kScript;
  page += "</script>\n</body></html>\n";
  return page;
}

}  // namespace logstream
