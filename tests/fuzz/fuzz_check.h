#pragma once
// The fuzz targets' assertion: a property the code under test promises (an
// accepted config is usable, counters never go backwards, chunking does not
// change what a stream parser delivers). A broken one aborts, which libFuzzer
// reports as a crash and saves the input, like a sanitizer finding.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                     \
    do {                                                                                          \
        if (!(condition)) {                                                                       \
            std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                         \
        }                                                                                         \
    } while (0)
