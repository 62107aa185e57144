// Faulting in memory that is about to be written, in one system call instead of one page
// fault per 4 KiB page. On the VMs this project is measured on a page fault costs 12-45 us,
// so a buffer of a few dozen pages written front to back (a module file being read, the
// interpreter's first code block) costs more in faults than in the work done on it.
#pragma once

#include <cstddef>

namespace wsvm::memory {

// Makes the whole 4 KiB pages inside [p, p + n) present and writable (MADV_POPULATE_WRITE,
// Linux 5.14+), leaving their contents as they are. Partial pages at either end are left
// alone. Returns false where the kernel cannot do it; the pages then fault in one by one
// when touched, as without the call.
bool populate_for_write(void* p, size_t n);

}  // namespace wsvm::memory
