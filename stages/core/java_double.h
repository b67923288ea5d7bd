// Java's Double.toString, which Spark uses to show a double and to name a double literal: one
// implementation for the console printer and the SQL front end.
#pragma once

#include <string>

namespace logstream {

// Java's Double.toString: the shortest decimal that reads back as `v` (the closest one when several are
// as short; when one digit would do, the closest of one or two digits, so 4.9E-324 and not 5.0E-324),
// written plain ("0.001", "100.0", "9999999.0") for 1e-3 <= |v| < 1e7 and as "1.0E7" / "1.0E-4"
// otherwise; "NaN", "Infinity", "-Infinity", "0.0", "-0.0". This is the digit choice of JDK 19 and later
// (JDK-4511638); older JDKs, on which Spark 3.4 often runs, print a longer string for a few doubles.
std::string java_double_to_string(double v);

}  // namespace logstream
