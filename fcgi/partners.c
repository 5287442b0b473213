/*
 * partners.c — /api/partners (seed 002).
 *
 * Placeholder: no routes yet.
 */
#include "config.h"

#include <stddef.h>

#include "http.h"

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-partners", NULL, 0);
}
