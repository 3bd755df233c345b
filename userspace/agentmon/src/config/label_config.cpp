#include "config/label_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "config/json_fields.h"

namespace agentmon {

namespace {

const SelectableFamily* find_family(const std::string& name) {
    for (const auto& f : selectable_families())
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace

void read_label_selection(const nlohmann::json& labels, LabelSelection& selection,
                          std::vector<std::string>& problems) {
    if (!expect_kind(labels.is_object(),
                     "labels: expected {\"<family>\": [\"<label>\", ...] or \"all\"}", labels,
                     problems))
        return;
    for (const auto& [name, value] : labels.items()) {
        const std::string where = "labels." + name;
        const SelectableFamily* family = find_family(name);
        if (!family) {
            std::vector<std::string> known;
            for (const auto& f : selectable_families()) known.push_back(f.name);
            problems.push_back(
                where + ": not a family whose labels can be chosen; known: " + join_names(known));
            continue;
        }
        if (value.is_string() && value.get<std::string>() == "all") {
            selection.keep_all(name);
            continue;
        }
        if (!expect_kind(value.is_array(), where + ": expected a list of labels or \"all\"", value,
                         problems))
            continue;
        std::set<std::string> kept;
        bool ok = true;
        for (const auto& label : value) {
            const bool known =
                label.is_string() && std::find(family->labels.begin(), family->labels.end(),
                                               label.get<std::string>()) != family->labels.end();
            if (!known) {
                problems.push_back(where + ": " + label.dump() + " is not a label of " + name +
                                   "; its labels: " + join_names(family->labels));
                ok = false;
                continue;
            }
            kept.insert(label.get<std::string>());
        }
        if (ok) selection.keep(name, std::move(kept));
    }
}

}  // namespace agentmon
