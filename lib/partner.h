/*
 * partner.h — partner tenants: customer provisioning, integrations, sharing, stats.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_PARTNER_H
#define RETIVO_PARTNER_H

int partner_placeholder(void);

#endif
