/*
 * customer.h — tracked users as the customers API shows them.
 * (Being written.)
 */
#ifndef RETIVO_CUSTOMER_H
#define RETIVO_CUSTOMER_H
#endif
