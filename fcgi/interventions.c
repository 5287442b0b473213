/*
 * interventions.c — /api/interventions (but dry-run) and /api/escalations (seed 001).
 *
 * Placeholder: no routes yet.
 */
#include "config.h"

#include <stddef.h>

#include "http.h"

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-interventions", NULL, 0);
}
