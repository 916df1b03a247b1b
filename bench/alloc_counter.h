// Counting of C++ heap allocations in brook-bench (alloc_counter.cc replaces the global
// operator new). Thread-safe; relaxed atomics, so reads are exact once the counted threads are
// quiescent and within a few counts otherwise.
#pragma once

#include <cstdint>

namespace brook::bench {

// operator new calls (all forms) since the process started, excluding uncounted threads.
uint64_t HeapAllocations();

// Excludes (or re-includes) the calling thread's allocations from HeapAllocations(), e.g. for a
// monitoring thread that is not part of what is measured.
void SetThreadUncounted(bool uncounted);

}  // namespace brook::bench
