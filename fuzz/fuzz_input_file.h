// FuzzInputFile: libFuzzer hands a target bytes in memory, but probenet's readers take a path (they
// report it in every error). This writes the bytes to one file per fuzzing process, reused for every
// input, so each reader runs exactly as it would on a user's file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace probenet::fuzz {

inline std::string write_input(const uint8_t* data, size_t size, const std::string& suffix = "") {
    static const std::string path = (std::filesystem::temp_directory_path() /
                                     ("probenet_fuzz_" + std::to_string(::getpid()) + suffix)).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

}  // namespace probenet::fuzz
