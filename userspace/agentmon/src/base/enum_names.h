#pragma once
// The name of an enum value from one table of names in declaration order, for enums whose
// values run 0, 1, ..., N-1. The table is declared next to the function that names the enum:
//
//   constexpr std::string_view kNames[] = {"ok", "missing"};
//   static_assert(std::size(kNames) == static_cast<std::size_t>(Verdict::missing) + 1);
//   return enum_name(verdict, kNames, "?");
//
// The static_assert takes the place of a switch's exhaustiveness warning: a value added to the
// enum without a name fails to build.
#include <cstddef>
#include <string_view>

namespace agentmon {

// names[value], or `fallback` for a value outside the table (a `count` sentinel, or an integer
// cast to the enum out of range).
template <typename Enum, std::size_t N>
constexpr std::string_view enum_name(Enum value, const std::string_view (&names)[N],
                                     std::string_view fallback) {
    const auto index = static_cast<std::size_t>(value);
    return index < N ? names[index] : fallback;
}

}  // namespace agentmon
