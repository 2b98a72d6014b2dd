/* SPDX-License-Identifier: MIT */
/*
 * Kernel log: a level, a subsystem prefix and a timestamp on every line,
 *
 *   [    0.001234] I smp: cpu1 online (mpidr 0x1)
 *
 * kept in a ring buffer (for the shell's `log`) and echoed to the console
 * when the level passes the threshold (bootarg keel.loglevel=0..3).
 */
#ifndef KEEL_LOG_H
#define KEEL_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

#define LOG_RING_SIZE 8192
#define LOG_LINE_MAX  160

void klog(enum log_level level, const char *subsys, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Console output without prefix or ring buffer, for crash reports. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Copy the newest bytes of the ring (up to size-1) into buf; returns length. */
size_t log_read_ring(char *buf, size_t size);

/* Bytes from ring position `seq` on (older bytes are gone; the copy starts
 * at the oldest kept); returns the length copied and sets *next. */
size_t log_read_from(uint64_t seq, char *buf, size_t size, uint64_t *next);
/* Bytes ever logged: the sequence number of the next byte. */
uint64_t log_position(void);
/* A service owns the UART now: log lines go only to the ring, and
 * `listener` runs (kernel lock held) after each new line. */
void log_console_detach(void (*listener)(void));
/* The service is gone: log lines go to the UART again, nobody listens. */
void log_console_attach(void);

#define log_err(subsys, ...)   klog(LOG_ERROR, subsys, __VA_ARGS__)
#define log_warn(subsys, ...)  klog(LOG_WARN, subsys, __VA_ARGS__)
#define log_info(subsys, ...)  klog(LOG_INFO, subsys, __VA_ARGS__)
#define log_debug(subsys, ...) klog(LOG_DEBUG, subsys, __VA_ARGS__)

#endif
