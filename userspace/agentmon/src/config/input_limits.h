#pragma once
// Bounds on a config file before it reaches the JSON parser: a real config is a few
// KiB and a few levels deep, so anything far beyond is a mistake (a wrong path such
// as /dev/zero, a generated file gone wrong) that must not exhaust memory or the
// stack. Each bound fails with a message that names the limit.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace agentmon {

inline constexpr std::size_t kMaxConfigBytes = 16u << 20;  // 16 MiB
inline constexpr std::size_t kMaxJsonDepth = 64;
// A file with thousands of mistakes is one mistake repeated: show the first ones.
inline constexpr std::size_t kMaxProblemLines = 20;

// Reads at most `max_bytes` (+1 to tell "too large"); never reads an endless file
// to the end. The Error's code is the errno (ENOENT for a missing file, EFBIG for
// one over the limit).
Result<std::string> read_bounded_file(const std::string& path,
                                      std::size_t max_bytes = kMaxConfigBytes);

// The nesting of arrays and objects, counted outside strings, without building the
// document: a message when deeper than `max_depth`, nothing otherwise.
std::optional<std::string> json_depth_problem(std::string_view text,
                                              std::size_t max_depth = kMaxJsonDepth);

// A problem quotes the file's keys and strings as they are, and a key may hold a
// newline or a terminal escape: shown escaped (\n, \t, \xNN), each problem stays
// one line, so a listing is at most kMaxProblemLines + 1 lines.
std::string one_line(std::string_view problem);

}  // namespace agentmon
