/*
 * log.c — JSON-lines logger (see log.h).
 *
 * A line is built in a fixed stack buffer and written with one write(2), so lines from
 * the pre-forked processes of a worker never interleave. Over-long messages are cut.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "json_writer.h"
#include "timeutil.h"

static const char *log_module = "station";
static const char *log_request_id;
static enum log_level log_min_level = LOG_INFO;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_init(const char *module)
{
	log_module = module;
}

void log_set_level(enum log_level level)
{
	log_min_level = level;
}

int log_parse_level(const char *name, enum log_level *out)
{
	for (int i = 0; i <= LOG_ERROR; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void log_set_request_id(const char *request_id)
{
	log_request_id = request_id;
}

/* A tiny fixed-size line; json_escape_into() escapes quotes, controls and bad UTF-8. */
struct line {
	char data[4096];
	size_t len;
};

static void line_raw(struct line *l, const char *s)
{
	size_t n = strlen(s);
	if (l->len + n >= sizeof l->data - 2)
		n = sizeof l->data - 2 - l->len;
	memcpy(l->data + l->len, s, n);
	l->len += n;
}

static void line_string(struct line *l, const char *s)
{
	l->len += json_escape_into(l->data + l->len, sizeof l->data - 2 - l->len, s);
}

static void line_field(struct line *l, const char *key, const char *value)
{
	line_raw(l, ",\"");
	line_raw(l, key);
	line_raw(l, "\":");
	line_string(l, value ? value : "");
}

static void line_begin(struct line *l, enum log_level level, const char *msg)
{
	struct timeval tv;
	char ts[TIME_RFC3339_SIZE];
	gettimeofday(&tv, NULL);
	time_format_rfc3339(ts, (long long)tv.tv_sec * 1000000 + tv.tv_usec, 3);
	l->len = 0;
	line_raw(l, "{\"ts\":\"");
	line_raw(l, ts);
	line_raw(l, "\",\"level\":\"");
	line_raw(l, level_names[level]);
	line_raw(l, "\"");
	line_field(l, "msg", msg);
	line_field(l, "module", log_module);
	if (log_request_id)
		line_field(l, "requestId", log_request_id);
}

static void line_end(struct line *l)
{
	l->data[l->len++] = '}';
	l->data[l->len++] = '\n';
	ssize_t ignored = write(STDERR_FILENO, l->data, l->len);
	(void)ignored;
}

void log_write(enum log_level level, const char *fmt, ...)
{
	if (level < log_min_level)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct line l;
	line_begin(&l, level, msg);
	line_end(&l);
}

void log_fields(enum log_level level, const char *msg, ...)
{
	if (level < log_min_level)
		return;
	struct line l;
	line_begin(&l, level, msg);
	va_list ap;
	va_start(ap, msg);
	const char *key;
	while ((key = va_arg(ap, const char *)) != NULL)
		line_field(&l, key, va_arg(ap, const char *));
	va_end(ap);
	line_end(&l);
}
