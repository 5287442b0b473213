/*
 * team.c — /api/team, /api/auth, /api/audit-logs, /api/billing.
 *
 * Placeholder: no routes yet.
 */
#include "config.h"

#include <stddef.h>

#include "http.h"

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-team", NULL, 0);
}
