/* connector.c — placeholder: being written. */
#include "config.h"
typedef int placeholder_unit;
