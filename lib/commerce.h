/*
 * commerce.h — commerces (merchants, stores, accounts) that activities target.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_COMMERCE_H
#define RETIVO_COMMERCE_H

int commerce_placeholder(void);

#endif
