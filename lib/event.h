#ifndef RETIVO_EVENT_H
#define RETIVO_EVENT_H
#endif
