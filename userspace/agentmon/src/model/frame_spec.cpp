#include "model/frame_spec.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

namespace agentmon {

namespace {

constexpr std::uint32_t kSixteenMiB = 16u << 20;

struct NamedField {
    const char* name;
    FieldSpec FrameSpec::*member;
};

const NamedField kFields[] = {
    {"payload_len", &FrameSpec::payload_len},
    {"msg_type", &FrameSpec::msg_type},
    {"priority", &FrameSpec::priority},
    {"source", &FrameSpec::source},
    {"target_count", &FrameSpec::target_count},
    {"target", &FrameSpec::target},
    {"timestamp", &FrameSpec::timestamp},
    {"sequence", &FrameSpec::sequence},
    {"flags", &FrameSpec::flags},
    {"crc", &FrameSpec::crc},
};

field_spec to_bpf_field(const FieldSpec& f) { return {f.offset, f.width, f.big_endian}; }

}  // namespace

FrameSpec agen_preset() {
    FrameSpec s;
    s.name = "agen";
    s.magic = 0x4147454E;  // "AGEN", bytes 4E 45 47 41 in memory
    s.magic_width = 4;
    s.header_size = 168;
    s.max_payload = kSixteenMiB;
    s.max_targets = 16;
    s.reply_mask = 1;
    s.timestamp_unit_ns = 1;
    s.flags = {6, 2};
    s.msg_type = {8, 4};
    s.priority = {12, 4};
    s.timestamp = {16, 8};
    s.sequence = {24, 8};
    s.source = {32, 4};
    s.target_count = {36, 4};
    s.target = {40, 4};
    s.payload_len = {104, 4};
    s.crc = {108, 4};  // over bytes 0..107
    return s;
}

FrameSpec ufp3_preset() {
    FrameSpec s;
    s.name = "ufp3";
    s.magic = 0x4147;
    s.magic_width = 2;
    s.header_size = 64;
    s.target_stride = 2;  // target_count u16 ids follow the header
    s.max_payload = kSixteenMiB;
    s.max_targets = 16;
    s.reply_mask = 1;
    s.timestamp_unit_ns = 1000000;  // monotonic milliseconds, 32 bits
    s.flags = {3, 1};
    s.msg_type = {4, 2};
    s.priority = {6, 1};
    s.sequence = {8, 4};
    s.timestamp = {12, 4};
    s.source = {16, 2};
    s.target_count = {18, 1};
    s.payload_len = {20, 4};
    s.target = {64, 2};  // the first target id, right after the header
    s.crc = {24, 4};     // over bytes 0..23
    return s;
}

std::optional<FrameSpec> preset(const std::string& name) {
    if (name == "agen") return agen_preset();
    if (name == "ufp3") return ufp3_preset();
    return std::nullopt;
}

std::vector<std::string> FrameSpec::validate() const {
    std::vector<std::string> problems;
    if (magic_width != 2 && magic_width != 4)
        problems.emplace_back("frame_spec.magic_width: must be 2 or 4");
    // A zero magic would match zero padding (the ring's pad records), and the
    // decoder could never tell a frame start from filler while resynchronising.
    if (magic == 0) problems.emplace_back("frame_spec.magic: required, and not 0");
    if (magic_width == 2 && magic > 0xffff)
        problems.emplace_back("frame_spec.magic: does not fit in magic_width 2 bytes");
    if (header_size < magic_width)
        problems.push_back("frame_spec.header_size: " + std::to_string(header_size) +
                           " cannot hold the " + std::to_string(magic_width) + "-byte magic");
    for (const auto& [name, member] : kFields) {
        const FieldSpec& f = this->*member;
        std::string where = std::string("frame_spec.") + name;
        if (f.width != 0 && f.width != 1 && f.width != 2 && f.width != 4 && f.width != 8) {
            problems.push_back(where + ".width: must be 1, 2, 4 or 8");
            continue;
        }
        if (f.offset + f.width > FRAME_SPAN_MAX)
            problems.push_back(where + ".offset: field ends at " +
                               std::to_string(f.offset + f.width) + ", beyond the " +
                               std::to_string(FRAME_SPAN_MAX) + " header bytes the decoder reads");
        else if (f.width && f.offset + f.width > header_size &&
                 !(member == &FrameSpec::target && target_stride))
            problems.push_back(where + ".offset: field ends at " +
                               std::to_string(f.offset + f.width) + ", after header_size " +
                               std::to_string(header_size));
        else if (f.width && f.offset < magic_width)
            problems.push_back(where + ".offset: " + std::to_string(f.offset) +
                               " overlaps the magic at offset 0");
    }
    // Target ids after the header (UFP v3): the frame is header_size + target_count
    // x target_stride + payload_len bytes, and the first id sits right after the header.
    if (target_stride) {
        if (target_stride != 1 && target_stride != 2 && target_stride != 4 && target_stride != 8)
            problems.emplace_back(
                "frame_spec.target_stride: must be 0 (targets inside the header), "
                "1, 2, 4 or 8");
        if (!target_count.width)
            problems.emplace_back("frame_spec.target_count: required when target_stride is set");
        if (target.width && target.width != target_stride)
            problems.push_back("frame_spec.target.width: must equal target_stride (" +
                               std::to_string(target_stride) + ")");
        if (target.width && target.offset != header_size)
            problems.push_back(
                "frame_spec.target.offset: with target_stride the first target "
                "id follows the header, at header_size (" +
                std::to_string(header_size) + ")");
    }
    if (target_count.width && max_targets == 0)
        problems.emplace_back(
            "frame_spec.max_targets: must be positive when target_count is present");
    if (!payload_len.width) problems.emplace_back("frame_spec.payload_len: required");
    if (!source.width) problems.emplace_back("frame_spec.source: required");
    if (!msg_type.width) problems.emplace_back("frame_spec.msg_type: required");
    if (crc.width && crc.width != 4)
        problems.emplace_back("frame_spec.crc.width: must be 4 (CRC32C) or 0 (no CRC)");
    if (max_payload == 0) problems.emplace_back("frame_spec.max_payload: must be positive");
    if (timestamp.width && timestamp_unit_ns != 1 && timestamp_unit_ns != 1000 &&
        timestamp_unit_ns != 1000000)
        problems.emplace_back("frame_spec.timestamp_unit: must be \"ns\", \"us\" or \"ms\"");
    return problems;
}

frame_spec FrameSpec::to_bpf() const {
    frame_spec out{};
    out.magic = magic;
    out.magic_width = magic_width;
    out.magic_big_endian = magic_big_endian;
    // The magic's bytes in wire order, read as a big-endian number: what the
    // resynchronising scan's rolling window holds when it sits on a magic.
    for (int i = 0; i < magic_width; ++i) {
        int shift = magic_big_endian ? (magic_width - 1 - i) * 8 : i * 8;
        out.magic_window = (out.magic_window << 8) | ((magic >> shift) & 0xff);
    }
    out.header_size = header_size;
    out.target_stride = target_stride;
    out.max_payload = max_payload;
    out.max_targets = max_targets;
    out.reply_mask = reply_mask;
    out.timestamp_unit_ns = timestamp_unit_ns;
    std::uint16_t span = magic_width;
    for (const auto& [name, member] : kFields) {
        const FieldSpec& f = this->*member;
        if (f.width) span = std::max<std::uint16_t>(span, f.offset + f.width);
    }
    out.span = span;
    out.payload_len = to_bpf_field(payload_len);
    out.msg_type = to_bpf_field(msg_type);
    out.priority = to_bpf_field(priority);
    out.source = to_bpf_field(source);
    out.target_count = to_bpf_field(target_count);
    out.target = to_bpf_field(target);
    out.timestamp = to_bpf_field(timestamp);
    out.sequence = to_bpf_field(sequence);
    out.flags = to_bpf_field(flags);
    out.crc = to_bpf_field(crc);
    return out;
}

namespace {

template <class T>
void read_number(const nlohmann::json& obj, const char* key, const std::string& where, T& out,
                 std::vector<std::string>& problems) {
    if (!obj.contains(key)) return;
    const auto& v = obj.at(key);
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > std::numeric_limits<T>::max()) {
        problems.push_back(where + "." + key + ": expected a non-negative integer up to " +
                           std::to_string(std::numeric_limits<T>::max()) + ", got " + v.dump());
        return;
    }
    out = static_cast<T>(v.get<std::uint64_t>());
}

void read_endian(const nlohmann::json& obj, const std::string& where, bool& big,
                 std::vector<std::string>& problems) {
    if (!obj.contains("endian")) return;
    const auto& v = obj.at("endian");
    if (v == "little" || v == "big")
        big = v == "big";
    else
        problems.push_back(where + ".endian: expected \"little\" or \"big\", got " + v.dump());
}

}  // namespace

FrameSpec parse_frame_spec(const nlohmann::json& value, std::vector<std::string>& problems) {
    if (value.is_string()) {
        if (auto p = preset(value.get<std::string>())) return *p;
        problems.push_back("frame_spec: unknown preset " + value.dump() +
                           "; presets are \"agen\" and \"ufp3\"");
        return agen_preset();
    }
    if (!value.is_object()) {
        problems.push_back("frame_spec: expected a preset name or an object, got " + value.dump());
        return agen_preset();
    }
    FrameSpec spec;
    spec.name = "custom";
    if (value.contains("preset")) {
        const auto& name = value.at("preset");
        auto p = name.is_string() ? preset(name.get<std::string>()) : std::nullopt;
        if (!p)
            problems.push_back("frame_spec.preset: unknown preset " + name.dump() +
                               "; presets are \"agen\" and \"ufp3\"");
        else
            spec = *p;
    }
    static const std::vector<std::string> known = {
        "preset",        "magic",       "magic_width", "magic_endian", "header_size",
        "target_stride", "max_payload", "max_targets", "reply_flag",   "timestamp_unit",
        "payload_len",   "msg_type",    "priority",    "source",       "target_count",
        "target",        "timestamp",   "sequence",    "flags",        "crc"};
    for (const auto& [key, v] : value.items())
        if (std::find(known.begin(), known.end(), key) == known.end())
            problems.push_back("frame_spec." + key + ": unknown key");
    const std::string where = "frame_spec";
    read_number(value, "magic", where, spec.magic, problems);
    read_number(value, "magic_width", where, spec.magic_width, problems);
    if (value.contains("magic_endian")) {
        const auto& v = value.at("magic_endian");
        if (v == "little" || v == "big")
            spec.magic_big_endian = v == "big";
        else
            problems.push_back("frame_spec.magic_endian: expected \"little\" or \"big\", got " +
                               v.dump());
    }
    read_number(value, "header_size", where, spec.header_size, problems);
    read_number(value, "target_stride", where, spec.target_stride, problems);
    read_number(value, "max_payload", where, spec.max_payload, problems);
    read_number(value, "max_targets", where, spec.max_targets, problems);
    read_number(value, "reply_flag", where, spec.reply_mask, problems);
    if (value.contains("timestamp_unit")) {
        const auto& unit = value.at("timestamp_unit");
        if (unit == "ns")
            spec.timestamp_unit_ns = 1;
        else if (unit == "us")
            spec.timestamp_unit_ns = 1000;
        else if (unit == "ms")
            spec.timestamp_unit_ns = 1000000;
        else
            problems.push_back(
                "frame_spec.timestamp_unit: expected \"ns\", \"us\" or \"ms\", got " + unit.dump());
    }
    for (const auto& [name, member] : kFields) {
        if (!value.contains(name)) continue;
        const auto& f = value.at(name);
        std::string field_where = where + "." + name;
        if (!f.is_object()) {
            problems.push_back(field_where +
                               ": expected {\"offset\": N, \"width\": 1|2|4|8, \"endian\": ...}");
            continue;
        }
        FieldSpec parsed = spec.*member;
        for (const auto& [key, unused] : f.items())
            if (key != "offset" && key != "width" && key != "endian")
                problems.push_back(field_where + "." + key +
                                   ": unknown key; known keys: offset, width, endian");
        read_number(f, "offset", field_where, parsed.offset, problems);
        read_number(f, "width", field_where, parsed.width, problems);
        read_endian(f, field_where, parsed.big_endian, problems);
        spec.*member = parsed;
    }
    return spec;
}

}  // namespace agentmon
