/*
 * report.c — devsim --report FILE: what each device has published, for a test that
 * checks the database holds all of it (with --sequence, every state and event carries
 * "seq", 1…N per device and kind, and only messages that went out use a number up).
 *
 * One JSON line per device, {"deviceId":"…","stateSeq":N,"eventSeq":M}, written when the
 * fleet is paused (SIGUSR1) and at exit, into FILE.tmp and then renamed over FILE, so a
 * reader sees a whole report or none.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devsim.h"
#include "payload.h"
#include "simlog.h"

int report_write(const struct sim *sim)
{
	const char *path = sim->opt->report_path;
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		simlog(SIMLOG_ERROR, "cannot write the report", "file", path, "reason", "path too long", NULL);
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f) {
		simlog(SIMLOG_ERROR, "cannot write the report", "file", tmp, "reason", strerror(errno), NULL);
		return -1;
	}
	struct jbuf line = { 0 };
	for (size_t i = 0; i < sim->count; i++) {
		const struct device *dev = &sim->devices[i];
		jbuf_reset(&line);
		jbuf_raw(&line, "{");
		jbuf_member(&line, "deviceId", dev->ext_id);
		jbuf_printf(&line, ",\"stateSeq\":%ld,\"eventSeq\":%ld}\n", dev->state_seq, dev->event_seq);
		if (!line.failed)
			fwrite(line.data, 1, line.len, f);
	}
	bool failed = line.failed;
	jbuf_free(&line);
	if (fclose(f) != 0 || failed || rename(tmp, path) != 0) {
		simlog(SIMLOG_ERROR, "cannot write the report", "file", path, "reason",
		       failed ? "out of memory" : strerror(errno), NULL);
		remove(tmp);
		return -1;
	}
	return 0;
}
