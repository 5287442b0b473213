/*
 * activities.c — /api/commerces and /api/activities (seed 004).
 *
 * Placeholder: no routes yet.
 */
#include "config.h"

#include <stddef.h>

#include "http.h"

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-activities", NULL, 0);
}
