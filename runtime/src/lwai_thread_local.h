/* LWAI_THREAD_LOCAL: the storage class of the runtime's few per-call records that generated
 * code or the node hook reach without a context argument (the TVM workspace slot, the
 * canary report). Per thread on L1/L2, where two models or two instances of one model may
 * run in two threads at once; plain file scope on L0, which runs one inference thread and
 * whose bare-metal toolchains have no thread pointer (__aeabi_read_tp) for TLS. A build
 * may define it itself (empty: one thread). Internal to runtime/src. */
#ifndef LWAI_THREAD_LOCAL_H
#define LWAI_THREAD_LOCAL_H

#ifdef LWAI_HAVE_CONFIG_H
#include "lwai_config.h"
#endif

#ifndef LWAI_THREAD_LOCAL
#if defined(CONFIG_LWAI_PROFILE_L0)
#define LWAI_THREAD_LOCAL
#elif !defined(LWAI_HAVE_CONFIG_H) && !defined(__linux__) && !defined(__unix__) && \
    !defined(__APPLE__)
#define LWAI_THREAD_LOCAL /* no config and no OS with threads: bare metal */
#elif defined(__GNUC__) || defined(__clang__)
#define LWAI_THREAD_LOCAL __thread /* GNU C, accepted under -std=c99 */
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define LWAI_THREAD_LOCAL _Thread_local
#else
#error "lwai: no thread-local storage class for this compiler: define LWAI_THREAD_LOCAL"
#endif
#endif

#endif
