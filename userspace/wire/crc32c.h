// CRC32C (Castagnoli, reflected polynomial 0x82F63B78, init 0xFFFFFFFF, final
// xor 0xFFFFFFFF), the checksum of the AGEN and UFP v3 headers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace agen {

// Standard CRC32C of `len` bytes. `crc` is a previous result to extend
// (crc32c(b, crc32c(a)) == crc32c(a ++ b)); 0 starts a new checksum.
// Uses the SSE4.2 crc32 instruction when the CPU has it.
uint32_t crc32c(const void* data, size_t len, uint32_t crc = 0);

// The two implementations, exposed so tests can compare them.
uint32_t crc32c_sw(const void* data, size_t len, uint32_t crc = 0);
uint32_t crc32c_hw(const void* data, size_t len, uint32_t crc = 0);  // needs crc32c_hw_available()
bool crc32c_hw_available();

}  // namespace agen
