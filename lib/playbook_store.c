/* playbook_store.c — see playbook.h. */
#include "config.h"

#include "playbook.h"
