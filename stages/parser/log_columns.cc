#include "stages/parser/log_columns.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace logstream {
namespace {

// Lowercase ASCII letters, digits and '_': a header name such as "X-Forwarded-For" becomes
// "x_forwarded_for", a name a query can write without quoting.
std::string column_word(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
      out += c;
    else
      out += '_';
  }
  return out.empty() ? "field" : out;
}

struct Named {
  std::string name;
  DataType type = DataType::kString;
};

Named apache_column(const FieldOrigin& field) {
  const std::string& arg = field.argument;
  switch (field.directive) {
    case 'h':
      return {"host"};
    case 'a':
      return {arg == "c" ? "peer_ip" : "client_ip"};
    case 'A':
      return {"local_ip"};
    case 'l':
      return {"ident"};
    case 'u':
      return {"user"};
    case 't':
      // %t is parsed into a TIMESTAMP; a strftime %{...}t is kept as the text it is.
      return {"timestamp", arg.empty() ? DataType::kTimestamp : DataType::kString};
    case 's':
      return {"status", DataType::kInt};
    case 'b':
    case 'B':
      return {"content_size", DataType::kBigint};
    case 'O':
      return {"bytes_sent", DataType::kBigint};
    case 'I':
      return {"bytes_received", DataType::kBigint};
    case 'S':
      return {"bytes_transferred", DataType::kBigint};
    case 'D':
      return {"duration_us", DataType::kBigint};
    case 'T':
      return {arg == "ms" ? "duration_ms" : arg == "us" ? "duration_us" : "duration_s", DataType::kBigint};
    case 'k':
      return {"keepalive_requests", DataType::kBigint};
    case 'p':
      return {arg == "local" ? "local_port" : arg == "remote" ? "remote_port" : "port", DataType::kInt};
    case 'P':
      if (arg == "hextid") return {"hextid"};
      return {arg == "tid" ? "tid" : "pid", DataType::kBigint};
    case 'v':
      return {"vhost"};
    case 'V':
      return {"server_name"};
    case 'm':
      return {"method"};
    case 'U':
      return {"endpoint"};
    case 'q':
      return {"query_string"};
    case 'H':
      return {"protocol"};
    case 'f':
      return {"filename"};
    case 'R':
      return {"handler"};
    case 'L':
      return {"log_id"};
    case 'X':
      return {"connection_status"};
    case 'i':
      return {column_word(arg)};  // %{Referer}i referer, %{User-Agent}i user_agent
    case 'o':
      return {"resp_" + column_word(arg)};
    case 'C':
      return {"cookie_" + column_word(arg)};
    case 'e':
      return {"env_" + column_word(arg)};
    case 'n':
      return {"note_" + column_word(arg)};
    default:
      return {std::string("field_") + field.directive};
  }
}

Named nginx_column(const FieldOrigin& field) {
  const std::string& name = field.argument;
  if (name == "remote_addr") return {"host"};
  if (name == "remote_user") return {"user"};
  if (name == "time_local") return {"timestamp", DataType::kTimestamp};
  if (name == "status") return {"status", DataType::kInt};
  if (name == "body_bytes_sent") return {"content_size", DataType::kBigint};
  if (name == "bytes_sent" || name == "request_length" || name == "connection")
    return {name, DataType::kBigint};
  if (name == "server_port") return {"port", DataType::kInt};
  if (name == "request_time") return {name, DataType::kDouble};
  if (name.rfind("http_", 0) == 0) return {column_word(name.substr(5))};  // http_referer referer
  return {column_word(name), field.kind == FieldKind::kNumber ? DataType::kBigint : DataType::kString};
}

// Digits only (a size of "-" and anything else are null), as a bigint or an int that must fit.
void set_integer_value(std::string_view text, DataType type, Value& out) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text[0] == '-' || text[0] == '+' || ec != std::errc() ||
      end != text.data() + text.size() ||
      (type == DataType::kInt && value > std::numeric_limits<int32_t>::max())) {
    out.set_null_of(type);
    return;
  }
  out.set_integer(type, value);
}

Value double_value(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return Value::null_of(DataType::kDouble);
  return Value::float64(value);
}

}  // namespace

void LogColumns::add(std::string name, DataType type, Source source) {
  // A second column of one name (%m and %r both give a method) gets a suffix: method_2.
  std::string unique = name;
  for (int n = 2; find_column(schema_, unique) >= 0; ++n) unique = name + "_" + std::to_string(n);
  schema_.push_back({std::move(unique), type});
  sources_.push_back(source);
}

LogColumns LogColumns::of(const LogFormat& format) {
  LogColumns columns;
  const std::vector<FieldOrigin>& fields = format.fields();
  for (size_t i = 0; i < fields.size(); ++i) {
    const FieldOrigin& field = fields[i];
    const auto index = static_cast<uint8_t>(i);
    if (field.kind == FieldKind::kRequest) {
      columns.add("method", DataType::kString, {Source::kMethod, index});
      columns.add("endpoint", DataType::kString, {Source::kEndpoint, index});
      columns.add("protocol", DataType::kString, {Source::kProtocol, index});
      continue;
    }
    const Named named = field.directive != 0 ? apache_column(field) : nginx_column(field);
    const bool parsed_time = field.kind == FieldKind::kTimeBracketed || field.kind == FieldKind::kTimeBare;
    columns.add(named.name, named.type, {parsed_time ? Source::kTime : Source::kField, index});
  }
  columns.add("value", DataType::kString, {Source::kLine, 0});
  return columns;
}

LogColumns LogColumns::spark_seed() {
  LogColumns columns;
  for (const char* name : {"host", "timestamp", "method", "endpoint", "protocol"})
    columns.add(name, DataType::kString, {Source::kField, 0});
  columns.add("status", DataType::kInt, {Source::kField, 0});
  columns.add("content_size", DataType::kInt, {Source::kField, 0});
  columns.add("value", DataType::kString, {Source::kLine, 0});
  return columns;
}

Value LogColumns::value(size_t column, const ParsedLine& line, std::string_view raw_line) const {
  Value out;
  assign_value(column, line, raw_line, out);
  return out;
}

void LogColumns::assign_value(size_t column, const ParsedLine& line, std::string_view raw_line,
                              Value& out) const {
  const Source source = sources_[column];
  const DataType type = schema_[column].type;
  auto text_value = [&out](std::string_view text) { out.set_string(text); };
  auto scalar = [&out](const Value& v) { out.set_scalar(v); };
  if (source.kind == Source::kLine) return text_value(raw_line);
  if (source.kind == Source::kTime) {
    if (!line.has_time || source.field >= line.field_count) return out.set_null_of(type);
    return out.set_integer(DataType::kTimestamp, line.epoch_seconds * 1'000'000);
  }
  if (source.field >= line.field_count) return out.set_null_of(type);  // cut off before this field
  const std::string_view text = line.fields[source.field];
  if (source.kind != Source::kField) {
    // Its own small struct, not a ParsedLine: that one holds a view of every field, 600 bytes to clear
    // for each row.
    const RequestParts request = split_request(text);
    return text_value(source.kind == Source::kMethod     ? request.method
                      : source.kind == Source::kEndpoint ? request.target
                                                         : request.protocol);
  }
  switch (type) {
    case DataType::kInt:
    case DataType::kBigint:
      return set_integer_value(text, type, out);
    case DataType::kDouble:
      return scalar(double_value(text));
    default:
      return text_value(text);
  }
}

Expected<Schema> union_schema(const std::vector<Schema>& schemas) {
  Schema all;
  for (const Schema& schema : schemas) {
    for (const Column& column : schema) {
      if (column.name == "value") continue;  // the raw line stays the last column
      const int at = find_column(all, column.name);
      if (at < 0) {
        all.push_back(column);
      } else if (all[static_cast<size_t>(at)].type != column.type) {
        return Error{"column '" + column.name + "' is " +
                     std::string(data_type_name(all[static_cast<size_t>(at)].type)) + " in one format and " +
                     std::string(data_type_name(column.type)) + " in another"};
      }
    }
  }
  all.push_back({"value", DataType::kString});
  return all;
}

std::string render_print_schema(const Schema& schema) {
  std::string out = "root\n";
  for (const Column& column : schema) {
    std::string_view type = data_type_name(column.type);
    if (column.type == DataType::kInt) type = "integer";  // DataType.typeName in printSchema
    if (column.type == DataType::kBigint) type = "long";
    out.append(" |-- ").append(column.name).append(": ").append(type).append(" (nullable = true)\n");
  }
  return out;
}

}  // namespace logstream
