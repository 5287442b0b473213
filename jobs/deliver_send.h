/*
 * deliver_send.h — one claimed intervention through its channel, for
 * retivo-deliver (jobs/deliver.c describes the rules).
 */
#ifndef RETIVO_DELIVER_SEND_H
#define RETIVO_DELIVER_SEND_H

#include <stdint.h>

struct conf;
struct isend;

/* What a run did, printed as its summary line. */
struct deliver_counts {
	long long	claimed;	/* rows claimed */
	long long	sent;		/* went out on a channel (email accepted, webhook
					 * queued, action created, escalation opened) */
	long long	emails;		/* of which emails the SMTP server accepted */
	long long	test_mode;	/* recorded as sent, nothing sent: test mode */
	long long	shadow;		/* the same for shadow */
	long long	held;		/* given back unsent: kill switch on */
	long long	cancelled;	/* user opted out or paused since */
	long long	retried;	/* failed attempt, retry scheduled */
	long long	failed;		/* failed for good */
	long long	recovered;	/* rows a dead run left in sending */
	long long	errors;
};

#define DELIVER_NOT_SENT	0
#define DELIVER_SENT		1

/*
 * Handles the claimed row v (leased to owner) at now: the kill switch,
 * shadow mode and user re-read, then test mode / shadow / the channel's
 * send and the row's move, counted in k. Returns DELIVER_SENT when
 * something went out, DELIVER_NOT_SENT, or -1 on an error (logged; the
 * row is left for isend_recover()).
 */
int deliver_one(const struct conf *c, const struct isend *v, const char *owner, int64_t now,
    struct deliver_counts *k);

#endif
