/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/fmt.h>
#include <keel/log.h>
#include <keel/spinlock.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

static const char level_letter[] = {'E', 'W', 'I', 'D'};

static struct {
	struct spinlock lock;
	enum log_level threshold;
	char ring[LOG_RING_SIZE];
	uint64_t written; /* bytes ever written; ring index is written % size */
	bool detached;    /* the console service owns the UART */
	void (*listener)(void);
} log_state = {.lock = SPINLOCK_INIT, .threshold = LOG_INFO};

static void ring_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_state.ring[(log_state.written + i) % LOG_RING_SIZE] = s[i];
	log_state.written += n;
}

static int format_prefix(char *buf, size_t size, enum log_level level, const char *subsys)
{
	uint64_t freq = arch_counter_freq();
	uint64_t now = arch_counter();
	uint64_t sec = freq ? now / freq : 0;
	uint64_t usec = freq ? (now % freq) * 1000000 / freq : 0;

	return fmt_snprintf(buf, size, "[%5llu.%06llu] %c %s: ", (unsigned long long)sec,
	                    (unsigned long long)usec, level_letter[level], subsys);
}

void klog(enum log_level level, const char *subsys, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	int n = format_prefix(line, sizeof(line), level, subsys);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		n = 0;
	va_start(ap, fmt);
	int body = fmt_vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (size_t)body;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2; /* truncated lines keep their newline */
	line[len++] = '\n';

	unsigned long flags = spin_lock_irqsave(&log_state.lock);
	ring_append(line, len);
	if (level <= log_state.threshold && !log_state.detached)
		arch_console_write(line, len);
	void (*listener)(void) = log_state.listener;
	spin_unlock_irqrestore(&log_state.lock, flags);
	if (listener)
		listener();
}

void kprintf(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	unsigned long flags = spin_lock_irqsave(&log_state.lock);
	arch_console_write(buf, len);
	spin_unlock_irqrestore(&log_state.lock, flags);
}

void log_set_level(enum log_level level)
{
	log_state.threshold = level > LOG_DEBUG ? LOG_DEBUG : level;
}

enum log_level log_get_level(void)
{
	return log_state.threshold;
}

size_t log_read_ring(char *buf, size_t size)
{
	if (!size)
		return 0;
	unsigned long flags = spin_lock_irqsave(&log_state.lock);
	uint64_t avail = log_state.written < LOG_RING_SIZE ? log_state.written : LOG_RING_SIZE;
	size_t n = avail < size - 1 ? (size_t)avail : size - 1;
	uint64_t start = log_state.written - n;
	for (size_t i = 0; i < n; i++)
		buf[i] = log_state.ring[(start + i) % LOG_RING_SIZE];
	spin_unlock_irqrestore(&log_state.lock, flags);
	buf[n] = '\0';
	return n;
}

size_t log_read_from(uint64_t seq, char *buf, size_t size, uint64_t *next)
{
	unsigned long flags = spin_lock_irqsave(&log_state.lock);
	uint64_t oldest = log_state.written > LOG_RING_SIZE ? log_state.written - LOG_RING_SIZE : 0;
	if (seq < oldest)
		seq = oldest;
	if (seq > log_state.written)
		seq = log_state.written;
	size_t n = (size_t)(log_state.written - seq);
	if (n > size)
		n = size;
	for (size_t i = 0; i < n; i++)
		buf[i] = log_state.ring[(seq + i) % LOG_RING_SIZE];
	*next = seq + n;
	spin_unlock_irqrestore(&log_state.lock, flags);
	return n;
}

void log_console_detach(void (*listener)(void))
{
	log_state.listener = listener;
	log_state.detached = true;
}

void log_console_attach(void)
{
	unsigned long flags = spin_lock_irqsave(&log_state.lock);
	log_state.listener = NULL;
	log_state.detached = false;
	spin_unlock_irqrestore(&log_state.lock, flags);
}

uint64_t log_position(void)
{
	return __atomic_load_n(&log_state.written, __ATOMIC_ACQUIRE);
}
