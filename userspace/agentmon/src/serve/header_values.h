#pragma once
// HTTP list headers (Accept, Accept-Encoding): comma-separated items, each a
// value and ";"-separated parameters, compared case-insensitively (RFC 9110).
#include <optional>
#include <string_view>

namespace agentmon {

std::string_view trim_whitespace(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// The value of parameter `name` in "a=1; b=\"2\"" (quotes removed), if present.
std::optional<std::string_view> header_parameter(std::string_view params, std::string_view name);
// The q parameter of an item's parameters: 1 when absent.
double header_quality(std::string_view params);

// Calls f(value, params) for each item of `list`: `value` trimmed, `params` the
// text after its first ';' (empty when it has none).
template <class F>
void for_each_header_item(std::string_view list, F&& f) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        const auto semi = item.find(';');
        const std::string_view value = trim_whitespace(item.substr(0, semi));
        if (value.empty()) continue;
        f(value, semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1));
    }
}

}  // namespace agentmon
