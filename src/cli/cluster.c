/* sunset cluster (being written) */
#include "cli.h"

int cmd_cluster(cli_options *o)
{
	(void)o;
	cli_diag("cluster: not built yet");
	return SUNSET_EXIT_ERROR;
}
