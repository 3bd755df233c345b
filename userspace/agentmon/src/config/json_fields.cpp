#include "config/json_fields.h"

#include <nlohmann/json.hpp>

namespace agentmon {

bool expect_kind(bool matches, const std::string& expected, const nlohmann::json& value,
                 std::vector<std::string>& problems) {
    if (!matches) problems.push_back(expected + ", got " + value.dump());
    return matches;
}

void read_bool(const nlohmann::json& value, const std::string& name, bool& out,
               std::vector<std::string>& problems) {
    if (expect_kind(value.is_boolean(), name + ": expected true or false", value, problems))
        out = value.get<bool>();
}

void read_section(const nlohmann::json& doc, const std::string& section, bool& enabled,
                  std::vector<std::string>& problems, const SectionFieldReader& read_field) {
    if (!doc.contains(section)) return;
    const nlohmann::json& value = doc.at(section);
    if (value.is_boolean()) {
        enabled = value.get<bool>();
        return;
    }
    if (!expect_kind(value.is_object(), section + ": expected true, false or an object", value,
                     problems))
        return;
    for (const auto& [key, field] : value.items()) read_field(key, field, section + "." + key);
}

std::string join_names(const std::vector<std::string>& names, std::string_view sep) {
    std::string out;
    for (const auto& name : names) {
        if (!out.empty()) out += sep;
        out += name;
    }
    return out;
}

}  // namespace agentmon
