/*
 * simlog.c — JSON-lines logger for devsim (see simlog.h).
 *
 * A line is assembled in one reusable buffer and written with a single write(2), so a
 * reader never sees half a line. It must never be called from a signal handler.
 */
#include "simlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "payload.h"
#include "timeutil.h"

static enum simlog_level min_level = SIMLOG_INFO;
static struct jbuf line;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void simlog_set_level(enum simlog_level level)
{
	min_level = level;
}

int simlog_parse_level(const char *name, enum simlog_level *out)
{
	for (int i = SIMLOG_DEBUG; i <= SIMLOG_ERROR; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum simlog_level)i;
			return 0;
		}
	}
	return -1;
}

int simlog_enabled(enum simlog_level level)
{
	return level >= min_level;
}

static void field(const char *key, const char *value)
{
	jbuf_member(&line, key, value ? value : "");
}

void simlog(enum simlog_level level, const char *msg, ...)
{
	if (level < min_level)
		return;
	struct timeval tv;
	char ts[TIME_RFC3339_SIZE];
	gettimeofday(&tv, NULL);
	time_format_rfc3339(ts, (long long)tv.tv_sec * 1000000 + tv.tv_usec, 3);

	jbuf_reset(&line);
	jbuf_printf(&line, "{\"ts\":\"%s\",\"level\":\"%s\"", ts, level_names[level]);
	field("msg", msg);
	field("module", "devsim");
	va_list ap;
	va_start(ap, msg);
	const char *key;
	while ((key = va_arg(ap, const char *)) != NULL)
		field(key, va_arg(ap, const char *));
	va_end(ap);
	jbuf_raw(&line, "}\n");
	if (line.failed)
		return;
	ssize_t ignored = write(STDERR_FILENO, line.data, line.len);
	(void)ignored;
}
