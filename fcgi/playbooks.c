/*
 * playbooks.c — /api/playbooks.
 *
 * Placeholder: no routes yet.
 */
#include "config.h"

#include <stddef.h>

#include "http.h"

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-playbooks", NULL, 0);
}
