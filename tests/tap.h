/* tests/tap.h — minimal TAP output for C tests; tests/run counts the lines. */
#ifndef TAP_H
#define TAP_H
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

#define is_int(got, want, ...) ({					\
	long long _g = (long long)(got), _w = (long long)(want);	\
	int _r = ok(_g == _w, __VA_ARGS__);				\
	if (!_r)							\
		printf("#   got:  %lld\n#   want: %lld\n", _g, _w);	\
	_r; })

#define is_str(got, want, ...) ({					\
	const char *_g = (got), *_w = (want);				\
	int _r = ok(_g && _w && strcmp(_g, _w) == 0, __VA_ARGS__);	\
	if (!_r)							\
		printf("#   got:  '%s'\n#   want: '%s'\n",		\
		       _g ? _g : "(null)", _w ? _w : "(null)");		\
	_r; })

__attribute__((format(printf, 1, 2), unused))
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

__attribute__((unused))
static void skip(const char *what, const char *why)
{
	tap_n++;
	printf("ok %d - %s # SKIP %s\n", tap_n, what, why);
	fflush(stdout);
}

__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
#endif
