// A whole number read from text a file supplied (safetensors metadata: a training state's epoch,
// Adam's step count): the whole text must be a non-negative decimal integer that fits int64, else
// probenet::Error naming `what` and the text. std::stoi/stoll would throw std::invalid_argument or
// std::out_of_range instead (and accept "12abc"), which no caller reports as a bad file.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

#include "tensor/error.h"

namespace probenet {

inline int64_t parse_whole_number(const std::string& text, const std::string& what) {
    int64_t value = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    PROBENET_CHECK(ec == std::errc() && end == text.data() + text.size() && value >= 0, what, ": '", text,
                   "' is not a whole number >= 0; the file is damaged or was not written by probenet");
    return value;
}

}  // namespace probenet
