/* events.c — placeholder: being written. */
#include "config.h"

#include <stddef.h>

#include "http.h"

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-events", NULL, 0);
}
