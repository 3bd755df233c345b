// The AGEN frame header (docs/transport.md) and the older UFP v3 header: layout,
// enums with name tables, and encode / decode / validate helpers.
// Host byte order (x86-64 little-endian) throughout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace agen {

inline constexpr uint32_t kMagic = 0x4147454Eu;  // "AGEN": bytes 4E 45 47 41 in memory
inline constexpr uint16_t kVersion = 1;
inline constexpr uint16_t kFlagReply = 1u << 0;
inline constexpr uint32_t kMaxTargets = 16;
inline constexpr uint32_t kMaxPayload = 16u << 20;  // 16 MiB
inline constexpr size_t kHeaderSize = 168;
inline constexpr size_t kCrcCoverage = 108;  // the CRC covers header bytes 0..107

enum class MsgType : uint32_t {
    REQUEST = 1,
    RESPONSE = 2,
    BROADCAST = 3,
    HEARTBEAT = 4,
    ACK = 5,
    ERROR = 6,
    VETO = 7,
    TASK = 8,
    RESULT = 9,
    STATE_SYNC = 10,
    RESOURCE_REQ = 11,
    RESOURCE_RESP = 12,
    DISCOVERY = 13,
    SHUTDOWN = 14,
    EMERGENCY = 15,
};
inline constexpr uint32_t kMsgTypeMax = 15;
// Indexed by the numeric value; [0] is the name of an unknown type.
inline constexpr std::string_view kMsgTypeNames[kMsgTypeMax + 1] = {
    "UNKNOWN",       "REQUEST",   "RESPONSE", "BROADCAST", "HEARTBEAT",  "ACK",
    "ERROR",         "VETO",      "TASK",     "RESULT",    "STATE_SYNC", "RESOURCE_REQ",
    "RESOURCE_RESP", "DISCOVERY", "SHUTDOWN", "EMERGENCY"};

enum class Priority : uint32_t {
    CRITICAL = 0,
    HIGH = 1,
    NORMAL = 2,
    LOW = 3,
    BATCH = 4,
    BACKGROUND = 5
};
inline constexpr uint32_t kPriorityMax = 5;
inline constexpr std::string_view kPriorityNames[kPriorityMax + 1] = {
    "CRITICAL", "HIGH", "NORMAL", "LOW", "BATCH", "BACKGROUND"};

std::string_view msg_type_name(uint32_t type);  // "UNKNOWN" outside 1..15
std::string_view priority_name(uint32_t prio);  // "UNKNOWN" outside 0..5
std::optional<MsgType> parse_msg_type(std::string_view name);

struct AgenHeader {
    uint32_t magic;
    uint16_t version;
    uint16_t flags;
    uint32_t msg_type;
    uint32_t priority;
    uint64_t timestamp;  // sender CLOCK_MONOTONIC ns at send
    uint64_t sequence;   // per-sender; a REPLY carries the answered frame's sequence
    uint32_t source_agent;
    uint32_t target_count;
    uint32_t target_agents[kMaxTargets];
    uint32_t payload_len;
    uint32_t crc32;  // CRC32C over bytes 0..107
    uint8_t reserved[56];
};
static_assert(sizeof(AgenHeader) == kHeaderSize);
static_assert(offsetof(AgenHeader, magic) == 0);
static_assert(offsetof(AgenHeader, version) == 4);
static_assert(offsetof(AgenHeader, flags) == 6);
static_assert(offsetof(AgenHeader, msg_type) == 8);
static_assert(offsetof(AgenHeader, priority) == 12);
static_assert(offsetof(AgenHeader, timestamp) == 16);
static_assert(offsetof(AgenHeader, sequence) == 24);
static_assert(offsetof(AgenHeader, source_agent) == 32);
static_assert(offsetof(AgenHeader, target_count) == 36);
static_assert(offsetof(AgenHeader, target_agents) == 40);
static_assert(offsetof(AgenHeader, payload_len) == 104);
static_assert(offsetof(AgenHeader, crc32) == 108);
static_assert(offsetof(AgenHeader, reserved) == 112);

enum class HeaderError {
    kOk = 0,
    kTruncated,  // fewer than 168 bytes
    kBadMagic,
    kBadVersion,
    kBadCrc,
    kPayloadTooLarge,  // payload_len > 16 MiB
    kTooManyTargets,   // target_count > 16
};
std::string_view header_error_name(HeaderError e);

// CRC32C of bytes 0..107 of the header.
uint32_t header_crc(const AgenHeader& h);
// Sets magic and version, zeroes `reserved`, and computes the CRC. Call last.
void seal_header(AgenHeader& h);
// Checks magic, version, CRC and limits. Check order is the enum order.
HeaderError validate_header(const AgenHeader& h);
// Copies the header out of `len` bytes at `buf` (any alignment) and validates it.
HeaderError decode_header(const void* buf, size_t len, AgenHeader* out);
// Appends sealed header + payload to `out`; returns the frame size.
size_t encode_frame(AgenHeader h, const void* payload, std::vector<uint8_t>& out);
inline size_t frame_size(const AgenHeader& h) { return kHeaderSize + h.payload_len; }

// ---- UFP v3 (docs/transport.md, older framing kept for the frame-spec preset) ----
// 64-byte fixed header; then target_count u16 target ids, then the payload.
// The CRC32C covers header bytes 0..23 (everything before the crc field); the
// design brief does not say, so this is the reading this project uses.
inline constexpr uint16_t kUfpMagic = 0x4147;
inline constexpr uint8_t kUfpVersion = 3;
inline constexpr size_t kUfpHeaderSize = 64;
struct UfpV3Header {
    uint16_t magic;
    uint8_t version;
    uint8_t flags;
    uint16_t msg_type;
    uint8_t priority;
    uint8_t pad0;
    uint32_t msg_id;
    uint32_t timestamp;  // monotonic ms
    uint16_t source;
    uint8_t target_count;
    uint8_t pad1;
    uint32_t payload_len;
    uint32_t crc32;
    uint8_t reserved[36];
};
static_assert(sizeof(UfpV3Header) == kUfpHeaderSize);
static_assert(offsetof(UfpV3Header, magic) == 0);
static_assert(offsetof(UfpV3Header, version) == 2);
static_assert(offsetof(UfpV3Header, flags) == 3);
static_assert(offsetof(UfpV3Header, msg_type) == 4);
static_assert(offsetof(UfpV3Header, priority) == 6);
static_assert(offsetof(UfpV3Header, msg_id) == 8);
static_assert(offsetof(UfpV3Header, timestamp) == 12);
static_assert(offsetof(UfpV3Header, source) == 16);
static_assert(offsetof(UfpV3Header, target_count) == 18);
static_assert(offsetof(UfpV3Header, payload_len) == 20);
static_assert(offsetof(UfpV3Header, crc32) == 24);
uint32_t ufp_header_crc(const UfpV3Header& h);

}  // namespace agen
