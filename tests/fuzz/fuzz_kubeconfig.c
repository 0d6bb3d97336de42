/*
 * Fuzz target: the kubeconfig loader (src/cluster/kubeconfig.c) and the
 * connection settings made from each of its contexts.  The loader reads a
 * path, so each input is written to one temporary file first.  No
 * credential plugin is ever run: only what the kubeconfig says is read.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/internal.h"
#include "fuzz_common.h"

static char path[64];

static void remove_file(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/sunset-fuzz-kubeconfig-XXXXXX");
		int fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(remove_file);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	sunset_kubeconfig kc;
	sunset_kubeconfig_init(&kc);
	char err[512];
	if (sunset_kubeconfig_merge_file(&kc, path, false, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < kc.ncontext; i++) {
			sunset_arena a;
			sunset_arena_init(&a, 0);
			cluster_config cfg;
			memset(&cfg, 0, sizeof(cfg));
			config_from_kubeconfig(&kc, kc.context[i].name, &a, &cfg, err, sizeof(err));
			sunset_arena_release(&a);
		}
		(void)sunset_kubeconfig_context(&kc, kc.current_context ? kc.current_context : "x");
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	sunset_kubeconfig_release(&kc);
	return 0;
}
