#include "serve/header_values.h"

#include <cctype>
#include <cstdlib>
#include <string>

namespace agentmon {

std::string_view trim_whitespace(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<std::string_view> header_parameter(std::string_view params, std::string_view name) {
    while (!params.empty()) {
        const auto semi = params.find(';');
        const std::string_view param = trim_whitespace(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        const auto eq = param.find('=');
        if (eq == std::string_view::npos || !iequals(trim_whitespace(param.substr(0, eq)), name))
            continue;
        std::string_view value = trim_whitespace(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        return value;
    }
    return std::nullopt;
}

double header_quality(std::string_view params) {
    const auto q = header_parameter(params, "q");
    return q ? std::strtod(std::string(*q).c_str(), nullptr) : 1.0;
}

}  // namespace agentmon
