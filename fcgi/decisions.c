/*
 * decisions.c — /api/decisions and /api/interventions/dry-run (the decision engine).
 *
 * Placeholder: no routes yet.
 */
#include "config.h"

#include <stddef.h>

#include "http.h"

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-decisions", NULL, 0);
}
