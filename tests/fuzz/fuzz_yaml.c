/*
 * Fuzz target: the YAML reader on memory input, with the expanders (List
 * items, last-applied annotations, managedFields, Helm releases) and every
 * output format behind it.
 */
#include "fuzz_common.h"
#include "sunset/read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read(sunset_read_yaml, data, size);
	return 0;
}
