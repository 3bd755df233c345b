#include "agen_frame.h"

#include <cstring>
#include <iterator>

#include "crc32c.h"

namespace agen {

std::string_view msg_type_name(uint32_t type) {
    return type >= 1 && type <= kMsgTypeMax ? kMsgTypeNames[type] : kMsgTypeNames[0];
}

std::string_view priority_name(uint32_t prio) {
    return prio <= kPriorityMax ? kPriorityNames[prio] : std::string_view("UNKNOWN");
}

std::optional<MsgType> parse_msg_type(std::string_view name) {
    for (uint32_t t = 1; t <= kMsgTypeMax; ++t) {
        if (kMsgTypeNames[t] == name) return static_cast<MsgType>(t);
    }
    return std::nullopt;
}

std::string_view header_error_name(HeaderError e) {
    // In the enum's order, like the other name tables of agen_frame.h.
    constexpr std::string_view kNames[] = {
        "ok",      "truncated",         "bad_magic",       "bad_version",
        "bad_crc", "payload_too_large", "too_many_targets"};
    static_assert(std::size(kNames) == static_cast<size_t>(HeaderError::kTooManyTargets) + 1);
    const auto index = static_cast<size_t>(e);
    return index < std::size(kNames) ? kNames[index] : std::string_view("unknown");
}

uint32_t header_crc(const AgenHeader& h) { return crc32c(&h, kCrcCoverage); }

void seal_header(AgenHeader& h) {
    h.magic = kMagic;
    h.version = kVersion;
    std::memset(h.reserved, 0, sizeof h.reserved);
    h.crc32 = header_crc(h);
}

HeaderError validate_header(const AgenHeader& h) {
    if (h.magic != kMagic) return HeaderError::kBadMagic;
    if (h.version != kVersion) return HeaderError::kBadVersion;
    if (h.crc32 != header_crc(h)) return HeaderError::kBadCrc;
    if (h.payload_len > kMaxPayload) return HeaderError::kPayloadTooLarge;
    if (h.target_count > kMaxTargets) return HeaderError::kTooManyTargets;
    return HeaderError::kOk;
}

HeaderError decode_header(const void* buf, size_t len, AgenHeader* out) {
    if (len < kHeaderSize) return HeaderError::kTruncated;
    std::memcpy(out, buf, kHeaderSize);
    return validate_header(*out);
}

size_t encode_frame(AgenHeader h, const void* payload, std::vector<uint8_t>& out) {
    seal_header(h);
    const size_t at = out.size();
    out.resize(at + kHeaderSize + h.payload_len);
    std::memcpy(out.data() + at, &h, kHeaderSize);
    if (h.payload_len) std::memcpy(out.data() + at + kHeaderSize, payload, h.payload_len);
    return kHeaderSize + h.payload_len;
}

uint32_t ufp_header_crc(const UfpV3Header& h) { return crc32c(&h, offsetof(UfpV3Header, crc32)); }

}  // namespace agen
