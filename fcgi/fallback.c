/*
 * fallback.c — answers every /api/ path no other program claims with the
 * API's own JSON 404, so an integrator never gets the web server's HTML.
 */
#include "config.h"

#include <stddef.h>

#include "http.h"

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-fallback", NULL, 0);
}
