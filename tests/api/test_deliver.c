/*
 * test_deliver.c — the deliver job (retivo-deliver) over email, against
 * the real SMTP server on loopback that ./run.sh test starts (its messages
 * under RETIVO_MAILDIR, read with mail_client.h): the email with its
 * headers and unsubscribe link, following the link, test mode and shadow
 * (nothing reaches the server), the kill switch (also flipped during a
 * run), retries with backoff walked with --now, permanent failures, TLS
 * required, never sent twice (a rerun, two concurrent runs, a run that
 * died). The other channels are in test_deliver_channels.c.
 *
 * Each part uses its own far-future --now, so rows other suites left due
 * are drained by the first run and do not disturb the counts here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "deliver_helpers.h"
#include "mail_client.h"
#include "suites.h"

/* An address of this run. */
static const char *
addr(const char *local)
{
	static char buf[4][200];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%.60s-%.30s@example.com", local, dh_suffix());
	return buf[i];
}

/* The happy path, the headers, the link in the body, and following it. */
static void
email_arrives(const struct fixture *a)
{
	struct mail m;
	char id[48], id2[48], h[2048], user[64], path[1200], *p, *e;
	const char *base = getenv("RETIVO_BASE_URL");
	struct resp r;

	snprintf(user, sizeof(user), "u-mail-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("mail"));
	dh_int(id, a->tenant_id, user, "email", "2030-01-01 00:00:00", 0, 0);
	ok(job_run("deliver", "--now 2030-01-01T00:00:00Z") == 0, "deliver runs: %s", job_output());
	ok(strcmp(dh_col(id, "status"), "delivered") == 0, "email accepted by the server: delivered");
	ok(strcmp(dh_col(id, "sent_at"), "2030-01-01 00:00:00") == 0 &&
	    strcmp(dh_col(id, "delivered_at"), "2030-01-01 00:00:00") == 0,
	    "sent_at and delivered_at recorded at --now");
	ok(dh_moves(id, "approved", "sending") == 1 && dh_moves(id, "sending", "delivered") == 1,
	    "history: approved -> sending -> delivered");
	ok(mail_count(addr("mail")) == 1, "exactly one message at the SMTP server");
	if (mail_find(addr("mail"), &m) != 1) {
		ok(0, "the message can be read");
		return;
	}
	ok(mail_header(&m, "Message-ID", h, sizeof(h)) && strcmp(h, dh_col(id, "external_ref")) == 0,
	    "Message-ID %s stored in external_ref", h);
	ok(mail_header(&m, "From", h, sizeof(h)) && strstr(h, "retention@retivo.invalid"),
	    "From is mail_from: %s", h);
	ok(mail_header(&m, "Subject", h, sizeof(h)) && strncmp(h, "=?UTF-8?B?", 10) == 0,
	    "non-ASCII subject sent as an RFC 2047 encoded-word");
	ok(mail_header(&m, "List-Unsubscribe-Post", h, sizeof(h)) &&
	    strcmp(h, "List-Unsubscribe=One-Click") == 0, "List-Unsubscribe-Post: one-click");
	snprintf(path, sizeof(path), "<%s/unsubscribe?token=v1.", base);
	ok(mail_header(&m, "List-Unsubscribe", h, sizeof(h)) && strncmp(h, path, strlen(path)) == 0,
	    "List-Unsubscribe: <%s/unsubscribe?token=...>", base);
	ok(mail_header(&m, "Content-Type", h, sizeof(h)) && strstr(h, "multipart/alternative"),
	    "multipart/alternative");
	ok(strstr(m.text, "here is a tip.") && strstr(m.text, "\n.\nA line with a lone dot") &&
	    strstr(m.html, "<p>here is a tip.</p>"), "text and HTML parts decode to the bodies");
	/* The link in the body is the header's link. */
	mail_header(&m, "List-Unsubscribe", h, sizeof(h));
	if ((e = strchr(h, '>')) != NULL)
		*e = '\0';
	ok(strstr(m.text, h + 1) != NULL && strstr(m.html, h + 1) != NULL,
	    "the unsubscribe link is in the text and the HTML body");
	mail_free(&m);

	/* A rerun sends nothing again. */
	ok(job_run("deliver", "--now 2030-01-01T00:10:00Z") == 0 && mail_count(addr("mail")) == 1,
	    "a rerun sends nothing twice");

	/* Following the link opts the user out; the next email is cancelled. */
	p = h + 1 + strlen(base);
	api(&r, "GET", p, NULL, NULL);
	ok(r.status == 200, "following the unsubscribe link: 200");
	resp_free(&r);
	ok(sql_int("SELECT opted_out FROM users WHERE tenant_id = '%s' AND user_id = '%s';",
	    a->tenant_id, user) == 1, "the user is opted out");
	dh_int(id2, a->tenant_id, user, "email", "2030-01-01 01:00:00", 0, 0);
	job_run("deliver", "--now 2030-01-01T01:00:00Z");
	ok(strcmp(dh_col(id2, "status"), "cancelled") == 0 && mail_count(addr("mail")) == 1,
	    "an approved email to an opted-out user: cancelled, nothing sent");
}

/* Test mode, shadow (flag and tenant setting), paused users. */
static void
nothing_reaches(const struct fixture *a)
{
	char id[48], user[64];
	struct resp r;

	snprintf(user, sizeof(user), "u-test-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("testmode"));
	dh_int(id, a->tenant_id, user, "email", "2030-01-02 00:00:00", 1, 0);
	job_run("deliver", "--now 2030-01-02T00:00:00Z");
	ok(strcmp(dh_col(id, "status"), "sent") == 0 && strcmp(dh_col(id, "last_error"),
	    "test_mode") == 0 && strcmp(dh_col(id, "delivered_at"), "NULL") == 0,
	    "test mode: recorded as sent (last_error test_mode), not delivered");
	ok(mail_count(addr("testmode")) == 0, "test mode: nothing at the SMTP server");

	snprintf(user, sizeof(user), "u-shadow-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("shadow"));
	dh_int(id, a->tenant_id, user, "email", "2030-01-02 00:00:00", 0, 1);
	job_run("deliver", "--now 2030-01-02T00:00:00Z");
	ok(strcmp(dh_col(id, "status"), "sent") == 0 && strcmp(dh_col(id, "last_error"),
	    "shadow") == 0 && mail_count(addr("shadow")) == 0,
	    "a shadow intervention: recorded, nothing at the SMTP server");

	api(&r, "PATCH", "/api/settings", a->key, "{\"shadow_mode\":true}");
	ok(r.status == 200, "shadow mode on");
	resp_free(&r);
	snprintf(user, sizeof(user), "u-shadow2-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("shadow2"));
	dh_int(id, a->tenant_id, user, "email", "2030-01-02 00:00:00", 0, 0);
	job_run("deliver", "--now 2030-01-02T00:00:00Z");
	ok(strcmp(dh_col(id, "last_error"), "shadow") == 0 && mail_count(addr("shadow2")) == 0,
	    "approved before shadow mode was turned on: not sent either");
	api(&r, "PATCH", "/api/settings", a->key, "{\"shadow_mode\":false}");
	resp_free(&r);

	snprintf(user, sizeof(user), "u-paused-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("paused"));
	sql_query(NULL, 0, "UPDATE users SET paused = 1 WHERE tenant_id = '%s' AND user_id = '%s';",
	    a->tenant_id, user);
	dh_int(id, a->tenant_id, user, "email", "2030-01-02 00:00:00", 0, 0);
	job_run("deliver", "--now 2030-01-02T00:00:00Z");
	ok(strcmp(dh_col(id, "status"), "cancelled") == 0 && mail_count(addr("paused")) == 0,
	    "a paused user: cancelled, nothing sent");
}

/* The kill switch, before and during a run. */
static void
kill_switch(const struct fixture *a)
{
	char id[3][48], user[3][64], hold[256];
	const char *who[3] = { "kill0", "kill1", "kill2" };
	int i, sent = 0, held = 0, status, waited;
	pid_t pid;

	snprintf(user[0], sizeof(user[0]), "u-kill-%s", dh_suffix());
	dh_user(a->tenant_id, user[0], addr("kill"));
	dh_int(id[0], a->tenant_id, user[0], "email", "2030-01-03 00:00:00", 0, 0);
	ok(dh_kill(a->key, 1) == 200, "kill switch on");
	job_run("deliver", "--now 2030-01-03T00:00:00Z");
	ok(strcmp(dh_col(id[0], "status"), "approved") == 0 && mail_count(addr("kill")) == 0 &&
	    strcmp(dh_col(id[0], "attempts"), "0") == 0,
	    "kill switch on: nothing sent, the intervention waits (approved)");
	ok(dh_kill(a->key, 0) == 200, "kill switch off");
	job_run("deliver", "--now 2030-01-03T00:01:00Z");
	ok(strcmp(dh_col(id[0], "status"), "delivered") == 0 && mail_count(addr("kill")) == 1,
	    "kill switch off: it goes out");

	/* During a run: the job holds after its first send while the switch
	 * is turned on, then must stop sending at once. */
	job_run("deliver", "--now 2030-01-04T00:00:00Z");	/* nothing else due */
	for (i = 0; i < 3; i++) {
		snprintf(user[i], sizeof(user[i]), "u-%s-%s", who[i], dh_suffix());
		dh_user(a->tenant_id, user[i], addr(who[i]));
		dh_int(id[i], a->tenant_id, user[i], "email", "2030-01-04 00:00:00", 0, 0);
	}
	snprintf(hold, sizeof(hold), "/tmp/retivo-deliver-hold-%s", dh_suffix());
	unlink(hold);
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(job_run("deliver", "--now 2030-01-04T00:00:00Z --hold-after 1 --hold-file %s",
		    hold) == 0 ? 0 : 1);
	for (waited = 0; access(hold, F_OK) != 0 && waited < 3000; waited++)
		usleep(10000);
	ok(access(hold, F_OK) == 0, "the run holds after its first send");
	ok(dh_kill(a->key, 1) == 200, "kill switch turned on during the run");
	unlink(hold);
	status = -1;
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the run ends cleanly");
	for (i = 0; i < 3; i++) {
		sent += mail_count(addr(who[i]));
		held += strcmp(dh_col(id[i], "status"), "approved") == 0 &&
		    dh_moves(id[i], "sending", "approved") == 1;
	}
	ok(sent == 1 && held == 2, "one email before the switch, the other two held (%d sent, %d "
	    "held)", sent, held);
	dh_kill(a->key, 0);
	job_run("deliver", "--now 2030-01-04T00:05:00Z");
	for (i = 0, sent = 0; i < 3; i++)
		sent += mail_count(addr(who[i])) == 1;
	ok(sent == 3, "switch off: the held ones go out, each exactly once");
}

/* Retries with backoff (1m, 5m, 30m, 2h, then failed), permanent failures. */
static void
retries(const struct fixture *a)
{
	static const char *const at[] = { "2030-01-05T00:00:00Z", "2030-01-05T00:01:00Z",
	    "2030-01-05T00:06:00Z", "2030-01-05T00:36:00Z", "2030-01-05T02:36:00Z" };
	static const char *const next[] = { "2030-01-05 00:01:00", "2030-01-05 00:06:00",
	    "2030-01-05 00:36:00", "2030-01-05 02:36:00" };
	char id[48], id2[48], user[64];
	size_t i;

	snprintf(user, sizeof(user), "u-temp-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("tempfail"));
	dh_int(id, a->tenant_id, user, "email", "2030-01-05 00:00:00", 0, 0);
	for (i = 0; i < 4; i++) {
		job_run("deliver", "--now %s", at[i]);
		ok(strcmp(dh_col(id, "status"), "approved") == 0 &&
		    atoi(dh_col(id, "attempts")) == (int)i + 1 &&
		    strcmp(dh_col(id, "next_attempt_at"), next[i]) == 0,
		    "451 at attempt %zu: retry at %s", i + 1, next[i]);
	}
	job_run("deliver", "--now 2030-01-05T02:35:59Z");
	ok(atoi(dh_col(id, "attempts")) == 4, "not retried before its time");
	job_run("deliver", "--now %s", at[4]);
	ok(strcmp(dh_col(id, "status"), "failed") == 0 && atoi(dh_col(id, "attempts")) == 5 &&
	    strcmp(dh_col(id, "failed_at"), "2030-01-05 02:36:00") == 0 &&
	    strstr(dh_col(id, "last_error"), "451") != NULL,
	    "the 5th failure is final: failed (%s)", dh_col(id, "last_error"));

	/* A temporary failure, then success: one email. */
	snprintf(user, sizeof(user), "u-later-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("tempfail-later"));
	dh_int(id2, a->tenant_id, user, "email", "2030-01-06 00:00:00", 0, 0);
	job_run("deliver", "--now 2030-01-06T00:00:00Z");
	sql_query(NULL, 0, "UPDATE users SET email = '%s' WHERE tenant_id = '%s' AND user_id = '%s';",
	    addr("later"), a->tenant_id, user);
	job_run("deliver", "--now 2030-01-06T00:00:30Z");
	ok(strcmp(dh_col(id2, "status"), "approved") == 0, "not before the 1 minute backoff");
	job_run("deliver", "--now 2030-01-06T00:01:00Z");
	ok(strcmp(dh_col(id2, "status"), "delivered") == 0 && mail_count(addr("later")) == 1 &&
	    atoi(dh_col(id2, "attempts")) == 2, "retried after 1 minute: delivered, one email");

	snprintf(user, sizeof(user), "u-perm-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("permfail"));
	dh_int(id, a->tenant_id, user, "email", "2030-01-06 00:00:00", 0, 0);
	snprintf(user, sizeof(user), "u-noaddr-%s", dh_suffix());
	dh_user(a->tenant_id, user, NULL);
	dh_int(id2, a->tenant_id, user, "email", "2030-01-06 00:00:00", 0, 0);
	job_run("deliver", "--now 2030-01-06T00:02:00Z");
	ok(strcmp(dh_col(id, "status"), "failed") == 0 && atoi(dh_col(id, "attempts")) == 1 &&
	    strstr(dh_col(id, "last_error"), "550") != NULL, "550: failed at once");
	ok(strcmp(dh_col(id2, "status"), "failed") == 0 &&
	    strstr(dh_col(id2, "last_error"), "email address") != NULL,
	    "no email address: failed (%s)", dh_col(id2, "last_error"));

	/* smtp_tls = starttls against a server without STARTTLS: refused, not
	 * sent in clear. */
	snprintf(user, sizeof(user), "u-tls-%s", dh_suffix());
	dh_user(a->tenant_id, user, addr("tls"));
	dh_int(id, a->tenant_id, user, "email", "2030-01-06 00:03:00", 0, 0);
	setenv("RETIVO_SMTP_TLS", "starttls", 1);
	job_run("deliver", "--now 2030-01-06T00:03:00Z");
	unsetenv("RETIVO_SMTP_TLS");
	ok(strcmp(dh_col(id, "status"), "failed") == 0 && mail_count(addr("tls")) == 0,
	    "TLS required but not offered: failed, nothing sent (%s)", dh_col(id, "last_error"));
	dh_int(id, a->tenant_id, user, "email", "2030-01-06 00:03:30", 0, 0);
	setenv("RETIVO_SMTP_TLS", "tls", 1);
	job_run("deliver", "--now 2030-01-06T00:03:30Z");
	unsetenv("RETIVO_SMTP_TLS");
	ok(strcmp(dh_col(id, "status"), "failed") == 0 &&
	    strstr(dh_col(id, "last_error"), "smtps://") != NULL && mail_count(addr("tls")) == 0,
	    "smtp_tls = tls with an smtp:// URL: refused, nothing sent");
	dh_int(id, a->tenant_id, user, "email", "2030-01-06 00:04:00", 0, 0);
	setenv("RETIVO_SMTP_URL", "", 1);
	job_run("deliver", "--now 2030-01-06T00:04:00Z");
	unsetenv("RETIVO_SMTP_URL");
	ok(strcmp(dh_col(id, "status"), "failed") == 0 &&
	    strstr(dh_col(id, "last_error"), "smtp_url") != NULL,
	    "no smtp_url: failed, saying so");
}

/* Never twice: two concurrent runs, and runs that died at either point. */
static void
never_twice(const struct fixture *a)
{
	enum { N = 24 };
	char id[N][48], user[N][64], who[N][32];
	pid_t pid[2];
	int i, k, once = 0, delivered = 0, status;

	job_run("deliver", "--now 2030-01-07T00:00:00Z");
	for (i = 0; i < N; i++) {
		snprintf(who[i], sizeof(who[i]), "race%d", i);
		snprintf(user[i], sizeof(user[i]), "u-race%d-%s", i, dh_suffix());
		dh_user(a->tenant_id, user[i], addr(who[i]));
		dh_int(id[i], a->tenant_id, user[i], "email", "2030-01-07 00:00:00", 0, 0);
	}
	fflush(stdout);
	for (k = 0; k < 2; k++)
		if ((pid[k] = fork()) == 0)
			_exit(job_run("deliver", "--now 2030-01-07T00:00:00Z --batch 3") == 0 ? 0 : 1);
	for (k = 0; k < 2; k++) {
		status = -1;
		waitpid(pid[k], &status, 0);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "concurrent run %d ends cleanly", k);
	}
	for (i = 0; i < N; i++) {
		once += mail_count(addr(who[i])) == 1;
		delivered += strcmp(dh_col(id[i], "status"), "delivered") == 0;
	}
	ok(once == N && delivered == N, "two concurrent runs: %d of %d users got exactly one email, "
	    "%d delivered", once, N, delivered);

	/* A run that died after claiming: the row goes back and out once. */
	snprintf(user[0], sizeof(user[0]), "u-crash1-%s", dh_suffix());
	dh_user(a->tenant_id, user[0], addr("crash1"));
	dh_int(id[0], a->tenant_id, user[0], "email", "2030-01-08 00:00:00", 0, 0);
	job_run("deliver", "--now 2030-01-08T00:00:00Z --exit-after-claim");
	ok(strcmp(dh_col(id[0], "status"), "sending") == 0, "a run killed after its claim leaves "
	    "the row in sending");
	job_run("deliver", "--now 2030-01-08T00:05:00Z");
	ok(strcmp(dh_col(id[0], "status"), "sending") == 0 && mail_count(addr("crash1")) == 0,
	    "not touched while the lease lasts");
	job_run("deliver", "--now 2030-01-08T00:10:01Z");
	ok(strcmp(dh_col(id[0], "status"), "delivered") == 0 && mail_count(addr("crash1")) == 1,
	    "lease expired, send never started: approved again and sent once");

	/* A run that died after marking the send started: outcome unknown, so
	 * failed rather than risk a second email. */
	snprintf(user[1], sizeof(user[1]), "u-crash2-%s", dh_suffix());
	dh_user(a->tenant_id, user[1], addr("crash2"));
	dh_int(id[1], a->tenant_id, user[1], "email", "2030-01-09 00:00:00", 0, 0);
	job_run("deliver", "--now 2030-01-09T00:00:00Z --exit-after-begin");
	ok(strcmp(dh_col(id[1], "send_started_at"), "2030-01-09 00:00:00") == 0,
	    "a run killed mid-send leaves send_started_at");
	job_run("deliver", "--now 2030-01-09T00:10:01Z");
	ok(strcmp(dh_col(id[1], "status"), "failed") == 0 &&
	    strstr(dh_col(id[1], "last_error"), "outcome unknown") != NULL &&
	    mail_count(addr("crash2")) == 0, "recovered as failed (outcome unknown), not resent");
}

void
suite_deliver(void)
{
	struct fixture a;

	if (getenv("RETIVO_MAILDIR") == NULL) {
		ok(0, "RETIVO_MAILDIR is set (./run.sh test starts the SMTP sink)");
		return;
	}
	if (fixture_tenant(&a, "growth", "standalone") != 0) {
		ok(0, "fixture tenant");
		return;
	}
	email_arrives(&a);
	nothing_reaches(&a);
	kill_switch(&a);
	retries(&a);
	never_twice(&a);
	deliver_channels(&a);
}
