// How Spark 3.4 turns a value into the text Dataset.show prints (a Cast to string): integers in decimal,
// doubles as Java's Double.toString, timestamps in the session time zone, booleans, structs as {a, b}.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "stages/core/java_double.h"
#include "stages/core/time_zone.h"
#include "stages/core/value.h"
#include "stages/query/evaluate.h"

namespace logstream {

// Spark's timestamp text: "yyyy-MM-dd HH:mm:ss" in `zone`, then '.' and the fraction of a second only
// when it is not zero, without trailing zeros ("2015-11-29 03:50:00.5"). Years beyond 9999 get a '+',
// years before 0 a '-' (java.time's ISO_LOCAL_DATE).
std::string format_timestamp(int64_t micros, const TimeZone& zone);

// One value as show() prints it; a null of any type is "null".
std::string format_value(const Value& value, const TimeZone& zone);

// A struct (a window's {start, end}) as Spark 3.1+ casts it: "{" fields joined by ", " "}", a null
// field as "null".
std::string format_struct(std::span<const Value> fields, const TimeZone& zone);

// The texts above as the query engine's casts to string need them (CAST(d AS STRING), concat of a
// timestamp): one instance, no state.
const CastText& spark_cast_text() noexcept;

}  // namespace logstream
