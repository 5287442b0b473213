/* playbook.c — see playbook.h: the pure rules of playbooks. */
#include "config.h"

#include <string.h>

#include "playbook.h"

static const char *const area_names[PB_AREA__MAX] = {
	"onboarding", "churn_prevention", "retention", "upsell", "winback"
};
static const char *const status_names[PB_STATUS__MAX] = {
	"draft", "active", "paused", "archived"
};
static const char *const channel_names[PB_CHANNEL__MAX] = {
	"email", "webhook", "external_action", "escalation"
};

const char *
pb_area_name(enum pb_area a)
{
	return (unsigned)a < PB_AREA__MAX ? area_names[a] : NULL;
}

const char *
pb_status_name(enum pb_status s)
{
	return (unsigned)s < PB_STATUS__MAX ? status_names[s] : NULL;
}

const char *
pb_channel_name(enum pb_channel c)
{
	return (unsigned)c < PB_CHANNEL__MAX ? channel_names[c] : NULL;
}

/* Index of s in names[0..n), -1 when absent or NULL. */
static int
name_index(const char *const *names, int n, const char *s)
{
	int	 i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int
pb_area_parse(const char *s, enum pb_area *out)
{
	int	 i = name_index(area_names, PB_AREA__MAX, s);

	if (i < 0)
		return -1;
	*out = (enum pb_area)i;
	return 0;
}

int
pb_status_parse(const char *s, enum pb_status *out)
{
	int	 i = name_index(status_names, PB_STATUS__MAX, s);

	if (i < 0)
		return -1;
	*out = (enum pb_status)i;
	return 0;
}

int
pb_channel_parse(const char *s, enum pb_channel *out)
{
	int	 i = name_index(channel_names, PB_CHANNEL__MAX, s);

	if (i < 0)
		return -1;
	*out = (enum pb_channel)i;
	return 0;
}
