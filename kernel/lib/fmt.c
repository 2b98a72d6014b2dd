/* SPDX-License-Identifier: MIT */
#include <keel/fmt.h>
#include <stdbool.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

struct spec {
	bool left;
	bool zero;
	unsigned width;
	unsigned length; /* 0: int, 1: long, 2: long long, 3: size_t */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, unsigned n)
{
	while (n--)
		put(o, c);
}

static void put_field(struct out *o, const struct spec *s, const char *str, size_t n, bool negative)
{
	size_t total = n + (negative ? 1 : 0);
	unsigned fill = s->width > total ? (unsigned)(s->width - total) : 0;

	if (!s->left && !s->zero)
		pad(o, ' ', fill);
	if (negative)
		put(o, '-');
	if (!s->left && s->zero)
		pad(o, '0', fill);
	for (size_t i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		pad(o, ' ', fill);
}

static void put_unsigned(struct out *o, const struct spec *s, unsigned long long v, unsigned base,
                         bool upper, bool negative)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v);
	put_field(o, s, &tmp[sizeof(tmp) - n], n, negative);
}

/* long, long long and size_t are the same type on LP64, but not everywhere. */
// NOLINTBEGIN(bugprone-branch-clone)
static unsigned long long arg_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (long long)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}
// NOLINTEND(bugprone-branch-clone)

static const char *parse_spec(const char *f, struct spec *s)
{
	*s = (struct spec){0};
	while (*f == '-' || *f == '0') {
		if (*f++ == '-')
			s->left = true;
		else
			s->zero = true;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (unsigned)(*f++ - '0');
	if (*f == 'z') {
		s->length = 3;
		f++;
	}
	while (*f == 'l' && s->length < 2) {
		s->length++;
		f++;
	}
	return f;
}

static void convert(struct out *o, const struct spec *s, char conv, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		long long v = arg_signed(s, ap);
		unsigned long long mag =
		        v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
		put_unsigned(o, s, mag, 10, false, v < 0);
		break;
	}
	case 'u': put_unsigned(o, s, arg_unsigned(s, ap), 10, false, false); break;
	case 'x':
	case 'X': put_unsigned(o, s, arg_unsigned(s, ap), 16, conv == 'X', false); break;
	case 'p': {
		struct spec ps = {.zero = true, .width = 16};
		put(o, '0');
		put(o, 'x');
		put_unsigned(o, &ps, (uintptr_t)va_arg(*ap, void *), 16, false, false);
		break;
	}
	case 's': {
		const char *str = va_arg(*ap, const char *);
		size_t n = 0;
		if (!str)
			str = "(null)";
		while (str[n])
			n++;
		struct spec ss = *s;
		ss.zero = false;
		put_field(o, &ss, str, n, false);
		break;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);
		put_field(o, s, &c, 1, false);
		break;
	}
	default: /* '%' and anything unknown are printed as they stand */
		put(o, '%');
		if (conv != '%')
			put(o, conv);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		struct spec s;
		fmt = parse_spec(fmt + 1, &s);
		if (!*fmt)
			break;
		convert(&o, &s, *fmt++, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
