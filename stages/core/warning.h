// How stages report a problem that does not stop the query (a file that vanished, an alert program that
// could not start): a callback that prints it once, with the path and the reason.
#pragma once

#include <functional>
#include <string>

namespace logstream {

using WarningHandler = std::function<void(const std::string&)>;

}  // namespace logstream
