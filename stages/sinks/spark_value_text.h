// How Spark 3.4 turns a value into the text Dataset.show prints (a Cast to string): integers in decimal,
// doubles as Java's Double.toString, timestamps in the session time zone, booleans, structs as {a, b}.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "stages/core/time_zone.h"
#include "stages/core/value.h"

namespace logstream {

// Java's Double.toString: the shortest decimal that reads back as `v` (the closest one when several are
// as short; when one digit would do, the closest of one or two digits, so 4.9E-324 and not 5.0E-324),
// written plain ("0.001", "100.0", "9999999.0") for 1e-3 <= |v| < 1e7 and as "1.0E7" / "1.0E-4"
// otherwise; "NaN", "Infinity", "-Infinity", "0.0", "-0.0". This is the digit choice of JDK 19 and later
// (JDK-4511638); older JDKs, on which Spark 3.4 often runs, print a longer string for a few doubles.
std::string java_double_to_string(double v);

// Spark's timestamp text: "yyyy-MM-dd HH:mm:ss" in `zone`, then '.' and the fraction of a second only
// when it is not zero, without trailing zeros ("2015-11-29 03:50:00.5"). Years beyond 9999 get a '+',
// years before 0 a '-' (java.time's ISO_LOCAL_DATE).
std::string format_timestamp(int64_t micros, const TimeZone& zone);

// One value as show() prints it; a null of any type is "null".
std::string format_value(const Value& value, const TimeZone& zone);

// A struct (a window's {start, end}) as Spark 3.1+ casts it: "{" fields joined by ", " "}", a null
// field as "null".
std::string format_struct(std::span<const Value> fields, const TimeZone& zone);

}  // namespace logstream
