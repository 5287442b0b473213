/* playbook_starter.c — see playbook.h. */
#include "config.h"

#include "playbook.h"
