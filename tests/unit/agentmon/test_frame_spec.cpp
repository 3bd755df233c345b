// The frame spec: presets produce exactly the kernel struct the decoder expects,
// JSON parsing applies overrides, and every problem names its field.
#include <doctest/doctest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "model/frame_spec.h"

using namespace agentmon;

namespace {

bool same_field(const field_spec& a, const field_spec& b) {
    return a.offset == b.offset && a.width == b.width && a.big_endian == b.big_endian;
}

void check_same(const frame_spec& got, const frame_spec& want) {
    CHECK(got.magic == want.magic);
    CHECK(got.magic_window == want.magic_window);
    CHECK(got.magic_width == want.magic_width);
    CHECK(got.magic_big_endian == want.magic_big_endian);
    CHECK(got.header_size == want.header_size);
    CHECK(got.span == want.span);
    CHECK(got.target_stride == want.target_stride);
    CHECK(got.max_payload == want.max_payload);
    CHECK(got.max_targets == want.max_targets);
    CHECK(got.reply_mask == want.reply_mask);
    CHECK(got.timestamp_unit_ns == want.timestamp_unit_ns);
    CHECK(same_field(got.payload_len, want.payload_len));
    CHECK(same_field(got.msg_type, want.msg_type));
    CHECK(same_field(got.priority, want.priority));
    CHECK(same_field(got.source, want.source));
    CHECK(same_field(got.target_count, want.target_count));
    CHECK(same_field(got.target, want.target));
    CHECK(same_field(got.timestamp, want.timestamp));
    CHECK(same_field(got.sequence, want.sequence));
    CHECK(same_field(got.flags, want.flags));
    CHECK(same_field(got.crc, want.crc));
    // Nothing else, padding included: the struct is copied into rodata as is.
    CHECK(std::memcmp(&got, &want, sizeof(frame_spec)) == 0);
}

frame_spec agen_bpf() {
    frame_spec s{};
    s.magic = 0x4147454E;
    s.magic_window = 0x4E454741;  // bytes 4E 45 47 41 on the wire
    s.magic_width = 4;
    s.header_size = 168;
    s.span = 112;  // the CRC at 108 ends last
    s.max_payload = 16u << 20;
    s.max_targets = 16;
    s.reply_mask = 1;
    s.timestamp_unit_ns = 1;
    s.flags = {6, 2, 0};
    s.msg_type = {8, 4, 0};
    s.priority = {12, 4, 0};
    s.timestamp = {16, 8, 0};
    s.sequence = {24, 8, 0};
    s.source = {32, 4, 0};
    s.target_count = {36, 4, 0};
    s.target = {40, 4, 0};
    s.payload_len = {104, 4, 0};
    s.crc = {108, 4, 0};
    return s;
}

frame_spec ufp3_bpf() {
    frame_spec s{};
    s.magic = 0x4147;
    s.magic_window = 0x4741;  // bytes 47 41 on the wire
    s.magic_width = 2;
    s.header_size = 64;
    s.span = 66;  // the first target id right after the header
    s.target_stride = 2;
    s.max_payload = 16u << 20;
    s.max_targets = 16;
    s.reply_mask = 1;
    s.timestamp_unit_ns = 1000000;
    s.flags = {3, 1, 0};
    s.msg_type = {4, 2, 0};
    s.priority = {6, 1, 0};
    s.sequence = {8, 4, 0};
    s.timestamp = {12, 4, 0};
    s.source = {16, 2, 0};
    s.target_count = {18, 1, 0};
    s.payload_len = {20, 4, 0};
    s.target = {64, 2, 0};
    s.crc = {24, 4, 0};
    return s;
}

FrameSpec parsed(const std::string& json, std::vector<std::string>& problems) {
    return parse_frame_spec(nlohmann::json::parse(json), problems);
}

std::vector<std::string> problems_of(const std::string& json) {
    std::vector<std::string> problems;
    FrameSpec spec = parsed(json, problems);
    for (auto& p : spec.validate()) problems.push_back(p);
    return problems;
}

bool has_problem_starting(const std::vector<std::string>& problems, const std::string& prefix) {
    for (const auto& p : problems)
        if (p.rfind(prefix, 0) == 0) return true;
    return false;
}

}  // namespace

TEST_CASE("the AGEN preset is valid and gives the kernel exactly the AGEN layout") {
    CHECK(agen_preset().validate().empty());
    check_same(agen_preset().to_bpf(), agen_bpf());
}

TEST_CASE("the UFP v3 preset is valid and gives the kernel exactly the UFP v3 layout") {
    CHECK(ufp3_preset().validate().empty());
    check_same(ufp3_preset().to_bpf(), ufp3_bpf());
}

TEST_CASE("presets are found by name, as a string or as {\"preset\": ...}") {
    struct Case {
        const char* json;
        frame_spec want;
    };
    for (const Case& c :
         {Case{R"("agen")", agen_bpf()}, Case{R"({"preset": "agen"})", agen_bpf()},
          Case{R"("ufp3")", ufp3_bpf()}, Case{R"({"preset": "ufp3"})", ufp3_bpf()}}) {
        const std::string json = c.json;
        CAPTURE(json);
        std::vector<std::string> problems;
        FrameSpec spec = parsed(c.json, problems);
        CHECK(problems.empty());
        check_same(spec.to_bpf(), c.want);
    }
    CHECK_FALSE(preset("agen2").has_value());
}

TEST_CASE("a preset with overrides changes only the overridden fields") {
    std::vector<std::string> problems;
    FrameSpec spec =
        parsed(R"({"preset": "agen", "max_targets": 8, "priority": {"offset": 12, "width": 1}})",
               problems);
    CHECK(problems.empty());
    CHECK(spec.validate().empty());
    frame_spec want = agen_bpf();
    want.max_targets = 8;
    want.priority.width = 1;
    check_same(spec.to_bpf(), want);
}

TEST_CASE("a full big-endian description: magic window, span and timestamp unit derived") {
    std::vector<std::string> problems;
    FrameSpec spec = parsed(R"({
        "magic": 3405691582, "magic_width": 4, "magic_endian": "big", "header_size": 32,
        "max_payload": 65536, "max_targets": 4, "reply_flag": 2, "timestamp_unit": "us",
        "payload_len": {"offset": 4, "width": 4, "endian": "big"},
        "msg_type": {"offset": 8, "width": 2, "endian": "big"},
        "source": {"offset": 10, "width": 2, "endian": "big"},
        "timestamp": {"offset": 16, "width": 8, "endian": "big"}})",
                            problems);
    CHECK(problems.empty());
    CHECK(spec.validate().empty());
    frame_spec bpf = spec.to_bpf();
    CHECK(bpf.magic == 0xCAFEBABE);
    CHECK(bpf.magic_window == 0xCAFEBABE);  // big-endian: wire order is the number's order
    CHECK(bpf.magic_big_endian == 1);
    CHECK(bpf.span == 24);
    CHECK(bpf.timestamp_unit_ns == 1000);
    CHECK(bpf.reply_mask == 2);
    CHECK(bpf.payload_len.big_endian == 1);
    CHECK(bpf.target.width == 0);  // absent
    CHECK(bpf.priority.width == 0);
}

TEST_CASE("a little-endian u16 magic reads back byte-swapped in the window") {
    FrameSpec spec = ufp3_preset();
    spec.magic = 0x1234;
    CHECK(spec.to_bpf().magic_window == 0x3412);
    spec.magic_big_endian = true;
    CHECK(spec.to_bpf().magic_window == 0x1234);
}

TEST_CASE("each problem names the field it is about") {
    struct Case {
        const char* json;
        const char* named;
    };
    const Case cases[] = {
        {R"({"preset": "agen", "payload_len": {"offset": 104, "width": 3}})",
         "frame_spec.payload_len.width: must be 1, 2, 4 or 8"},
        {R"({"preset": "agen", "source": {"offset": 136, "width": 4}})",
         "frame_spec.source.offset: field ends at 140, beyond the 128 header bytes the decoder "
         "reads"},
        {R"({"preset": "ufp3", "msg_type": {"offset": 70, "width": 2}})",
         "frame_spec.msg_type.offset: field ends at 72, after header_size 64"},
        {R"({"preset": "agen", "source": {"offset": 2, "width": 4}})",
         "frame_spec.source.offset: 2 overlaps the magic"},
        {R"({"preset": "agen", "source": {"width": 0}})", "frame_spec.source: required"},
        {R"({"preset": "agen", "payload_len": {"width": 0}})", "frame_spec.payload_len: required"},
        {R"({"preset": "agen", "msg_type": {"width": 0}})", "frame_spec.msg_type: required"},
        {R"({"preset": "agen", "magic_width": 3})", "frame_spec.magic_width: must be 2 or 4"},
        {R"({"preset": "agen", "magic": 0})", "frame_spec.magic: required, and not 0"},
        {R"({"header_size": 32, "payload_len": {"offset": 4, "width": 4},
             "msg_type": {"offset": 8, "width": 2}, "source": {"offset": 10, "width": 2},
             "max_payload": 100})",
         "frame_spec.magic: required"},
        {R"({"preset": "ufp3", "magic": 305419896})", "frame_spec.magic: does not fit"},
        {R"({"preset": "agen", "magic_endian": "middle"})", "frame_spec.magic_endian: expected"},
        {R"({"preset": "agen", "timestamp_unit": "s"})", "frame_spec.timestamp_unit: expected"},
        {R"({"preset": "agen", "max_payload": 0})", "frame_spec.max_payload: must be positive"},
        {R"({"preset": "agen", "header_size": -1})", "frame_spec.header_size: expected"},
        {R"({"preset": "agen", "flags": {"offset": 6, "width": 2, "endian": "pdp"}})",
         "frame_spec.flags.endian: expected"},
        {R"({"preset": "agen", "flags": {"ofset": 6}})", "frame_spec.flags.ofset: unknown key"},
        {R"({"preset": "agen", "flags": 6})", "frame_spec.flags: expected {"},
        {R"({"preset": "agen", "crc": {"offset": 108, "width": 2}})",
         "frame_spec.crc.width: must be 4"},
        {R"({"preset": "ufp3", "target": {"offset": 64, "width": 4}})",
         "frame_spec.target.width: must equal target_stride"},
        {R"({"preset": "ufp3", "target": {"offset": 60, "width": 2}})",
         "frame_spec.target.offset: with target_stride"},
        {R"({"preset": "ufp3", "target_count": {"width": 0}})",
         "frame_spec.target_count: required when target_stride is set"},
        {R"({"preset": "ufp4"})", "frame_spec.preset: unknown preset"},
        {R"("agen2")", "frame_spec: unknown preset"},
        {R"(42)", "frame_spec: expected a preset name or an object"},
    };
    for (const auto& c : cases) {
        const std::string json = c.json;
        CAPTURE(json);
        auto problems = problems_of(c.json);
        std::string all;
        for (const auto& p : problems) all += p + "\n";
        CAPTURE(all);
        CHECK(has_problem_starting(problems, c.named));
    }
}

TEST_CASE("a field overridden to a width still within the header is valid") {
    CHECK(problems_of(R"({"preset": "agen", "sequence": {"width": 0}})").empty());
    CHECK(problems_of(R"({"preset": "ufp3", "timestamp_unit": "ms"})").empty());
}

TEST_CASE("the AGEN preset spelled out in full (docs/cli.md) gives the same kernel struct") {
    std::vector<std::string> problems;
    FrameSpec spec = parsed(R"({
        "magic": 1095189838, "magic_width": 4, "magic_endian": "little",
        "header_size": 168, "target_stride": 0, "max_payload": 16777216, "max_targets": 16,
        "reply_flag": 1, "timestamp_unit": "ns",
        "flags": {"offset": 6, "width": 2}, "msg_type": {"offset": 8, "width": 4},
        "priority": {"offset": 12, "width": 4}, "timestamp": {"offset": 16, "width": 8},
        "sequence": {"offset": 24, "width": 8}, "source": {"offset": 32, "width": 4},
        "target_count": {"offset": 36, "width": 4}, "target": {"offset": 40, "width": 4},
        "payload_len": {"offset": 104, "width": 4, "endian": "little"},
        "crc": {"offset": 108, "width": 4}})",
                            problems);
    CHECK(problems.empty());
    CHECK(spec.validate().empty());
    check_same(spec.to_bpf(), agen_bpf());
}
