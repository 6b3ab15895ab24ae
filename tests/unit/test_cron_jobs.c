/*
 * test_cron_jobs.c — station-cron's job table (names, schedules, lock keys) and the
 * device.statusChanged payload that heartbeat-timeout announces, byte for byte.
 */
#include <stdlib.h>

#include "jobs.h"
#include "tap.h"

static const char *const expected_jobs[] = { "heartbeat-timeout", "command-expiry", "refresh-token-cleanup",
					     "device-events-cleanup", "ota-timeout", "automation-runs-cleanup", NULL };

int main(void)
{
	struct arena *a = arena_new();

	for (int i = 0; expected_jobs[i]; i++) {
		const struct cron_job *job = cron_job_find(expected_jobs[i]);
		ok(job && strcmp(job->name, expected_jobs[i]) == 0, "job %s is in the table", expected_jobs[i]);
	}
	ok(cron_job_find("nope") == NULL, "an unknown name finds nothing");
	ok(cron_job_find(NULL) == NULL, "no name finds nothing");
	ok(cron_job_find("heartbeat") == NULL, "a prefix is not a name");

	int count = 0, complete = 1, distinct = 1;
	for (const struct cron_job *job = cron_jobs; job->name; job++, count++) {
		if (!job->run || !job->summary || !job->counted || job->lock_key <= 0 ||
		    (strcmp(job->schedule, "every minute") != 0 && strcmp(job->schedule, "daily") != 0))
			complete = 0;
		for (const struct cron_job *other = cron_jobs; other != job; other++)
			if (other->lock_key == job->lock_key || strcmp(other->name, job->name) == 0)
				distinct = 0;
	}
	ok(count == 6, "the six jobs of SPEC §9");
	ok(complete, "every job has a schedule, a summary, a counted noun, a lock key and a body");
	ok(distinct, "names and lock keys are unique");
	ok(strcmp(cron_job_find("heartbeat-timeout")->schedule, "every minute") == 0 &&
	   strcmp(cron_job_find("command-expiry")->schedule, "every minute") == 0 &&
	   strcmp(cron_job_find("refresh-token-cleanup")->schedule, "daily") == 0 &&
	   strcmp(cron_job_find("device-events-cleanup")->schedule, "daily") == 0 &&
	   strcmp(cron_job_find("ota-timeout")->schedule, "every minute") == 0 &&
	   strcmp(cron_job_find("automation-runs-cleanup")->schedule, "daily") == 0,
	   "schedules of SPEC §9");

	is_str(cron_status_changed_payload(a, "0b9e6f52-3c1a-4f5e-9d2b-7a8c9e0f1a2b", "Hall \"PIR\"", "pir", "offline",
					   1795842803123LL /* 2026-11-28T05:13:23.123Z */),
	       "{\"type\":\"device.statusChanged\",\"data\":{\"deviceId\":\"0b9e6f52-3c1a-4f5e-9d2b-7a8c9e0f1a2b\","
	       "\"deviceName\":\"Hall \\\"PIR\\\"\",\"deviceType\":\"pir\",\"status\":\"offline\"},"
	       "\"ts\":\"2026-11-28T05:13:23.123Z\"}",
	       "the payload of SPEC §6, names escaped");

	size_t big = 9000;
	char *name = malloc(big + 1);
	memset(name, 'n', big);
	name[big] = '\0';
	const char *payload = cron_status_changed_payload(a, "0b9e6f52-3c1a-4f5e-9d2b-7a8c9e0f1a2b", name, "pir",
							  "offline", 1795842803123LL);
	ok(strlen(payload) < 8000, "an oversized name still gives a payload NOTIFY accepts");
	ok(strstr(payload, "\"deviceName\":null") && strstr(payload, "\"truncated\":true"),
	   "the name is left out and the payload says so");
	free(name);

	arena_destroy(a);
	return done();
}
