#ifndef LIGHTNING_CZEROMQ_SHIM_H
#define LIGHTNING_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <errno.h>

// errno is a macro in glibc; Swift sees it through this function.
static inline int czmq_errno(void) { return errno; }
#endif
