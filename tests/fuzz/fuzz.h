/* What every harness shares: libFuzzer's entry points and a check that
 * stops the run (abort, so libFuzzer saves the input as a crash). */
#ifndef EULB_FUZZ_H
#define EULB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * scripts/fuzz runs with -close_fd_mask=3 so the product's own messages
 * (usage errors, logs) do not flood the run; libFuzzer and the sanitizers
 * keep a copy of stderr, and so do the checks: call this first thing in
 * LLVMFuzzerInitialize, before libFuzzer closes fd 2.
 */
static int fuzz_report_fd = 2;

static inline void
fuzz_keep_stderr(void)
{
	int fd = dup(2);
	if (fd >= 0)
		fuzz_report_fd = fd;
}

#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(fuzz_report_fd,                                \
			        "%s:%d: check failed: %s: ", __FILE__,         \
			        __LINE__, #cond);                              \
			dprintf(fuzz_report_fd, __VA_ARGS__);                  \
			dprintf(fuzz_report_fd, "\n");                         \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
