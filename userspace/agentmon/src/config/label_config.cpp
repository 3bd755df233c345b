#include "config/label_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace agentmon {

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return list;
}

const SelectableFamily* find_family(const std::string& name) {
    for (const auto& f : selectable_families())
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace

void read_label_selection(const nlohmann::json& labels, LabelSelection& selection,
                          std::vector<std::string>& problems) {
    if (!labels.is_object()) {
        problems.push_back("labels: expected {\"<family>\": [\"<label>\", ...] or \"all\"}, got " +
                           labels.dump());
        return;
    }
    for (const auto& [name, value] : labels.items()) {
        const std::string where = "labels." + name;
        const SelectableFamily* family = find_family(name);
        if (!family) {
            std::vector<std::string> known;
            for (const auto& f : selectable_families()) known.push_back(f.name);
            problems.push_back(
                where + ": not a family whose labels can be chosen; known: " + joined(known));
            continue;
        }
        if (value.is_string() && value.get<std::string>() == "all") {
            selection.keep_all(name);
            continue;
        }
        if (!value.is_array()) {
            problems.push_back(where + ": expected a list of labels or \"all\", got " +
                               value.dump());
            continue;
        }
        std::set<std::string> kept;
        bool ok = true;
        for (const auto& label : value) {
            const bool known =
                label.is_string() && std::find(family->labels.begin(), family->labels.end(),
                                               label.get<std::string>()) != family->labels.end();
            if (!known) {
                problems.push_back(where + ": " + label.dump() + " is not a label of " + name +
                                   "; its labels: " + joined(family->labels));
                ok = false;
                continue;
            }
            kept.insert(label.get<std::string>());
        }
        if (ok) selection.keep(name, std::move(kept));
    }
}

}  // namespace agentmon
