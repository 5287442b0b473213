/*
 * smtp.h — sending email over SMTP with libcurl.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_SMTP_H
#define RETIVO_SMTP_H

int smtp_placeholder(void);

#endif
