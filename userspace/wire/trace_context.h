// The trace context convention for the AGEN header's reserved bytes
// (docs/tracing.md): bytes 112..127, outside the CRC, hold the root span id and
// the parent span id (u64 each, little-endian); a root of 0 means no context. A
// reply echoes its request's context. The ids are those of abi/trace_context.h,
// shared with the kernel's span path.
#pragma once

#include <cstdint>
#include <cstring>

#include "abi/trace_context.h"
#include "agen_frame.h"

namespace agen {

struct TraceContext {
    uint64_t root = 0;    // the trace's root span id; 0 = no context
    uint64_t parent = 0;  // the span that caused this request; 0 = none
};

static_assert(offsetof(AgenHeader, reserved) == TRACE_CONTEXT_AGEN_OFFSET);
static_assert(sizeof(AgenHeader::reserved) >= TRACE_CONTEXT_BYTES);

inline TraceContext read_trace_context(const AgenHeader& h) {
    TraceContext c;
    std::memcpy(&c.root, h.reserved, 8);
    std::memcpy(&c.parent, h.reserved + 8, 8);
    return c;
}

// Outside the CRC: may be written after the CRC is computed.
inline void write_trace_context(AgenHeader& h, TraceContext c) {
    std::memcpy(h.reserved, &c.root, 8);
    std::memcpy(h.reserved + 8, &c.parent, 8);
}

}  // namespace agen
