// A whole number read from text a file supplied (safetensors metadata: a training state's epoch,
// Adam's step count): the whole text must be a non-negative decimal integer that fits int64, else
// probenet::Error naming `what` and the text. std::stoi/stoll would throw std::invalid_argument or
// std::out_of_range instead (and accept "12abc"), which no caller reports as a bad file.
// json_whole_number: the same for a JSON value (nlohmann's json or ordered_json), checked before any
// conversion: get<int64_t> static_casts whatever number it finds, and a float such as 8.9e76 (what a
// 77-digit integer parses as) or 1.5 cast to an integer type is undefined behaviour or silently wrong.
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

// v as an integer in [0, max], else probenet::Error naming `what` and the value.
template <typename Json>
uint64_t json_whole_number(const Json& v, uint64_t max, const std::string& what) {
    const bool ok = v.is_number_unsigned() ? v.template get<uint64_t>() <= max
                                           : v.is_number_integer() && v.template get<int64_t>() >= 0 &&
                                                 static_cast<uint64_t>(v.template get<int64_t>()) <= max;
    PROBENET_CHECK(ok, what, " holds ", v.dump(), ", not a non-negative integer of at most ", max,
                   "; the file is damaged or was not written by probenet");
    return v.template get<uint64_t>();
}

}  // namespace probenet
