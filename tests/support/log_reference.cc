#include "tests/support/log_reference.h"

#include <ctime>
#include <optional>
#include <regex>
#include <stdexcept>

#include "tests/support/large_stack.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

Value text(const std::string& s) { return Value::string(s); }

// ---- common and combined ---------------------------------------------------------------------------

// Digits to a bigint; "-" (and anything else, or too many digits) is null.
Value size_value(const std::string& field) {
  static const std::regex digits("[0-9]+");
  if (!std::regex_match(field, digits)) return Value::null_of(DataType::kBigint);
  const std::string significant = field.substr(std::min(field.find_first_not_of('0'), field.size()));
  if (significant.size() > 19 || (significant.size() == 19 && significant > "9223372036854775807"))
    return Value::null_of(DataType::kBigint);
  return Value::bigint(significant.empty() ? 0 : std::stoll(significant));
}

// [dd/Mon/yyyy:HH:MM:SS +hhmm] as microseconds since the epoch; nullopt when it is no real time.
std::optional<int64_t> clf_micros(const std::smatch& m, size_t first) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = -1;
  for (int i = 0; i < 12; ++i) {
    if (m[first + 1].str() == kMonths[i]) month = i;
  }
  if (month < 0) return std::nullopt;
  std::tm tm{};
  tm.tm_mday = std::stoi(m[first].str());
  tm.tm_mon = month;
  tm.tm_year = std::stoi(m[first + 2].str()) - 1900;
  tm.tm_hour = std::stoi(m[first + 3].str());
  tm.tm_min = std::stoi(m[first + 4].str());
  tm.tm_sec = std::stoi(m[first + 5].str());
  std::tm asked = tm;
  const time_t local = timegm(&tm);
  // timegm normalizes 31/Feb into March: a real date comes back unchanged.
  if (tm.tm_mday != asked.tm_mday || tm.tm_mon != asked.tm_mon || tm.tm_year != asked.tm_year ||
      tm.tm_hour != asked.tm_hour || tm.tm_min != asked.tm_min || tm.tm_sec != asked.tm_sec)
    return std::nullopt;
  const int sign = m[first + 6].str() == "-" ? -1 : 1;
  const int offset = sign * (std::stoi(m[first + 7].str()) * 3600 + std::stoi(m[first + 8].str()) * 60);
  return (static_cast<int64_t>(local) - offset) * 1'000'000;
}

// The request's method, endpoint and protocol: split at the first and the last space.
void split_request(const std::string& request, std::vector<Value>& row) {
  static const std::regex three("([^ ]*) (.*) ([^ ]*)");  // greedy .*: the last space ends the endpoint
  static const std::regex two("([^ ]*) (.*)");
  std::smatch m;
  if (std::regex_match(request, m, three)) {
    row.insert(row.end(), {text(m[1]), text(m[2]), text(m[3])});
  } else if (std::regex_match(request, m, two)) {
    row.insert(row.end(), {text(m[1]), text(m[2]), text("")});
  } else {
    row.insert(row.end(), {text(request), text(""), text("")});
  }
}

// One regex per form a line may take: complete, or cut off inside the n-th quoted field.
struct HttpdForms {
  std::regex complete;
  std::vector<std::regex> cut;  // cut[0]: inside the request, cut[1]: the referer, cut[2]: the agent
};

const HttpdForms& httpd_forms(bool combined) {
  auto make = [](bool with_agent) {
    const std::string prefix =
        R"(^([^ ]+) ([^ ]+) ([^ ]+) \[([0-9]{2})/([A-Z][a-z]{2})/([0-9]{4}):([0-9]{2}):([0-9]{2}):([0-9]{2}) ([-+])([0-9]{2})([0-9]{2})\] )";
    const std::string quoted = R"re("((?:[^"\\]|\\.)*)")re";
    const std::string open = R"re("((?:[^"\\]|\\.)*\\?)$)re";  // a line that ends inside the field
    const std::string status_size = R"( ([0-9]{3}) ([0-9]+|-))";
    const std::string extra = "( .*)?$";
    HttpdForms forms;
    if (with_agent) {
      forms.complete = std::regex(prefix + quoted + status_size + " " + quoted + " " + quoted + extra);
      forms.cut = {std::regex(prefix + open), std::regex(prefix + quoted + status_size + " " + open),
                   std::regex(prefix + quoted + status_size + " " + quoted + " " + open)};
    } else {
      forms.complete = std::regex(prefix + quoted + status_size + extra);
      forms.cut = {std::regex(prefix + open)};
    }
    return forms;
  };
  static const HttpdForms common = make(false);
  static const HttpdForms with_agent = make(true);
  return combined ? with_agent : common;
}

// Groups: 1-3 host ident user, 4-12 the time, 13 request, 14 status, 15 size, 16 referer, 17 agent.
bool httpd_row(const std::string& line, bool combined, std::vector<Value>& row, bool& truncated) {
  const HttpdForms& forms = httpd_forms(combined);
  std::smatch m;
  size_t present = 0;  // quoted fields present: 1 request, 2 status..referer, 3 everything
  truncated = false;
  if (std::regex_match(line, m, forms.complete)) {
    present = 3;
  } else {
    for (size_t i = 0; i < forms.cut.size() && present == 0; ++i) {
      if (std::regex_match(line, m, forms.cut[i])) present = i + 1;
    }
    if (present == 0) return false;
    truncated = true;
  }
  const std::optional<int64_t> micros = clf_micros(m, 4);
  if (!micros) return false;
  row.clear();
  row.insert(row.end(), {text(m[1]), text(m[2]), text(m[3]), Value::timestamp_micros(*micros)});
  split_request(m[13].str(), row);
  if (present >= 2) {
    row.push_back(Value::int32(std::stoi(m[14].str())));
    row.push_back(size_value(m[15].str()));
  } else {
    row.push_back(Value::null_of(DataType::kInt));
    row.push_back(Value::null_of(DataType::kBigint));
  }
  if (combined) {
    row.push_back(present >= 2 ? text(m[16]) : Value::null_of(DataType::kString));
    row.push_back(present >= 3 ? text(m[17]) : Value::null_of(DataType::kString));
  }
  row.push_back(text(line));
  return true;
}

// ---- spark-seed ------------------------------------------------------------------------------------

// The seed's patterns in ECMAScript over ASCII: Java's \s is [ \t\n\x0B\f\r] and \S its complement, \d
// and \w ASCII; hostExp's class [\S+\.] is \S (both literals are \S already); `$` is the line's end (an
// ASCII value holds no line terminator Java's `$` would stop before).
#define S_CLASS R"([ \t\n\x0B\f\r])"
#define NS_CLASS R"([^ \t\n\x0B\f\r])"
struct SeedPatterns {
  std::regex host{"^(" NS_CLASS R"(+\.)" NS_CLASS "+" NS_CLASS "+)" S_CLASS};
  std::regex time{R"(\[([0-9]{2}/[A-Za-z0-9_]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} -[0-9]{4})\])"};
  std::regex general{"\"(" NS_CLASS "+)" S_CLASS "(" NS_CLASS "+)" S_CLASS "*(" NS_CLASS "*)\""};
  std::regex status{S_CLASS "([0-9]{3})" S_CLASS};
  std::regex content_size{S_CLASS "([0-9]+)$"};
};
#undef S_CLASS
#undef NS_CLASS

std::string extract(const std::string& line, const std::regex& re, int group) {
  std::smatch m;
  if (!std::regex_search(line, m, re)) return "";
  return m[group].str();
}

// .cast("integer") of digits, ANSI off: "" and values beyond Integer.MAX_VALUE are null.
Value seed_int(const std::string& digits) {
  if (digits.empty()) return Value::null_of(DataType::kInt);
  const std::string significant = digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
  if (significant.size() > 10 || (significant.size() == 10 && significant > "2147483647"))
    return Value::null_of(DataType::kInt);
  return Value::int32(significant.empty() ? 0 : std::stoi(significant));
}

std::vector<Value> seed_row(const std::string& line) {
  static const SeedPatterns p;
  return {text(extract(line, p.host, 1)),
          text(extract(line, p.time, 1)),
          text(extract(line, p.general, 1)),
          text(extract(line, p.general, 2)),
          text(extract(line, p.general, 3)),
          seed_int(extract(line, p.status, 1)),
          seed_int(extract(line, p.content_size, 1)),
          text(line)};
}

}  // namespace

std::string_view reference_format_name(ReferenceFormat format) noexcept {
  switch (format) {
    case ReferenceFormat::kCommon:
      return "common";
    case ReferenceFormat::kCombined:
      return "combined";
    case ReferenceFormat::kSparkSeed:
      return "spark-seed";
  }
  return "?";
}

Schema reference_schema(ReferenceFormat format) {
  using T = DataType;
  if (format == ReferenceFormat::kSparkSeed) {
    return {{"host", T::kString},      {"timestamp", T::kString}, {"method", T::kString},
            {"endpoint", T::kString},  {"protocol", T::kString},  {"status", T::kInt},
            {"content_size", T::kInt}, {"value", T::kString}};
  }
  Schema schema = {{"host", T::kString},         {"ident", T::kString},  {"user", T::kString},
                   {"timestamp", T::kTimestamp}, {"method", T::kString}, {"endpoint", T::kString},
                   {"protocol", T::kString},     {"status", T::kInt},    {"content_size", T::kBigint}};
  if (format == ReferenceFormat::kCombined) {
    schema.push_back({"referer", T::kString});
    schema.push_back({"user_agent", T::kString});
  }
  schema.push_back({"value", T::kString});
  return schema;
}

std::string reference_print_schema(const Schema& schema) {
  std::string out = "root\n";
  for (const Column& column : schema) {
    std::string type;
    switch (column.type) {
      case DataType::kInt:
        type = "integer";
        break;
      case DataType::kBigint:
        type = "long";
        break;
      case DataType::kTimestamp:
        type = "timestamp";
        break;
      case DataType::kString:
        type = "string";
        break;
      default:
        throw std::logic_error("no such column type in the reference");
    }
    out += " |-- " + column.name + ": " + type + " (nullable = true)\n";
  }
  return out;
}

ReferenceTable reference_table(const std::string& bytes, ReferenceFormat format) {
  for (const char c : bytes) {
    if (static_cast<unsigned char>(c) >= 0x80)
      throw std::runtime_error("the log reference reads ASCII only (Java's UTF-8 decoding is not modelled)");
  }
  ReferenceTable table;
  table.schema = reference_schema(format);
  run_on_large_stack([&] {
    const std::vector<std::string> lines = reference_lines(bytes);
    table.lines = lines.size();
    std::vector<Value> row;
    for (const std::string& line : lines) {
      if (format == ReferenceFormat::kSparkSeed) {
        table.rows.push_back(seed_row(line));
        continue;
      }
      bool truncated = false;
      if (!httpd_row(line, format == ReferenceFormat::kCombined, row, truncated)) {
        ++table.skipped;
        continue;
      }
      table.truncated += truncated ? 1 : 0;
      table.rows.push_back(row);
    }
  });
  return table;
}

}  // namespace logstream::test_support
