#include "metrics/exemplar_store.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "metrics/family_table.h"

namespace agentmon {

namespace {

double system_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// `digits` lowercase hex digits, not all zero (W3C trace context: an all-zero id
// is invalid). Uppercase is folded, so the exposition always shows one spelling.
bool normalise_hex_id(std::string& id, std::size_t digits) {
    if (id.size() != digits) return false;
    bool nonzero = false;
    for (char& c : id) {
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        nonzero = nonzero || c != '0';
    }
    return nonzero;
}

}  // namespace

ExemplarStore::ExemplarStore(ExemplarStoreOptions options, Clock now)
    : selection_(std::move(options.selection)),
      capacity_(std::max<std::size_t>(options.capacity, 1)),
      max_age_(options.max_age_seconds),
      now_(now ? std::move(now) : Clock(system_now)) {
    for (auto& [name, bounds] : options.bounds) {
        const FamilySpec* spec = find_family(name);
        if (spec == nullptr || spec->type != FamilyType::histogram) continue;
        LabelSet every;
        for (const auto& label : label_names(*spec)) every.emplace(label, "");
        Family family{std::move(bounds), {}};
        for (const auto& kept : selection_.project(name, every)) family.kept.push_back(kept.first);
        families_.emplace(name, std::move(family));
    }
}

std::string ExemplarStore::series_key(std::string_view family, const LabelSet& labels) {
    // NUL cannot occur in a family name, and label values come from agent names,
    // message types and carriers, none of which holds one.
    std::string key(family);
    for (const auto& [name, value] : labels) {
        key += '\0';
        key += name;
        key += '\0';
        key += value;
    }
    return key;
}

std::string ExemplarStore::slot_key(const std::string& series, std::size_t bucket) {
    return series + '\x01' + std::to_string(bucket);
}

void ExemplarStore::offer(std::string_view family_name, const Labels& labels, Exemplar e) {
    auto family = families_.find(family_name);
    if (family == families_.end()) return;
    if (!normalise_hex_id(e.trace_id_hex, 32) || !normalise_hex_id(e.span_id_hex, 16)) return;
    if (!std::isfinite(e.value_seconds) || e.value_seconds < 0 || !std::isfinite(e.unix_seconds))
        return;
    LabelSet exported;
    for (const auto& name : family->second.kept) {
        auto it = std::find_if(labels.begin(), labels.end(),
                               [&](const auto& label) { return label.first == name; });
        if (it == labels.end()) return;
        exported.emplace(name, it->second);
    }
    const auto& bounds = family->second.bounds;
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(bounds.begin(), bounds.end(), e.value_seconds) - bounds.begin());
    std::string series = series_key(family_name, exported);
    std::string key = slot_key(series, bucket);

    std::lock_guard lock(mutex_);
    const double now = now_();
    expire(now);
    if (auto old = by_key_.find(key); old != by_key_.end()) erase(old->second);
    ++per_series_[series];
    by_age_.push_back(Entry{std::move(series), bucket, std::move(e), now});
    by_key_.emplace(std::move(key), std::prev(by_age_.end()));
    while (by_age_.size() > capacity_) erase(by_age_.begin());
}

void ExemplarStore::erase(std::list<Entry>::iterator entry) {
    by_key_.erase(slot_key(entry->series, entry->bucket));
    if (auto count = per_series_.find(entry->series); count != per_series_.end())
        if (--count->second == 0) per_series_.erase(count);
    by_age_.erase(entry);
}

void ExemplarStore::expire(double now) {
    while (!by_age_.empty() && now - by_age_.front().offered_at > max_age_) erase(by_age_.begin());
}

std::vector<std::optional<Exemplar>> ExemplarStore::of_series(std::string_view family_name,
                                                              const LabelSet& labels) const {
    auto family = families_.find(family_name);
    if (family == families_.end()) return {};
    const std::string series = series_key(family_name, labels);
    std::lock_guard lock(mutex_);
    if (per_series_.find(series) == per_series_.end()) return {};
    const double now = now_();
    const std::size_t slots = family->second.bounds.size() + 1;
    std::vector<std::optional<Exemplar>> out(slots);
    bool any = false;
    for (std::size_t bucket = 0; bucket < slots; ++bucket) {
        auto it = by_key_.find(slot_key(series, bucket));
        if (it == by_key_.end() || now - it->second->offered_at > max_age_) continue;
        out[bucket] = it->second->exemplar;
        any = true;
    }
    if (!any) out.clear();
    return out;
}

bool ExemplarStore::takes(std::string_view family_name) const {
    return families_.find(family_name) != families_.end();
}

std::size_t ExemplarStore::size() const {
    std::lock_guard lock(mutex_);
    return by_age_.size();
}

}  // namespace agentmon
