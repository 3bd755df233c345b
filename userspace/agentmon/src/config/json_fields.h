#pragma once
// Small readers shared by the config file's sections: each checks one JSON value's kind and,
// when it is wrong, appends a problem that names the field and shows the value it got.
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace agentmon {

// True when `matches`; otherwise appends "<expected>, got <value as JSON>" and returns false.
// `expected` names the field: "series_budget: expected {\"default\": N}".
bool expect_kind(bool matches, const std::string& expected, const nlohmann::json& value,
                 std::vector<std::string>& problems);

// `value` into `out` when it is true or false, else the problem "<name>: expected true or
// false, got ...".
void read_bool(const nlohmann::json& value, const std::string& name, bool& out,
               std::vector<std::string>& problems);

// Reads one field of a section: its key, its value and its name for problems ("ring_path.<key>").
using SectionFieldReader = std::function<void(const std::string& key, const nlohmann::json& field,
                                              const std::string& name)>;

// A section of `doc` that is `true`, `false` or an object, such as "ring_path": true or false
// sets `enabled`; each field of an object goes to `read_field`; anything else is a problem.
// Nothing happens when the section is absent.
void read_section(const nlohmann::json& doc, const std::string& section, bool& enabled,
                  std::vector<std::string>& problems, const SectionFieldReader& read_field);

// The names joined by `sep`: "a, b, c".
std::string join_names(const std::vector<std::string>& names, std::string_view sep = ", ");

}  // namespace agentmon
