/*
 * on_notification.c — PostgreSQL notifications received on mqttd's connection.
 *
 * device_commands (payload: a command id) wakes the outbox; the payload itself is not
 * trusted or needed — the drain reads the table. Nothing else is listened to. Never
 * publishes from here: a notification only wakes the outbox.
 */
#include <string.h>

#include "adapters/adapters.h"
#include "log.h"

void adapters_notification(struct mqttd *m, const char *channel, const char *extra)
{
	(void)extra;
	if (strcmp(channel, "device_commands") == 0)
		outbox_wake(m);
	else
		log_fields(LOG_DEBUG, "notification ignored", "channel", channel, NULL);
}
