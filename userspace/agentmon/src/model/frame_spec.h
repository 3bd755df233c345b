#pragma once
// The declarative frame format the kernel decoder runs on (docs/socket-path.md): where
// each header field lives, its width and byte order. Presets cover the AGEN header
// and the older UFP v3 header; a config can describe any other fixed header.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "abi/socket_trace.h"

namespace agentmon {

struct FieldSpec {
    std::uint16_t offset = 0;
    std::uint8_t width = 0;  // 0 = the format has no such field
    bool big_endian = false;
};

struct FrameSpec {
    std::string name = "agen";
    std::uint32_t magic = 0;
    std::uint8_t magic_width = 4;
    bool magic_big_endian = false;
    std::uint16_t header_size = 0;
    std::uint16_t target_stride = 0;  // bytes per target id after the header (UFP v3)
    std::uint32_t max_payload = 0;
    std::uint32_t max_targets = 0;
    std::uint32_t reply_mask = 0;
    std::uint64_t timestamp_unit_ns = 1;
    FieldSpec payload_len, msg_type, priority, source, target_count, target, timestamp, sequence,
        flags;
    // CRC32C over the header bytes before it; width 4, or 0 for a format without one.
    FieldSpec crc;

    // Each problem names its field ("frame_spec.source.width: ...").
    std::vector<std::string> validate() const;
    // The kernel's form: span and magic_window derived here.
    frame_spec to_bpf() const;
};

FrameSpec agen_preset();
FrameSpec ufp3_preset();
std::optional<FrameSpec> preset(const std::string& name);

// `value` is "agen", "ufp3", or an object: {"preset": ..., overrides...} or a full
// description. Problems are appended, each naming the field.
FrameSpec parse_frame_spec(const nlohmann::json& value, std::vector<std::string>& problems);

}  // namespace agentmon
