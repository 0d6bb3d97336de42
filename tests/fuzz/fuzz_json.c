/*
 * Fuzz target: the JSON reader on memory input, with the expanders and
 * every output format behind it.
 */
#include "fuzz_common.h"
#include "sunset/read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read(sunset_read_json, data, size);
	return 0;
}
