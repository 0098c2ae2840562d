// probenet::Error — the one exception type of the project.
//
// Every failure says what failed, where (file, layer, shape) and what to do about it; experiments
// catch it at main, print it and exit non-zero. PROBENET_CHECK(cond, parts...) throws one whose
// message is its parts concatenated: the message names what failed; no source file:line is added.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace probenet {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
}
}  // namespace detail

// Throws probenet::Error with the given message parts when `cond` is false.
#define PROBENET_CHECK(cond, ...)                                                              \
    do {                                                                                       \
        if (!(cond)) throw ::probenet::Error(::probenet::detail::concat(__VA_ARGS__));         \
    } while (0)

}  // namespace probenet
