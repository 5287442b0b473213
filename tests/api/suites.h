/* suites.h — one function per API test file; each uses tap.h's ok(). */
#ifndef RETIVO_TEST_SUITES_H
#define RETIVO_TEST_SUITES_H

#include <stdarg.h>
#include <stdio.h>

/* tap.h's functions are static; suite files get the same through this. */
int t_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void t_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define ok(cond, ...) t_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define diag(...) t_diag(__VA_ARGS__)

void suite_errors(void);
void suite_keys(void);
void suite_action_types(void);
void suite_ratelimit(void);
void suite_db(void);
void suite_events(void);
void suite_connectors(void);
void suite_customers(void);
void suite_settings(void);
void suite_actions(void);
void suite_dispatch(void);
void suite_webhooks(void);
void suite_platforms(void);
void suite_lifecycle(void);
void suite_decisions(void);
void suite_partners(void);
void suite_team(void);
void suite_audit(void);
void suite_billing(void);
void suite_commerces(void);
void suite_activities(void);
void suite_isolation(void);
void suite_playbooks(void);
void suite_interventions(void);
void suite_escalations(void);
void suite_llm(void);
void suite_evaluate(void);
void suite_deliver(void);

#endif
